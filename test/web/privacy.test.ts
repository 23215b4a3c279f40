// Who sees whose personal data, through HTTP: an organizer (API token and
// console pages) never sees a donor's or sponsor's e-mail, nor the real name
// of anyone anonymous in public; an admin sees everything, marked. A sponsor's
// statement (page, CSV, API) names no donor who hid the amount, yet shows
// every amount so the sums can be checked.
import t, { type Test } from 'tap';
import { findUserByEmail } from '../../src/db/users.ts';
import type { Actor } from '../../src/services/context.ts';
import { decidePledge } from '../../src/services/pledges.ts';
import { proposePledge } from '../../src/services/sponsor.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);
const minute = 60_000;

/** Every address in play: donors' and the sponsor account's. */
const emails = ['ada@donor.test', 'sue@donor.test', 'quinn@donor.test', 'sponsor@example.test'];
const hiddenNames = ['Secret Sue', 'Quiet Trust', 'Hidden Harbour'];

interface GiftListJson {
  gifts: { id: string; donor: { name: string; email: string | null }; anonymous: boolean; amount: { amount: number } }[];
}

async function give(ta: TestApp, cents: number, donor: { name: string; email: string }, flags: { anonymous?: boolean; showAmount?: boolean } = {}) {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/gifts',
    headers: ta.auth('admin'),
    payload: { amount: { amount: cents, currency: 'USD' }, donor, anonymous: flags.anonymous ?? false, showAmount: flags.showAmount ?? true, method: 'cash' },
  });
  if (res.statusCode !== 201) throw new Error(`gift: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

/**
 * The Rescue Fund with an anonymous sponsor's active pledge (proposed through
 * the portal, approved), a second anonymous proposal still waiting, and three
 * gifts: one named, one anonymous, one named but with the amount hidden.
 */
async function scene(t: Test) {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const sponsor: Actor = { userId: findUserByEmail(ta.db, 'sponsor@example.test')?.id ?? null, label: 'sponsor@example.test', role: 'sponsor', ip: null };
  const terms = { anonymous: true, message: null, ratio: '1:1', cap: { amount: 100_000, currency: 'USD' }, startsAt: null, endsAt: null };
  const pledge = await proposePledge(ta.services, sponsor, 'rescue-fund', { ...terms, sponsorName: 'Quiet Trust' });
  await decidePledge(ta.services, testActor, pledge.id, 'approve');
  await proposePledge(ta.services, sponsor, 'rescue-fund', { ...terms, sponsorName: 'Hidden Harbour' });
  ta.clock.now += minute;
  const ada = await give(ta, 10_000, { name: 'Ada Park', email: 'ada@donor.test' });
  ta.clock.now += minute;
  const sue = await give(ta, 20_000, { name: 'Secret Sue', email: 'sue@donor.test' }, { anonymous: true });
  ta.clock.now += minute;
  const quinn = await give(ta, 30_000, { name: 'Quiet Quinn', email: 'quinn@donor.test' }, { showAmount: false });
  return { ta, pledgeId: pledge.id, gifts: { ada: ada.id, sue: sue.id, quinn: quinn.id } };
}

async function loggedIn(ta: TestApp, role: 'admin' | 'organizer' | 'sponsor'): Promise<FormClient> {
  const b = new FormClient(ta.app);
  await b.login(`${role}@example.test`, testPassword);
  return b;
}

t.test("an organizer's API token gets no e-mail and no anonymous donor's name; an admin's gets both", async (t) => {
  const { ta, gifts } = await scene(t);
  const url = '/api/v1/campaigns/rescue-fund/gifts';

  const organizer = await ta.app.inject({ method: 'GET', url, headers: ta.auth('organizer') });
  t.equal(organizer.statusCode, 200);
  for (const e of emails) t.notOk(organizer.body.includes(e), `organizer: no ${e}`);
  t.notMatch(organizer.body, /@/, 'no e-mail at all');
  t.notMatch(organizer.body, 'Secret Sue');
  const mine = organizer.json<GiftListJson>().gifts;
  t.match(mine.find((g) => g.id === gifts.sue), { donor: { name: 'Anonymous', email: null }, anonymous: true, amount: { amount: 20_000 } }, 'same shape, the donor withheld');
  t.match(mine.find((g) => g.id === gifts.ada), { donor: { name: 'Ada Park', email: null }, anonymous: false }, 'a named donor by name, without the address');
  t.match(mine.find((g) => g.id === gifts.quinn), { donor: { name: 'Quiet Quinn', email: null } }, 'a hidden amount hides nothing from staff');

  const admin = await ta.app.inject({ method: 'GET', url, headers: ta.auth('admin') });
  t.equal(admin.statusCode, 200);
  const all = admin.json<GiftListJson>().gifts;
  t.match(all.find((g) => g.id === gifts.sue), { donor: { name: 'Secret Sue', email: 'sue@donor.test' }, anonymous: true });
  t.match(all.find((g) => g.id === gifts.ada), { donor: { name: 'Ada Park', email: 'ada@donor.test' } });
});

t.test("an organizer's console pages never show an anonymous donor's or sponsor's name, nor any e-mail; an admin's do", async (t) => {
  const { ta, gifts } = await scene(t);
  const pages = ['/admin', '/admin/campaigns/rescue-fund/gifts', `/admin/gifts/${gifts.sue}`, `/admin/gifts/${gifts.ada}`, '/admin/campaigns/rescue-fund/pledges'];

  const o = await loggedIn(ta, 'organizer');
  const seen: Record<string, string> = {};
  for (const path of pages) {
    const res = await o.get(path);
    t.equal(res.statusCode, 200, path);
    for (const e of emails) t.notOk(res.body.includes(e), `organizer ${path}: no ${e}`);
    for (const n of hiddenNames) t.notOk(res.body.includes(n), `organizer ${path}: no "${n}"`);
    t.notOk(res.body.includes('anonymous in public'), `organizer ${path}: nothing to mark`);
    seen[path] = res.body;
  }
  t.match(seen['/admin'], 'Anonymous sponsor proposed to match 1:1', 'the proposal waiting, its sponsor withheld');
  t.match(seen['/admin'], /\$200\.00<\/a> · Anonymous ·/, 'a recent anonymous gift');
  t.match(seen['/admin'], /\$100\.00<\/a> · Ada Park ·/, 'a named one');
  t.match(seen['/admin/campaigns/rescue-fund/gifts'], '<td>Anonymous</td>');
  t.match(seen['/admin/campaigns/rescue-fund/gifts'], '<td>Quiet Quinn</td>', 'staff see who hid only the amount');
  t.match(seen[`/admin/gifts/${gifts.sue}`], '<td>Anonymous</td>');
  t.notMatch(seen[`/admin/gifts/${gifts.ada}`], 'E-mail', 'no e-mail row for an organizer');
  t.match(seen['/admin/campaigns/rescue-fund/pledges'], '<strong>Anonymous sponsor</strong>');

  const a = await loggedIn(ta, 'admin');
  const dash = await a.get('/admin');
  t.match(dash.body, 'Hidden Harbour (anonymous in public) proposed to match 1:1', 'the admin, who approves, sees who proposed');
  t.match(dash.body, /\$200\.00<\/a> · Secret Sue \(anonymous in public\) ·/);
  const list = await a.get('/admin/campaigns/rescue-fund/gifts');
  t.match(list.body, 'Secret Sue <small>(anonymous in public)</small><br><small>sue@donor.test</small>');
  t.match(list.body, 'Ada Park<br><small>ada@donor.test</small>');
  const gift = await a.get(`/admin/gifts/${gifts.sue}`);
  t.match(gift.body, 'Secret Sue (anonymous in public)');
  t.match(gift.body, '<td>sue@donor.test</td>');
  const pledges = await a.get('/admin/campaigns/rescue-fund/pledges');
  t.match(pledges.body, '<strong>Quiet Trust</strong>');
  t.match(pledges.body, '<strong>Hidden Harbour</strong>');
  t.match(pledges.body, '(anonymous in public)');
  t.match(pledges.body, '<small>sponsor@example.test</small>', "the sponsor's address, for admins");
});

t.test('the sponsor statement names no donor who hid the amount, and keeps every amount', async (t) => {
  const { ta, pledgeId } = await scene(t);
  const s = await loggedIn(ta, 'sponsor');

  const page = await s.get(`/sponsor/pledges/${pledgeId}`);
  t.equal(page.statusCode, 200);
  const lines = /<section class="gifts-matched">[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
  t.match(lines, 'Ada Park');
  t.equal(lines.match(/<td class="donor">Anonymous<\/td>/g)?.length, 2, 'the anonymous donor and the one who hid the amount');
  t.match(lines, '$300.00', "the hidden amount is on the sponsor's statement, without the name");
  t.notMatch(page.body, /Quiet Quinn|Secret Sue|@donor/);

  const csv = await s.get(`/sponsor/pledges/${pledgeId}/statement.csv`);
  t.equal(csv.statusCode, 200);
  t.notMatch(csv.body, /Quiet Quinn|Secret Sue|@/);
  const rows = csv.body.trim().split(/\r?\n/);
  t.equal(rows.length, 5, 'header, three gifts, total');
  t.match(rows[1], /,Ada Park,100(\.00)?,USD,/);
  t.match(rows[2], /,Anonymous,200(\.00)?,USD,/);
  t.match(rows[3], /,Anonymous,300(\.00)?,USD,/);
  t.match(rows[4], /^,Total,,,600(\.00)?,600(\.00)?,USD$/, 'the sums still add up');

  for (const role of ['sponsor', 'admin'] as const) {
    const api = await ta.app.inject({ method: 'GET', url: `/api/v1/match-pledges/${pledgeId}/statement`, headers: ta.auth(role) });
    t.equal(api.statusCode, 200, role);
    t.notMatch(api.body, /Quiet Quinn|Secret Sue|@/, `${role}: the statement is the sponsor's, the same for everyone`);
    const st = api.json<{ gifts: { donor: string; gift: { amount: number } }[]; owed: { amount: number } }>();
    t.strictSame(
      st.gifts.map((g) => [g.donor, g.gift.amount]),
      [
        ['Ada Park', 10_000],
        ['Anonymous', 20_000],
        ['Anonymous', 30_000],
      ],
    );
    t.equal(st.owed.amount, 60_000);
  }
});
