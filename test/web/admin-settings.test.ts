// Console settings pages, end to end through the forms: exchange rates,
// people and invitations (delivered through the outbox, with no SMTP), API
// tokens shown once, the audit log and the outbox — each page's happy path,
// its bad input, the audit entries it leaves, and who may use it.
import t from 'tap';
import { readAuditLog } from '../../src/db/audit.ts';
import { listMail } from '../../src/db/mail.ts';
import { listRates } from '../../src/db/rates.ts';
import { allTokens, findUserByEmail } from '../../src/db/users.ts';
import { audit } from '../../src/services/audit.ts';
import { addRate } from '../../src/services/rates.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { verifyClean } from './api-helpers.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);
const MINUTE = 60_000;

async function loggedIn(ta: TestApp, role: 'admin' | 'organizer' | 'sponsor'): Promise<FormClient> {
  const b = new FormClient(ta.app);
  await b.login(`${role}@example.test`, testPassword);
  return b;
}

function lastAudit(ta: TestApp, action: string) {
  const row = readAuditLog(ta.db, { limit: 1, offset: 0, action })[0];
  if (!row) throw new Error(`no audit entry ${action}`);
  return { ...row, before: JSON.parse(row.before ?? 'null') as unknown, after: JSON.parse(row.after ?? 'null') as unknown };
}

function userId(ta: TestApp, email: string): string {
  const u = findUserByEmail(ta.db, email);
  if (!u) throw new Error(`no user ${email}`);
  return u.id;
}

t.test('exchange rates: bad input changes nothing; a rate is listed, in effect, audited', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const b = await loggedIn(ta, 'admin');
  const page = await b.get('/admin/rates');
  t.equal(page.statusCode, 200);
  t.match(page.body, '1 base = rate quote');
  t.match(page.body, 'value="2026-11-01T12:00"', 'the effective time defaults to now (UTC)');
  t.notMatch(page.body, /style=|<script/i);

  const same = await b.post('/admin/rates', { base: 'USD', quote: 'USD', rate: '1', effective: '2026-11-01T12:00' });
  t.equal(same.statusCode, 400);
  t.match(same.body, 'The two currencies must differ');
  const bad = await b.post('/admin/rates', { base: 'KRW', quote: 'XXX', rate: '0,00074', effective: '2026-13-01 10:00' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Choose a currency');
  t.match(bad.body, 'Enter a date and time as YYYY-MM-DD HH:MM (UTC)');
  t.match(bad.body, 'value="0,00074"', 'the input is kept');
  const badRate = await b.post('/admin/rates', { base: 'KRW', quote: 'USD', rate: '0,00074', effective: '2026-11-01T12:00' });
  t.equal(badRate.statusCode, 400);
  t.match(badRate.body, 'Enter a rate such as 1.35 or 0.00074', 'the domain rule on rates is reported next to the field');
  t.match(badRate.body, 'id="f-rate-error"');
  t.equal(listRates(ta.db, 10).length, 0, 'nothing was saved');

  const ok = await b.post('/admin/rates', { base: 'KRW', quote: 'USD', rate: '0.000740', effective: '2026-11-01T12:00' });
  t.equal(ok.statusCode, 303);
  const later = await b.post('/admin/rates', { base: 'KRW', quote: 'USD', rate: '0.00075', effective: '2026-12-01 00:00' });
  t.equal(later.statusCode, 303);
  const list = await b.follow(later);
  t.match(list.body, 'The exchange rate was saved.');
  t.match(list.body, '1 KRW = 0.00074 USD', 'in effect now, stored without trailing zeros');
  t.match(list.body, '2026-11-01 12:00 UTC');
  t.match(list.body, /2026-12-01 00:00 UTC <span class="status scheduled">scheduled/, 'a later rate is scheduled');
  t.match(list.body, 'admin@example.test', 'who entered it');
  t.match(lastAudit(ta, 'exchange_rate.'), { action: 'exchange_rate.create', actorLabel: 'admin@example.test', before: null, after: { base: 'KRW', quote: 'USD', rate: '0.00075', effectiveAt: Date.UTC(2026, 11, 1) } });

  // The rate is used: the campaign accepts KRW now.
  await createRescueFund(ta);
  const gift = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin'), payload: { amount: { amount: 100_000, currency: 'KRW' }, donor: { name: 'Cash box' }, method: 'cash' } });
  t.equal(gift.statusCode, 201);
  t.match(gift.json(), { campaignAmount: { amount: 7400, currency: 'USD' }, rate: '0.00074' });

  const o = await loggedIn(ta, 'organizer');
  t.equal((await o.get('/admin/rates')).statusCode, 403, 'organizers may not see rates');
  t.equal((await o.post('/admin/rates', { base: 'EUR', quote: 'USD', rate: '1.1', effective: '2026-11-01T12:00' })).statusCode, 403);
  t.equal(listRates(ta.db, 10).length, 2);
  await verifyClean(t, ta);
});

t.test('people: role changes, disabling and unlocking, audited; refusals shown next to the row', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const b = await loggedIn(ta, 'admin');
  const sponsorId = userId(ta, 'sponsor@example.test');
  const adminId = userId(ta, 'admin@example.test');

  const page = await b.get('/admin/users');
  t.equal(page.statusCode, 200);
  for (const email of ['admin@example.test', 'organizer@example.test', 'sponsor@example.test']) t.match(page.body, email);
  t.notMatch(page.body, `/admin/users/${adminId}/disable`, 'an admin is not offered to disable themself');

  const badRole = await b.post(`/admin/users/${sponsorId}/role`, { role: 'king' });
  t.equal(badRole.statusCode, 400);
  t.match(badRole.body, `id="row-error-${sponsorId}"`);
  t.match(badRole.body, 'Choose a role');
  t.equal(findUserByEmail(ta.db, 'sponsor@example.test')?.role, 'sponsor', 'nothing changed');

  const lastAdmin = await b.post(`/admin/users/${adminId}/role`, { role: 'organizer' });
  t.equal(lastAdmin.statusCode, 409);
  t.match(lastAdmin.body, 'This is the last administrator');
  t.equal(findUserByEmail(ta.db, 'admin@example.test')?.role, 'admin');

  const self = await b.post(`/admin/users/${adminId}/disable`);
  t.equal(self.statusCode, 409);
  t.match(self.body, 'You cannot disable your own account.');

  const promoted = await b.post(`/admin/users/${sponsorId}/role`, { role: 'organizer' });
  t.equal(promoted.statusCode, 303);
  t.match(lastAudit(ta, 'user.role'), { subjectId: sponsorId, actorLabel: 'admin@example.test', before: { role: 'sponsor' }, after: { role: 'organizer' } });
  t.match((await b.follow(promoted)).body, 'The role was saved.');

  const s = new FormClient(ta.app);
  await s.login('sponsor@example.test', testPassword);
  t.equal((await b.post(`/admin/users/${sponsorId}/disable`)).statusCode, 303);
  t.match(lastAudit(ta, 'user.disable'), { before: { disabled: false }, after: { disabled: true } });
  t.match((await b.get('/admin/users')).body, 'disabled');
  t.equal((await s.get('/admin/tokens')).statusCode, 303, 'their session ended');
  t.equal((await b.post(`/admin/users/${sponsorId}/enable`)).statusCode, 303);
  t.equal(findUserByEmail(ta.db, 'sponsor@example.test')?.disabledAt, null);

  // Five wrong passwords lock an account; an admin may unlock it.
  const x = new FormClient(ta.app);
  await x.get('/login');
  for (let i = 0; i < 10 && !(findUserByEmail(ta.db, 'organizer@example.test')?.lockedUntil ?? 0); i++) {
    await x.post('/login', { email: 'organizer@example.test', password: 'not the password' });
  }
  const locked = await b.get('/admin/users');
  t.match(locked.body, 'locked until');
  t.match(locked.body, '>Unlock<');
  t.equal((await b.post(`/admin/users/${userId(ta, 'organizer@example.test')}/enable`)).statusCode, 303);
  t.equal(findUserByEmail(ta.db, 'organizer@example.test')?.lockedUntil, null, 'unlocked');

  const o = await loggedIn(ta, 'organizer');
  t.equal((await o.get('/admin/users')).statusCode, 403, 'organizers may not manage people');
  t.equal((await o.post(`/admin/users/${adminId}/role`, { role: 'organizer' })).statusCode, 403);
  t.equal((await o.post(`/admin/users/${adminId}/disable`)).statusCode, 403);
  t.equal(findUserByEmail(ta.db, 'admin@example.test')?.disabledAt, null);
});

t.test('invitations without SMTP: the outbox holds the message and its link opens the invitation', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  t.equal(ta.services.mailer.sends, false, 'no SMTP configured');
  const b = await loggedIn(ta, 'admin');
  await b.get('/admin/users');

  const bad = await b.post('/admin/invitations', { name: '', email: 'nope', role: 'admin' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Enter the name of the person you invite');
  t.match(bad.body, 'Enter a valid e-mail address');
  t.match(bad.body, 'Invite an organizer or a sponsor');
  t.match(bad.body, 'value="nope"', 'the input is kept');
  const taken = await b.post('/admin/invitations', { name: 'Org', email: 'organizer@example.test', role: 'organizer' });
  t.equal(taken.statusCode, 400);
  t.match(taken.body, 'Someone with this e-mail already has an account');
  t.equal(listMail(ta.db, 10, 0).length, 0, 'nothing was queued');

  const sent = await b.post('/admin/invitations', { name: 'Seo-yeon Lee', email: 'Seoyeon@Partner.test', role: 'organizer' });
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, '/admin/users?done=invited_outbox');
  const after = await b.follow(sent);
  t.match(after.body, 'The invitation is waiting in the outbox');
  t.match(after.body, 'href="/admin/outbox"');
  t.match(after.body, 'seoyeon@partner.test', 'listed among the open invitations');
  t.match(lastAudit(ta, 'user.invite'), { after: { email: 'seoyeon@partner.test', role: 'organizer' } });

  const outbox = await b.get('/admin/outbox');
  t.equal(outbox.statusCode, 200);
  t.match(outbox.body, 'No mail server is set up');
  t.match(outbox.body, 'seoyeon@partner.test');
  t.match(outbox.body, 'You are invited to Lantern');
  t.match(outbox.body, 'waiting');
  const mail = listMail(ta.db, 10, 0)[0];
  if (!mail) throw new Error('no mail');
  const message = await b.get(`/admin/outbox/${mail.id}`);
  t.equal(message.statusCode, 200);
  t.match(message.body, '<pre class="mail">Hello Seo-yeon Lee,');
  t.match(message.body, '&lt;p&gt;Hello Seo-yeon Lee,&lt;/p&gt;', 'the HTML part is shown as escaped source');
  t.notMatch(message.body, /<p>Hello Seo-yeon/, 'never rendered as HTML');
  const link = /http:\/\/lantern\.test(\/invitations\/[A-Za-z0-9_-]+)/.exec(message.body)?.[1];
  t.ok(link, 'the invitation link is on the page to copy');

  const invitee = new FormClient(ta.app);
  const opened = await invitee.get(link ?? '/');
  t.equal(opened.statusCode, 200, 'the link opens the invitation page');
  t.match(opened.body, 'You are invited as organizer with the e-mail seoyeon@partner.test.');

  const id = readAuditLog(ta.db, { limit: 1, offset: 0, action: 'user.invite' })[0]?.subjectId ?? '';
  const withdrawn = await b.post(`/admin/invitations/${id}/withdraw`);
  t.equal(withdrawn.statusCode, 303);
  t.match((await b.follow(withdrawn)).body, 'The invitation was withdrawn');
  t.equal((await invitee.get(link ?? '/')).statusCode, 410, 'a withdrawn invitation no longer opens');

  ta.clock.now += 8 * 24 * 60 * MINUTE;
  await b.get('/admin/users');
  await b.post('/admin/invitations', { name: 'Old', email: 'old@partner.test', role: 'sponsor' });
  ta.clock.now += 8 * 24 * 60 * MINUTE;
  t.match((await b.get('/admin/users')).body, /old@partner\.test[\s\S]*status expired/, 'an expired invitation is marked');

  const o = await loggedIn(ta, 'organizer');
  t.equal((await o.get('/admin/outbox')).statusCode, 403, 'organizers may not read the outbox');
  t.equal((await o.get(`/admin/outbox/${mail.id}`)).statusCode, 403);
  t.equal((await o.post('/admin/invitations', { name: 'X', email: 'x@partner.test', role: 'organizer' })).statusCode, 403);
  t.equal((await b.get('/admin/outbox/mail_nothing')).statusCode, 404);
});

t.test('API tokens: shown once, work against the API, stop after revoke; organizers see only theirs', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const b = await loggedIn(ta, 'admin');
  const page = await b.get('/admin/tokens');
  t.equal(page.statusCode, 200);
  const before = allTokens(ta.db).length;

  const bad = await b.post('/admin/tokens', { name: '   ' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Name the token after what will use it');
  t.equal(allTokens(ta.db).length, before, 'no token was created');

  const created = await b.post('/admin/tokens', { name: 'newsletter sync' });
  t.equal(created.statusCode, 200);
  t.equal(created.headers['cache-control'], 'no-store');
  const token = /<p class="secret" id="new-token">(lt_[A-Za-z0-9_-]+)<\/p>/.exec(created.body)?.[1] ?? '';
  t.ok(token, 'the token is shown');
  t.match(created.body, 'it will not be shown again');
  t.match(created.body, `Authorization: Bearer ${token}`);
  t.match(lastAudit(ta, 'token.create'), { actorLabel: 'admin@example.test', after: { user: 'admin@example.test', name: 'newsletter sync' } });
  const tokenId = lastAudit(ta, 'token.create').subjectId;
  t.notMatch((await b.get('/admin/tokens')).body, token, 'and never again');

  const api = (tk: string) => ta.app.inject({ method: 'GET', url: '/api/v1/campaigns/rescue-fund/gifts', headers: { authorization: `Bearer ${tk}` } });
  t.equal((await api(token)).statusCode, 200, 'the token works against the API');

  const o = await loggedIn(ta, 'organizer');
  const mine = await o.get('/admin/tokens');
  t.equal(mine.statusCode, 200, 'organizers manage their own tokens');
  t.notMatch(mine.body, 'newsletter sync', 'not the admin’s');
  t.notMatch(mine.body, 'Everyone else');
  const orgCreated = await o.post('/admin/tokens', { name: 'door laptop' });
  const orgToken = /<p class="secret" id="new-token">(lt_[A-Za-z0-9_-]+)<\/p>/.exec(orgCreated.body)?.[1] ?? '';
  t.equal((await api(orgToken)).statusCode, 200, 'on a campaign they run');
  t.equal((await o.post(`/admin/tokens/${tokenId}/revoke`)).statusCode, 404, 'an organizer cannot revoke someone else’s token');
  t.equal((await api(token)).statusCode, 200, 'which keeps working');

  const all = await b.get('/admin/tokens');
  t.match(all.body, 'Everyone else’s tokens');
  t.match(all.body, /organizer@example\.test<\/td>\s*<td>door laptop/, 'an admin sees everyone’s tokens');

  const revoked = await b.post(`/admin/tokens/${tokenId}/revoke`);
  t.equal(revoked.statusCode, 303);
  t.match((await b.follow(revoked)).body, 'The token was revoked');
  t.match(lastAudit(ta, 'token.revoke'), { subjectId: tokenId, actorLabel: 'admin@example.test', after: { name: 'newsletter sync' } });
  const refused = await api(token);
  t.equal(refused.statusCode, 401, 'a revoked token stops working');
  t.equal((await b.post(`/admin/tokens/${tokenId}/revoke`)).statusCode, 409, 'revoking twice is refused');

  const orgTokenId = allTokens(ta.db).find((x) => x.name === 'door laptop')?.id ?? '';
  t.equal((await b.post(`/admin/tokens/${orgTokenId}/revoke`)).statusCode, 303, 'an admin can revoke anyone’s token');
  t.equal((await api(orgToken)).statusCode, 401);

  const sponsor = await loggedIn(ta, 'sponsor');
  t.equal((await sponsor.get('/admin/tokens')).statusCode, 403, 'sponsors have no console tokens page');
});

t.test('the audit log: newest first, filters, paging, readable changes; admins only', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const o = await loggedIn(ta, 'organizer');
  t.equal((await o.get('/admin/audit')).statusCode, 403, 'organizers may not read the audit log');
  const b = await loggedIn(ta, 'admin');
  await b.get('/admin/users');
  await b.post(`/admin/users/${userId(ta, 'organizer@example.test')}/role`, { role: 'sponsor' });
  for (let i = 0; i < 55; i++) {
    ta.clock.now += MINUTE;
    await addRate(ta.services, testActor, { base: 'KRW', quote: 'USD', rate: `0.000${700 + i}` });
  }

  const first = await b.get('/admin/audit');
  t.equal(first.statusCode, 200);
  t.match(first.body, 'exchange_rate.create');
  t.match(first.body, '0.000754', 'the newest entry is on the first page');
  t.notMatch(first.body, '0.0007&quot;', 'the oldest rate is not');
  t.match(first.body, 'href="/admin/audit?page=2"', 'an older page');
  t.notMatch(first.body, 'Newer');
  t.equal((first.body.match(/<tr>\s*<td>20/g) ?? []).length, 50, '50 to a page');

  const second = await b.get('/admin/audit?page=2');
  t.match(second.body, 'href="/admin/audit"', 'a newer page');
  t.match(second.body, 'user.role');
  t.match(second.body, 'role: organizer → sponsor', 'a readable before → after');
  t.match(second.body, 'login.success');
  t.match(second.body, 'admin@example.test');
  t.match(second.body, 'from 127.0.0.1', 'where it came from');

  const users = await b.get('/admin/audit?action=user');
  t.match(users.body, 'user.role');
  t.notMatch(users.body, 'exchange_rate.create');
  t.match(users.body, '<option value="user" selected');
  const rates = await b.get('/admin/audit?action=rate');
  t.match(rates.body, 'exchange_rate.create');
  t.notMatch(rates.body, 'user.role');
  t.match(rates.body, 'href="/admin/audit?action=rate&amp;page=2"', 'paging keeps the filter');
  const logins = await b.get('/admin/audit?action=login');
  t.match(logins.body, 'login.success');
  t.notMatch(logins.body, 'exchange_rate.create');

  const organizerId = userId(ta, 'organizer@example.test');
  const subject = await b.get(`/admin/audit?type=user&subject=${organizerId}`);
  t.match(subject.body, 'user.role');
  const subjects = [...subject.body.matchAll(/<br><small>([^<]+)<\/small><\/a>/g)].map((m) => m[1]);
  t.ok(subjects.length >= 2, 'the person’s entries');
  t.ok(subjects.every((id) => id === organizerId), 'and only theirs');
  t.match(first.body, `href="/admin/audit?type=exchange_rate&amp;subject=`, 'a subject links to its history');

  const bad = await b.get('/admin/audit?action=bogus&page=-1');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'id="f-action-error"');
  t.match(bad.body, 'Choose from the list');
  t.match(bad.body, 'A page number');

  const sponsor = await loggedIn(ta, 'sponsor');
  t.equal((await sponsor.get('/admin/audit')).statusCode, 403, 'nor sponsors');
  await verifyClean(t, ta);
});

t.test('the audit log filters events, tickets, orders, raffles, payments and waiting lists', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const actions = ['event.create', 'event_series.create', 'ticket_type.create', 'ticket.check_in', 'order.door_sale', 'raffle.draw', 'payment.dispute', 'waitlist.offer', 'exchange_rate.create'];
  await ta.db.write(() => {
    for (const action of actions) audit(ta.services, testActor, action, { type: action.split('.')[0] ?? 'x', id: `id-${action}` }, null, { n: 1 });
  });
  const b = await loggedIn(ta, 'admin');
  const shown = async (filter: string) => {
    const page = await b.get(`/admin/audit?action=${filter}`);
    t.equal(page.statusCode, 200, filter);
    t.match(page.body, `<option value="${filter}" selected`);
    return actions.filter((a) => page.body.includes(`>${a}<`));
  };
  t.same(await shown('event'), ['event.create', 'event_series.create'], 'events and their tours');
  t.same(await shown('ticket'), ['ticket_type.create', 'ticket.check_in'], 'ticket types and check-ins');
  t.same(await shown('order'), ['order.door_sale']);
  t.same(await shown('raffle'), ['raffle.draw']);
  t.same(await shown('payment'), ['payment.dispute']);
  t.same(await shown('waitlist'), ['waitlist.offer']);
  t.same(await shown('rate'), ['exchange_rate.create'], 'and the kinds there were already');
  await verifyClean(t, ta);
});
