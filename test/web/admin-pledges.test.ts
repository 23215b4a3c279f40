// Console: a campaign's match pledges — the create form with its bad input,
// approve and decline of a sponsor's proposal (the sponsor is e-mailed through
// the outbox), and pause, resume and close worked through the ledger with
// figures computed by hand. Organizers may look but not act.
import t from 'tap';
import { readAuditLog } from '../../src/db/audit.ts';
import { listMail } from '../../src/db/mail.ts';
import { findPledge, pledgesOfCampaign } from '../../src/db/pledges.ts';
import { findUserByEmail } from '../../src/db/users.ts';
import { getCampaign as campaignRow } from '../../src/services/campaigns.ts';
import type { Actor } from '../../src/services/context.ts';
import { createPledge } from '../../src/services/pledges.ts';
import { buildTestApp, createRescueFund, testPassword, type TestApp } from '../helper.ts';
import { getCampaign, offline, usd, verifyClean } from './api-helpers.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);
const MINUTE = 60_000;

async function admin(ta: TestApp): Promise<FormClient> {
  const b = new FormClient(ta.app);
  await b.login('admin@example.test', testPassword);
  return b;
}

function pledges(ta: TestApp) {
  return pledgesOfCampaign(ta.db, campaignRow(ta.services, 'rescue-fund').id);
}

function lastAudit(ta: TestApp, action: string) {
  const row = readAuditLog(ta.db, { limit: 1, offset: 0, action })[0];
  if (!row) throw new Error(`no audit entry ${action}`);
  return { ...row, before: JSON.parse(row.before ?? 'null') as Record<string, unknown> | null, after: JSON.parse(row.after ?? 'null') as Record<string, unknown> | null };
}

const goodPledge = {
  sponsor_name: 'Haneul Foundation',
  sponsor_email: 'Giving@Haneul.test',
  anonymous: 'on',
  message: 'Every gift doubled',
  ratio: '1:1',
  cap: '1,000',
  cap_units: '',
  starts: '',
  ends: '',
  min_gift: '',
  max_per_gift: '',
  priority: '100',
  sources: ['online', 'offline', 'event'],
};

function formToken(html: string): string {
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no form token on the page');
  return m[1];
}

t.test('the create form: bad input re-renders with messages and creates nothing; good input creates one active pledge', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const b = await admin(ta);

  const page = await b.get('/admin/campaigns/rescue-fund/pledges');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'No match pledges yet.');
  t.match(page.body, 'name="cap_units"', 'the campaign has an impact unit: the cap may be given in rescues');
  t.notMatch(page.body, /style=|<script/i, 'no inline style or script');
  const token = formToken(page.body);

  const bad = await b.post('/admin/campaigns/rescue-fund/pledges', {
    form_token: token,
    sponsor_name: '  ',
    sponsor_email: 'not-an-address',
    message: 'Kept as typed',
    ratio: '1 to 1',
    cap: '12,50',
    cap_units: '',
    starts: '2026-02-31',
    ends: 'soon',
    min_gift: '-5',
    max_per_gift: '',
    priority: 'first',
  });
  t.equal(bad.statusCode, 400);
  for (const message of [
    'Enter the sponsor’s name',
    'Enter a valid e-mail address or leave it empty',
    'Write the ratio as sponsor:donor',
    'Enter an amount such as 25 or 1,500.00',
    'Enter a date as YYYY-MM-DD',
    'The amount must be positive',
    'Enter a whole number from 0 to 1,000,000',
    'Tick at least one kind of gift',
  ]) {
    t.match(bad.body, message, `says: ${message}`);
  }
  t.match(bad.body, 'id="f-ratio-error"', 'the message sits next to its field');
  t.match(bad.body, 'value="Kept as typed"', 'the input is kept');
  t.match(bad.body, 'value="1 to 1"');
  t.notMatch(bad.body, /name="sources" value="online" checked/, 'unticked boxes stay unticked');

  const both = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token, cap_units: '50' });
  t.equal(both.statusCode, 400);
  t.match(both.body, 'Give the cap either as money or as a number of units, not both');
  const none = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token, cap: '' });
  t.match(none.body, 'Enter the cap, as money or as a number of rescue');
  const backwards = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token, starts: '2026-12-01', ends: '2026-11-01' });
  t.match(backwards.body, 'The end must not be before the start');
  const zeroRatio = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token, ratio: '0:1' });
  t.match(zeroRatio.body, 'Write the ratio as sponsor:donor, e.g. 1:1 or 2:1', 'the domain rule on ratios is reported too');
  t.equal(pledges(ta).length, 0, 'nothing was created');
  t.equal(readAuditLog(ta.db, { limit: 10, offset: 0, action: 'pledge.' }).length, 0, 'nor audited');

  const created = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token });
  t.equal(created.statusCode, 303);
  const again = await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: token });
  t.equal(again.statusCode, 303, 'a second tap on the same form answers the same');
  t.equal(pledges(ta).length, 1, 'and creates one pledge');
  const [p] = pledges(ta);
  t.match(p, { sponsorName: 'Haneul Foundation', sponsorEmail: 'giving@haneul.test', anonymous: true, publicMessage: 'Every gift doubled', ratioSponsor: 1, ratioDonor: 1, cap: 100_000, status: 'active', sources: null, priority: 100, stacking: false });

  const list = await b.follow(created);
  t.match(list.body, 'The match pledge was created and is active.');
  t.match(list.body, 'Haneul Foundation', 'staff see the real name');
  t.match(list.body, 'anonymous in public');
  t.match(list.body, 'giving@haneul.test', 'an admin sees the address');
  const pub = await getCampaign(ta);
  t.equal(pub.matches[0]?.sponsor, 'Anonymous', 'the public does not');

  const units = await b.post('/admin/campaigns/rescue-fund/pledges', {
    ...goodPledge,
    form_token: formToken(list.body),
    sponsor_name: 'Run Club',
    sponsor_email: '',
    anonymous: '',
    cap: '',
    cap_units: '5',
    ratio: '1:2',
    starts: '2026-11-02',
    ends: '2026-11-30',
    min_gift: '10',
    max_per_gift: '50.50',
    priority: '5',
    sources: ['event'],
    stacking: 'on',
  });
  t.equal(units.statusCode, 303);
  const runClub = pledges(ta).find((x) => x.sponsorName === 'Run Club');
  t.match(runClub, {
    cap: 150_000,
    capUnits: 5,
    ratioSponsor: 1,
    ratioDonor: 2,
    startsAt: Date.UTC(2026, 10, 2),
    endsAt: Date.UTC(2026, 11, 1),
    minGift: 1000,
    maxPerGift: 5050,
    sources: '["event"]',
    priority: 5,
    stacking: true,
    anonymous: false,
  });
  const shown = await b.follow(units);
  t.match(shown.body, '5 × rescue');
  t.match(shown.body, 'through Nov 30, 2026', 'the last day shown is the one typed');
  await verifyClean(t, ta);
});

t.test('pause keeps what was matched and matches nothing new; resume matches the pause too; close is final', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const b = await admin(ta);
  const page = await b.get('/admin/campaigns/rescue-fund/pledges');
  await b.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: formToken(page.body) });
  const id = pledges(ta)[0]?.id ?? '';
  const matched = async () => (await getCampaign(ta)).matched.amount;
  const status = async () => (await getCampaign(ta)).matches[0]?.status;

  ta.clock.now += MINUTE;
  await offline(ta, usd(10_000));
  t.equal(await matched(), 10_000, 'a 100.00 gift is matched 100.00');

  ta.clock.now += MINUTE;
  const paused = await b.post(`/admin/pledges/${id}/pause`);
  t.equal(paused.statusCode, 303);
  t.match(paused.headers.location, '/admin/campaigns/rescue-fund/pledges?done=paused');
  const pauseAt = ta.clock.now;
  t.match(lastAudit(ta, 'pledge.pause'), { before: { status: 'active', stoppedAt: null }, after: { status: 'paused', stoppedAt: pauseAt }, actorLabel: 'admin@example.test' });
  t.equal(await matched(), 10_000, 'pausing keeps what it matched');
  t.equal(await status(), 'paused');
  const list = await b.follow(paused);
  t.match(list.body, 'The pledge is paused');
  t.match(list.body, 'gifts given during the pause are matched too', 'the resume button says what it will do');

  ta.clock.now += MINUTE;
  await offline(ta, usd(5_000));
  t.equal(await matched(), 10_000, 'a gift during the pause is not matched');

  ta.clock.now += MINUTE;
  t.equal((await b.post(`/admin/pledges/${id}/resume`)).statusCode, 303);
  t.match(lastAudit(ta, 'pledge.resume'), { before: { status: 'paused', stoppedAt: pauseAt }, after: { status: 'active', stoppedAt: null } });
  t.equal(await matched(), 15_000, 'after resume the gift given during the pause is matched too');

  ta.clock.now += MINUTE;
  await offline(ta, usd(3_000));
  t.equal(await matched(), 18_000);

  ta.clock.now += MINUTE;
  t.equal((await b.post(`/admin/pledges/${id}/pause`)).statusCode, 303);
  ta.clock.now += MINUTE;
  await offline(ta, usd(2_000));
  ta.clock.now += MINUTE;
  const closed = await b.post(`/admin/pledges/${id}/close`);
  t.equal(closed.statusCode, 303);
  const close = lastAudit(ta, 'pledge.close');
  t.match(close, { before: { status: 'paused', allocated: 18_000 }, after: { status: 'closed', allocated: 18_000 } });
  t.equal(close.after?.stoppedAt, close.before?.stoppedAt, 'closing a paused pledge closes it as of the pause');
  t.equal(await matched(), 18_000, 'the gift given while paused stays unmatched after close');
  ta.clock.now += MINUTE;
  await offline(ta, usd(1_000));
  t.equal(await matched(), 18_000, 'a closed pledge matches nothing new');
  t.equal(await status(), 'closed');
  t.equal(findPledge(ta.db, id)?.allocated, 18_000);

  const again = await b.post(`/admin/pledges/${id}/resume`);
  t.equal(again.statusCode, 409, 'a closed pledge cannot be resumed');
  t.match(again.body, 'A closed pledge cannot be resumed.');
  t.match(again.body, 'Haneul Foundation', 'the list is shown with the message');
  t.equal(findPledge(ta.db, id)?.status, 'closed', 'nothing changed');
  await verifyClean(t, ta);
});

t.test('proposals: approve and decline e-mail the sponsor through the outbox', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const sponsorUser = findUserByEmail(ta.db, 'sponsor@example.test');
  const sponsor: Actor = { userId: sponsorUser?.id ?? null, label: 'sponsor@example.test', role: 'sponsor', ip: null };
  const proposal = await createPledge(ta.services, sponsor, 'rescue-fund', { sponsor: { name: 'Mirae Kim' }, anonymous: false, ratio: '2:1', cap: usd(50_000) }, 'proposed');
  // Entered by staff for a sponsor without an account: the address given is where news goes.
  const byEmail = await createPledge(ta.services, { ...sponsor, userId: null, role: 'admin' }, 'rescue-fund', { sponsor: { name: 'Jun Park', email: 'jun@park.test' }, anonymous: true, ratio: '1:1', cap: usd(10_000) }, 'proposed');

  const b = await admin(ta);
  const page = await b.get('/admin/campaigns/rescue-fund/pledges');
  t.match(page.body, `/admin/pledges/${proposal.id}/approve`);
  t.match(page.body, `/admin/pledges/${proposal.id}/decline`);

  ta.clock.now += MINUTE;
  await offline(ta, usd(1_000));
  ta.clock.now += MINUTE;
  const approved = await b.post(`/admin/pledges/${proposal.id}/approve`);
  t.equal(approved.statusCode, 303);
  t.match(approved.headers.location, 'done=approved&mail=outbox');
  t.match(lastAudit(ta, 'pledge.approve'), { before: { status: 'proposed' }, after: { status: 'active', startsAt: ta.clock.now } });
  t.equal((await getCampaign(ta)).matched.amount, 0, 'approval matches from now on, not the gift given before');
  const shown = await b.follow(approved);
  t.match(shown.body, 'The message to the sponsor waits in the outbox');

  const declined = await b.post(`/admin/pledges/${byEmail.id}/decline`);
  t.equal(declined.statusCode, 303);
  t.match(lastAudit(ta, 'pledge.decline'), { before: { status: 'proposed' }, after: { status: 'declined' } });

  const mail = listMail(ta.db, 10, 0);
  t.equal(mail.length, 2);
  const toSponsor = mail.find((m) => m.toAddress === 'sponsor@example.test');
  t.match(toSponsor, { kind: 'pledge_decision', subject: 'Your match pledge for Rescue Fund is approved' });
  t.match(toSponsor?.text, '2:1');
  t.match(toSponsor?.text, '$500.00');
  t.match(toSponsor?.text, 'http://lantern.test/sponsor');
  const toJun = mail.find((m) => m.toAddress === 'jun@park.test');
  t.match(toJun, { subject: 'Your match pledge for Rescue Fund was declined' });
  t.match(toJun?.text, 'declined');

  const silent = await createPledge(ta.services, { ...sponsor, role: 'admin', userId: null }, 'rescue-fund', { sponsor: { name: 'No Address' }, anonymous: false, ratio: '1:1', cap: usd(100) }, 'proposed');
  const res = await b.post(`/admin/pledges/${silent.id}/decline`);
  t.notMatch(res.headers.location, 'mail=', 'no address, no e-mail');
  t.equal(listMail(ta.db, 10, 0).length, 2);

  const twice = await b.post(`/admin/pledges/${proposal.id}/approve`);
  t.equal(twice.statusCode, 409, 'an approved pledge cannot be approved again');
  t.match(twice.body, 'An active pledge cannot be approved.');
  await verifyClean(t, ta);
});

t.test('organizers see the pledges of their campaigns but cannot act on them', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const a = await admin(ta);
  const page = await a.get('/admin/campaigns/rescue-fund/pledges');
  await a.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: formToken(page.body) });
  const id = pledges(ta)[0]?.id ?? '';
  const other = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'run', title: 'Charity Run', currency: 'USD', goal: usd(100_000), status: 'published' } });
  t.equal(other.statusCode, 201);

  const o = new FormClient(ta.app);
  await o.login('organizer@example.test', testPassword);
  const list = await o.get('/admin/campaigns/rescue-fund/pledges');
  t.equal(list.statusCode, 200, 'an assigned organizer sees the list');
  t.match(list.body, 'Anonymous sponsor', 'an anonymous sponsor stays anonymous to organizers');
  t.notMatch(list.body, 'Haneul Foundation');
  t.notMatch(list.body, 'giving@haneul.test', 'and so does the sponsor’s address');
  t.notMatch(list.body, '/pause"', 'and no action buttons');
  t.notMatch(list.body, 'name="sponsor_name"', 'nor the create form');
  t.match(list.body, 'Only an administrator can create match pledges');
  t.equal((await o.get('/admin/campaigns/run/pledges')).statusCode, 403, 'not a campaign they are not assigned to');
  for (const action of ['pause', 'close', 'approve', 'decline', 'resume']) {
    t.equal((await o.post(`/admin/pledges/${id}/${action}`)).statusCode, 403, `${action}: 403`);
  }
  t.equal((await o.post('/admin/campaigns/rescue-fund/pledges', { ...goodPledge, form_token: 'x'.repeat(20) })).statusCode, 403, 'create: 403');
  t.equal(pledges(ta).length, 1);
  t.equal(findPledge(ta.db, id)?.status, 'active', 'nothing changed');
});
