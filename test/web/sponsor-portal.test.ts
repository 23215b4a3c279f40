// The sponsor portal through its pages: proposing a pledge (money or impact
// units), approval before it matches anything, the live statement as a page,
// a CSV and a printable page with no donor e-mail and anonymous donors kept
// anonymous, who may open what, bad input, a form sent twice, and the admins' e-mail.
import t, { type Test } from 'tap';
import { findPledge } from '../../src/db/pledges.ts';
import { listMail } from '../../src/db/mail.ts';
import { pledgesOfSponsorUser } from '../../src/db/sponsor.ts';
import { findUserByEmail } from '../../src/db/users.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { setDisabled } from '../../src/services/accounts.ts';
import { getCampaign } from '../../src/services/campaigns.ts';
import { once } from '../../src/services/idempotency.ts';
import { decidePledge } from '../../src/services/pledges.ts';
import { proposePledge } from '../../src/services/sponsor.ts';
import { createUser } from '../../src/services/users.ts';
import { proposalFromForm } from '../../src/web/sponsor/pledge-form.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

// Every login verifies an argon2id password: slow on purpose.
t.setTimeout(180_000);

const minute = 60_000;

async function portal(t: Test): Promise<{ ta: TestApp; b: FormClient; sponsorId: string }> {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const b = new FormClient(ta.app);
  await b.login('sponsor@example.test', testPassword);
  const sponsorId = findUserByEmail(ta.db, 'sponsor@example.test')?.id ?? '';
  return { ta, b, sponsorId };
}

const proposal = {
  campaign: 'rescue-fund',
  ratio: '1:1',
  cap_kind: 'money',
  cap: '1,000',
  sponsor_name: 'Harbour Light',
  anonymous: 'on',
  message: 'Every rescue you fund, we fund another.',
};

/** The one-time token of the proposal form on a page. */
function formToken(html: string): string {
  const token = /name="form_token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no form token on the page');
  return token;
}

/** Proposes through the form; returns the new pledge's id. */
async function propose(t: Test, b: FormClient, fields: Record<string, string> = proposal): Promise<string> {
  const form = await b.get('/sponsor/pledges/new');
  const res = await b.post('/sponsor/pledges', { ...fields, form_token: formToken(form.body) });
  t.equal(res.statusCode, 303, `proposed: ${res.body.slice(0, 300)}`);
  const m = /^\/sponsor\/pledges\/([^/?]+)\?done=proposed$/.exec(String(res.headers.location));
  if (!m?.[1]) throw new Error(`unexpected redirect ${String(res.headers.location)}`);
  return m[1];
}

async function giveOffline(ta: TestApp, cents: number, donor: { name: string; email?: string }, anonymous = false) {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/gifts',
    headers: ta.auth('admin'),
    payload: { amount: { amount: cents, currency: 'USD' }, donor, anonymous, method: 'cash' },
  });
  if (res.statusCode !== 201) throw new Error(`gift: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string; matched: { amount: number } }>();
}

/** The part of the statement page that lists donors. */
function giftsSection(html: string): string {
  return /<section class="gifts-matched">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
}

t.test('a proposed pledge matches nothing until approved; then the statement shows what it matched', async (t) => {
  const { ta, b, sponsorId } = await portal(t);

  const empty = await b.get('/sponsor');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, 'No pledges yet', 'a friendly empty state');
  t.match(empty.body, 'href="/sponsor/pledges/new"');

  const form = await b.get('/sponsor/pledges/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, '<option value="rescue-fund" selected>', 'the only published campaign is chosen');
  t.match(form.body, 'value="sponsor"', "the public name defaults to the user's name");
  t.match(form.body, 'name="_csrf"');
  t.notMatch(form.body, /<script|style="/, 'no inline scripts or styles');

  const id = await propose(t, b);
  const page = await b.get(`/sponsor/pledges/${id}?done=proposed`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Proposed — an administrator will review it; it matches nothing until approved.');
  t.match(page.body, 'waiting for approval');
  t.match(page.body, 'Shown publicly as</dt><dd>Anonymous');

  const stored = findPledge(ta.db, id);
  t.match(stored, {
    status: 'proposed',
    sponsorUserId: sponsorId,
    sponsorName: 'Harbour Light',
    sponsorEmail: 'sponsor@example.test',
    anonymous: true,
    cap: 100_000,
    capUnits: null,
    ratioSponsor: 1,
    ratioDonor: 1,
    publicMessage: 'Every rescue you fund, we fund another.',
  });

  const before = await giveOffline(ta, 10_000, { name: 'Early Bird', email: 'early@donor.test' });
  t.equal(before.matched.amount, 0, 'a proposed pledge matches nothing');
  t.equal(findPledge(ta.db, id)?.allocated, 0);

  ta.clock.now += minute;
  const approved = await decidePledge(ta.services, testActor, id, 'approve');
  t.equal(approved.status, 'active');
  t.equal(approved.allocated, 0, 'approval does not reach back to gifts given before it');

  ta.clock.now += minute;
  await giveOffline(ta, 20_000, { name: 'Ada Park', email: 'ada@donor.test' });
  ta.clock.now += minute;
  await giveOffline(ta, 30_000, { name: 'Secret Sue', email: 'sue@donor.test' }, true);
  t.equal(findPledge(ta.db, id)?.allocated, 50_000);

  const st = await b.get(`/sponsor/pledges/${id}`);
  t.equal(st.statusCode, 200);
  t.equal(st.headers['cache-control'], 'no-store');
  t.match(st.body, '<span class="status active">active</span>');
  t.match(st.body, /Matched so far<strong>\$500\.00/);
  t.match(st.body, /Remaining<strong>\$500\.00/);
  t.match(st.body, /Owed now<strong>\$500\.00/);
  t.match(st.body, 'What is owed at close');
  t.match(st.body, 'href="/sponsor/pledges/' + id + '/statement.csv"');
  t.match(st.body, 'href="/sponsor/pledges/' + id + '/print"');
  const gifts = giftsSection(st.body);
  t.match(gifts, 'Ada Park');
  t.match(gifts, 'Anonymous');
  t.match(gifts, '$200.00');
  t.match(gifts, '$300.00');
  t.notMatch(gifts, /@/, 'no donor e-mail on the statement');
  t.notMatch(st.body, /Secret Sue|sue@|ada@|early@|Early Bird/, 'an anonymous donor is never named, no e-mail anywhere');
  t.notMatch(st.body, /<script|style="/);

  const csv = await b.get(`/sponsor/pledges/${id}/statement.csv`);
  t.equal(csv.statusCode, 200);
  t.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
  t.match(String(csv.headers['content-disposition']), /^attachment; filename="rescue-fund-match-statement-.+\.csv"$/);
  t.notMatch(csv.body, /@/, 'no e-mail in the CSV');
  t.notMatch(csv.body, 'Secret Sue');
  const rows = csv.body.trim().split(/\r?\n/);
  t.equal(rows.length, 4, 'header, two gifts, total');
  t.match(rows[1], 'Ada Park');
  t.match(rows[2], 'Anonymous');
  t.match(rows[3], /^,Total,,,500(\.00)?,500(\.00)?,USD$/);

  const print = await b.get(`/sponsor/pledges/${id}/print`);
  t.equal(print.statusCode, 200);
  t.match(print.body, '<p class="brand">Lantern</p>');
  t.match(print.body, 'Match pledge statement');
  t.match(print.body, /Statement date: Nov 1, 2026/);
  t.match(print.body, 'Ada Park');
  t.match(print.body, 'Anonymous');
  t.notMatch(print.body, /@/, 'no e-mail at all on the printable page');
  t.notMatch(print.body, /Secret Sue|<script|style="|<nav/, 'no anonymous name, no script, no navigation');

  const list = await b.get('/sponsor');
  t.match(list.body, `href="/sponsor/pledges/${id}"`);
  t.match(list.body, 'Rescue Fund');
  t.match(list.body, '<span class="status active">active</span>');
  t.match(list.body, '$1,000.00', 'the cap');
  t.match(list.body, '$500.00', 'matched so far and remaining');
});

t.test('a cap in impact units; a campaign chosen by link; the list shows each status', async (t) => {
  const { ta, b } = await portal(t);
  const form = await b.get('/sponsor/pledges/new?campaign=rescue-fund');
  t.match(form.body, 'Number of units (rescue, $300.00 each)');
  const id = await propose(t, b, { ...proposal, cap_kind: 'units', cap: '', cap_units: '50', anonymous: '', ratio: 'other', ratio_other: '2 : 1', starts: '2026-12-01', ends: '2026-12-31' });
  t.match(findPledge(ta.db, id), {
    cap: 1_500_000,
    capUnits: 50,
    anonymous: false,
    ratioSponsor: 2,
    ratioDonor: 1,
    startsAt: Date.UTC(2026, 11, 1),
    endsAt: Date.UTC(2027, 0, 1) - 1,
  });
  const st = await b.get(`/sponsor/pledges/${id}`);
  t.match(st.body, '$15,000.00 (50 rescues)');
  t.match(st.body, 'from Dec 1, 2026 · until Dec 31, 2026');
  t.match(st.body, 'Shown publicly as</dt><dd>Harbour Light');
  t.match(st.body, 'No gift has been matched yet.');

  const declined = await propose(t, b, { ...proposal, cap: '250.50' });
  await decidePledge(ta.services, testActor, declined, 'decline');
  const d = await b.get(`/sponsor/pledges/${declined}`);
  t.match(d.body, '<span class="status declined">declined</span>');
  t.match(d.body, 'nothing is owed');

  const list = await b.get('/sponsor');
  t.match(list.body, 'waiting for approval');
  t.match(list.body, 'declined');
  t.match(list.body, '50 rescues');
  t.match(list.body, '$250.50');
});

t.test('only the pledge’s own sponsor (and admins) may open its statement', async (t) => {
  const { ta, b } = await portal(t);
  const id = await propose(t, b);

  await createUser(ta.services, testActor, { email: 'other@sponsor.test', role: 'sponsor', name: 'Other Sponsor', password: testPassword });
  const other = new FormClient(ta.app);
  await other.login('other@sponsor.test', testPassword);
  for (const path of [`/sponsor/pledges/${id}`, `/sponsor/pledges/${id}/statement.csv`, `/sponsor/pledges/${id}/print`]) {
    const res = await other.get(path);
    t.equal(res.statusCode, 403, `another sponsor: ${path}`);
    t.notMatch(res.body, 'Harbour Light');
  }
  const theirs = await other.get('/sponsor');
  t.equal(theirs.statusCode, 200);
  t.match(theirs.body, 'No pledges yet', "another sponsor's list does not show it");

  const organizer = new FormClient(ta.app);
  await organizer.login('organizer@example.test', testPassword);
  for (const path of ['/sponsor', '/sponsor/pledges/new', `/sponsor/pledges/${id}`]) {
    t.equal((await organizer.get(path)).statusCode, 403, `an organizer: ${path}`);
  }

  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  t.equal((await admin.get(`/sponsor/pledges/${id}`)).statusCode, 200, 'an admin may read a statement');
  t.equal((await admin.get(`/sponsor/pledges/${id}/statement.csv`)).statusCode, 200);
  t.equal((await admin.get('/sponsor')).statusCode, 403, 'but has no pledges of their own here');

  const guest = new FormClient(ta.app);
  const anon = await guest.get(`/sponsor/pledges/${id}`);
  t.equal(anon.statusCode, 303);
  t.match(String(anon.headers.location), /^\/login\?next=/);
  t.equal((await b.get('/sponsor/pledges/pledge_nothing-here')).statusCode, 404);
});

t.test('bad input re-renders the form with a message by each field and creates nothing', async (t) => {
  const { ta, b, sponsorId } = await portal(t);
  await b.get('/sponsor/pledges/new');
  const bad = await b.post('/sponsor/pledges', {
    campaign: '',
    ratio: 'other',
    ratio_other: '0:1',
    cap_kind: 'money',
    cap: 'lots',
    starts: '2026-02-31',
    ends: '2026-10-01',
    sponsor_name: ' ',
    message: 'x'.repeat(501),
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Please check the fields marked below.');
  t.match(bad.body, 'Choose a campaign');
  t.match(bad.body, 'Write the ratio as sponsor:donor');
  t.match(bad.body, 'value="lots"', 'the cap waits for a campaign to be read in its currency');
  t.match(bad.body, 'Enter a date as YYYY-MM-DD');
  t.match(bad.body, 'This date has passed');
  t.match(bad.body, 'Enter your name or your organisation’s name');
  t.match(bad.body, 'At most 500 characters');
  t.match(bad.body, 'value="0:1"', 'what was typed is kept');
  t.match(bad.body, 'aria-invalid="true"');

  const cases: [Record<string, string>, string, string][] = [
    [{ cap: '12.345' }, 'USD allows at most 2 decimal places', 'cap'],
    [{ cap: '' }, 'Enter the most you will add in total', 'cap'],
    [{ cap_kind: 'units', cap_units: 'fifty' }, 'Enter a whole number of units', 'cap_units'],
    [{ cap_kind: 'both' }, 'Choose how to give the cap', 'cap_kind'],
    [{ ratio: '3:1' }, 'Choose a ratio', 'ratio'],
    [{ ratio: 'other', ratio_other: '' }, 'Enter the ratio as sponsor:donor', 'ratio_other'],
    [{ starts: '2026-12-10', ends: '2026-12-01' }, 'The end must be after the start', 'ends'],
    [{ campaign: 'no-such-fund' }, 'Choose one of the published campaigns', 'campaign'],
  ];
  for (const [change, message, field] of cases) {
    const res = await b.post('/sponsor/pledges', { ...proposal, ...change });
    t.equal(res.statusCode, 400, field);
    t.match(res.body, message, field);
    t.match(res.body, `id="f-${field}-error"`, `the message sits by ${field}`);
  }

  // The service's own checks land on the form field too: 2,000 units of a
  // 1,000,000 USD unit exceed the largest cap.
  await createRescueFund(ta, { slug: 'big-fund', title: 'Big Fund', impact: { unit: 'boat', unitCost: { amount: 100_000_000, currency: 'USD' } } });
  const form = await b.get('/sponsor/pledges/new');
  const big = await b.post('/sponsor/pledges', { ...proposal, campaign: 'big-fund', cap_kind: 'units', cap_units: '2000', form_token: formToken(form.body) });
  t.equal(big.statusCode, 400);
  t.match(big.body, 'The cap must be at most 1,000,000,000 USD');
  t.match(big.body, 'id="f-cap_units-error"');

  await createRescueFund(ta, { slug: 'plain-fund', title: 'Plain Fund', impact: undefined });
  const plain = await b.post('/sponsor/pledges', { ...proposal, campaign: 'plain-fund', cap_kind: 'units', cap_units: '5', form_token: formToken(big.body) });
  t.equal(plain.statusCode, 400);
  t.match(plain.body, 'This campaign has no impact unit; give the cap as money');
  t.equal(formToken(plain.body), formToken(form.body), 'a refused form keeps its token: nothing was created with it');

  const untokened = await b.post('/sponsor/pledges', proposal);
  t.equal(untokened.statusCode, 400, 'a form without its token is refused');
  t.match(untokened.body, 'This form has expired. Please check it and send it again.');
  t.match(formToken(untokened.body), /^[\w-]{16,}$/, 'and gets one to be sent with');

  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 0, 'nothing was created');
  t.equal(listMail(ta.db, 10, 0).length, 0, 'and nobody was told');
});

t.test('a draft or closed campaign cannot be chosen', async (t) => {
  const { ta, b, sponsorId } = await portal(t);
  await createRescueFund(ta, { slug: 'draft-fund', title: 'Draft Fund', status: 'draft' });
  await createRescueFund(ta, { slug: 'old-fund', title: 'Old Fund', status: 'closed' });
  const form = await b.get('/sponsor/pledges/new?campaign=draft-fund');
  t.equal(form.statusCode, 200);
  t.notMatch(form.body, /draft-fund|Draft Fund|old-fund|Old Fund/, 'only published campaigns are offered');
  t.match(form.body, '<option value="rescue-fund" selected>');
  for (const slug of ['draft-fund', 'old-fund']) {
    const res = await b.post('/sponsor/pledges', { ...proposal, campaign: slug });
    t.equal(res.statusCode, 400, slug);
    t.match(res.body, 'Choose one of the published campaigns');
  }
  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 0);

  const actor = { userId: sponsorId, label: 'sponsor@example.test', role: 'sponsor' as const, ip: null };
  const terms = { sponsorName: 'S', anonymous: false, message: null, ratio: '1:1', cap: { amount: 100, currency: 'USD' }, startsAt: null, endsAt: null };
  await t.rejects(proposePledge(ta.services, actor, 'draft-fund', terms), ValidationError, 'the service refuses a draft too');
  await t.rejects(proposePledge(ta.services, actor, 'old-fund', terms), ValidationError);
  await t.rejects(proposePledge(ta.services, testActor, 'rescue-fund', terms), { code: 'forbidden' }, 'only a sponsor proposes');

  const none = await buildTestApp(t, { passwords: true });
  const lonely = new FormClient(none.app);
  await lonely.login('sponsor@example.test', testPassword);
  t.match((await lonely.get('/sponsor/pledges/new')).body, 'No campaign takes new pledges right now.');
});

t.test('every active admin is told of a proposal', async (t) => {
  const { ta, b } = await portal(t);
  await createUser(ta.services, testActor, { email: 'second@admin.test', role: 'admin', name: 'Second Admin' });
  const gone = await createUser(ta.services, testActor, { email: 'gone@admin.test', role: 'admin', name: 'Former Admin' });
  await setDisabled(ta.services, testActor, gone.id, true);
  const id = await propose(t, b);
  const mail = listMail(ta.db, 10, 0).filter((m) => m.kind === 'pledge_proposal');
  t.same(mail.map((m) => m.toAddress).sort(), ['admin@example.test', 'second@admin.test'], 'a disabled admin is not told');
  for (const m of mail) {
    t.equal(m.subject, 'A sponsor proposed a matching pledge');
    t.match(m.text, 'http://lantern.test/admin/campaigns/rescue-fund/pledges');
    t.match(m.text, 'Harbour Light (sponsor@example.test) proposed a matching pledge on Rescue Fund.');
    t.match(m.text, 'Cap: $1,000.00');
    t.match(m.text, 'Shown publicly as: Anonymous');
    t.match(m.html, 'href="http://lantern.test/admin/campaigns/rescue-fund/pledges"');
  }
  t.ok(findPledge(ta.db, id));
});

t.test('a proposal sent twice is made once, and the admins are told once', async (t) => {
  const { ta, b, sponsorId } = await portal(t);
  const proposals = () => listMail(ta.db, 50, 0).filter((m) => m.kind === 'pledge_proposal');
  const alreadySent = 'This form was already sent — check My pledges before sending it again';

  // A double tap: the second answer is the first one's, and nothing new is made.
  const form = await b.get('/sponsor/pledges/new');
  const token = formToken(form.body);
  const first = await b.post('/sponsor/pledges', { ...proposal, form_token: token });
  t.equal(first.statusCode, 303);
  const again = await b.post('/sponsor/pledges', { ...proposal, form_token: token });
  t.equal(again.statusCode, 303);
  t.equal(again.headers.location, first.headers.location, 'the repeat lands on the same pledge');
  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 1);
  t.equal(proposals().length, 1, 'the admin is told once');

  // The same form sent back with other values (edited after a slow first send).
  const changed = await b.post('/sponsor/pledges', { ...proposal, cap: '2,000', form_token: token });
  t.equal(changed.statusCode, 409);
  t.match(changed.body, alreadySent);
  t.equal(formToken(changed.body), token, 'the form keeps the same token, so no retry can make a second pledge');
  t.match(changed.body, 'value="2,000"', 'and what was typed');
  const retried = await b.post('/sponsor/pledges', { ...proposal, cap: '2,000', form_token: formToken(changed.body) });
  t.equal(retried.statusCode, 409, 'sending it again is refused again');
  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 1);

  // The first send still at work when the second arrives.
  const second = await b.get('/sponsor/pledges/new');
  const held = formToken(second.body);
  const fields = { ...proposal, message: 'A second promise', form_token: held };
  const built = proposalFromForm(fields, getCampaign(ta.services, 'rescue-fund'), ta.clock.now);
  if (!built.ok) throw new Error('the fields should be valid');
  const actor = { userId: sponsorId, label: 'sponsor@example.test', role: 'sponsor' as const, ip: null };
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inFlight = once(ta.services, `form:proposal:${sponsorId}`, held, { slug: 'rescue-fund', ...built.proposal }, async () => {
    await gate;
    const p = await proposePledge(ta.services, actor, 'rescue-fund', built.proposal);
    return { statusCode: 303, body: p.id };
  });
  const busy = await b.post('/sponsor/pledges', fields);
  t.equal(busy.statusCode, 409, 'a send while the first is at work is refused');
  t.match(busy.body, alreadySent);
  t.equal(formToken(busy.body), held, 'keeping the token');
  release();
  const done = await inFlight;
  const after = await b.post('/sponsor/pledges', fields);
  t.equal(after.statusCode, 303);
  t.equal(after.headers.location, `/sponsor/pledges/${String(done.body)}?done=proposed`, 'once the first is done, the same form lands on its pledge');
  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 2);
  t.equal(proposals().length, 2, 'one notice per proposal');

  // Two sends at once: one pledge.
  const third = formToken((await b.get('/sponsor/pledges/new')).body);
  const both = await Promise.all([0, 1].map(() => b.post('/sponsor/pledges', { ...proposal, message: 'Third', form_token: third })));
  t.equal(pledgesOfSponsorUser(ta.db, sponsorId).length, 3);
  t.equal(proposals().length, 3);
  for (const res of both) {
    if (res.statusCode === 303) t.match(String(res.headers.location), /^\/sponsor\/pledges\/[^/?]+\?done=proposed$/);
    else {
      t.equal(res.statusCode, 409);
      t.equal(formToken(res.body), third);
    }
  }
});
