// The organizer console as a volunteer uses it, without the API: log in,
// create and publish a campaign, enter cash gifts one after another, watch the
// dashboard move, refund (admins only), export the CSV; a refused action on
// the campaign page shows that page again with the reason.
import t from 'tap';
import { readAuditLog } from '../../src/db/audit.ts';
import { findCampaignBySlug, updateCampaign } from '../../src/db/campaigns.ts';
import { verifyAll } from '../../src/services/verify.ts';
import { buildTestApp, createRescueFund, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);

async function campaignJson(ta: TestApp, slug: string) {
  return (await ta.app.inject(`/api/v1/campaigns/${slug}`)).json() as { raised: { amount: number }; matched: { amount: number }; giftCount: number; status: string };
}

t.test('a volunteer creates, publishes and fills a campaign from the console', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const b = new FormClient(ta.app, { 'user-agent': 'Phone' });
  const landed = await b.follow(await b.login('organizer@example.test', testPassword));
  t.equal(landed.statusCode, 200);
  t.match(landed.body, 'You are not assigned to any campaign yet.');

  const form = await b.get('/admin/campaigns/new');
  t.equal(form.statusCode, 200);
  const bad = await b.post('/admin/campaigns', { slug: 'Bad Slug', title: '', currency: 'USD', goal: '15,000.005', impact_unit: 'rescue', impact_cost: '', story: '' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Use lower-case letters, digits and single hyphens');
  t.match(bad.body, 'Give the campaign a title');
  t.match(bad.body, 'USD allows at most 2 decimal places');
  t.match(bad.body, 'Enter what one rescue costs');
  t.match(bad.body, 'value="Bad Slug"', 'the input is kept');

  const story = '## Why\n\nEvery **rescue** counts. <script>alert(1)</script>';
  const preview = await b.post('/admin/campaigns', { slug: 'winter-fund', title: 'Winter Fund', currency: 'USD', goal: '5,000', impact_unit: 'rescue', impact_cost: '300', story, action: 'preview' });
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '<h2>Why</h2>');
  t.match(preview.body, '<strong>rescue</strong>');
  t.notMatch(preview.body, '<script>alert(1)</script>', 'the story is sanitised');
  t.equal((await ta.app.inject('/api/v1/campaigns/winter-fund')).statusCode, 404, 'a preview saves nothing');

  const created = await b.post('/admin/campaigns', { slug: 'winter-fund', title: 'Winter Fund', currency: 'USD', goal: '5,000', impact_unit: 'rescue', impact_cost: '300', story, action: 'save' });
  t.equal(created.headers.location, '/admin/campaigns/winter-fund?done=created');
  const page = await b.follow(created);
  t.match(page.body, 'The campaign was created as a draft.');
  t.equal((await ta.app.inject('/campaigns/winter-fund')).statusCode, 404, 'a draft is not public');

  const edit = await b.post('/admin/campaigns/winter-fund/edit', { title: 'Winter Rescue Fund', goal: '6,000', impact_unit: 'rescue', impact_cost: '300', story, ends: '2026-12-31', action: 'save' });
  t.equal(edit.statusCode, 303);
  const badEdit = await b.post('/admin/campaigns/winter-fund/edit', { title: 'X', goal: '0', starts: '2026-13-01' });
  t.equal(badEdit.statusCode, 400);
  t.match(badEdit.body, 'Enter a date as YYYY-MM-DD');

  t.equal((await b.post('/admin/campaigns/winter-fund/publish')).statusCode, 303);
  const pub = await campaignJson(ta, 'winter-fund');
  t.equal(pub.status, 'published');
  t.match((await ta.app.inject('/campaigns/winter-fund')).body, 'Winter Rescue Fund');

  // Ten cash gifts, one after another; the currency and method are remembered.
  let box = await b.get('/admin/campaigns/winter-fund/cash-box');
  t.equal(box.statusCode, 200);
  for (let i = 1; i <= 10; i++) {
    const token = /name="form_token" value="([^"]+)"/.exec(box.body)?.[1] ?? '';
    const currency = /<select id="f-currency" name="currency"[^>]*>[\s\S]*?<option value="(\w+)" selected/.exec(box.body)?.[1] ?? '';
    const res = await b.post('/admin/campaigns/winter-fund/cash-box', {
      form_token: token,
      amount: i === 10 ? '50' : '20',
      currency,
      method: i % 2 ? 'cash' : 'cheque',
      name: i === 3 ? '' : `Donor ${i}`,
      email: i === 4 ? `donor${i}@example.org` : '',
    });
    t.equal(res.statusCode, 303, `gift ${i} recorded`);
    if (i === 1) {
      const again = await b.post('/admin/campaigns/winter-fund/cash-box', { form_token: token, amount: '20', currency, method: 'cash', name: 'Donor 1', email: '' });
      t.equal(again.headers.location, res.headers.location, 'a double tap records the gift once');
    }
    box = await b.follow(res);
    t.match(box.body, 'Recorded $');
  }
  t.match(box.body, 'Recorded $50.00 from Donor 10.');
  const entered = readAuditLog(ta.db, { limit: 50, offset: 0, action: 'gift.offline' });
  t.equal(entered.length, 10, 'each cash gift is in the audit log once');
  t.match(entered[0], { actorLabel: 'organizer@example.test', ip: '127.0.0.1', subjectType: 'gift' });
  t.match(JSON.parse(entered[0]?.after ?? '{}'), { amount: { amount: 5_000, currency: 'USD' }, method: 'cheque', campaign: 'winter-fund' });
  const bad2 = await b.post('/admin/campaigns/winter-fund/cash-box', { form_token: 'aaaaaaaaaaaaaaaaaaaaaa', amount: 'twenty', currency: 'USD', method: 'cash', email: 'not-an-email' });
  t.equal(bad2.statusCode, 400);
  t.match(bad2.body, 'Enter an amount such as');
  t.match(bad2.body, 'Enter a valid e-mail address or leave it empty');
  const after = await campaignJson(ta, 'winter-fund');
  t.equal(after.raised.amount, 9 * 2_000 + 5_000);
  t.equal(after.giftCount, 10);

  const dash = await b.get('/admin');
  t.match(dash.body, 'Winter Rescue Fund');
  t.match(dash.body, '$230.00', 'the dashboard shows the money raised');
  t.match(dash.body, '<svg', 'with the chart');
  t.match(dash.body, 'Recent gifts');

  const csv = await b.get('/admin/campaigns/winter-fund/export/gifts.csv');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], 'text/csv');
  t.match(csv.headers['content-disposition'], /attachment; filename="winter-fund-gifts-\d{4}-\d{2}-\d{2}\.csv"/);
  t.notMatch(csv.body, 'donor4@example.org', "an organizer's export leaves out e-mails");
  t.match(csv.body, 'Donor 10');
  for (const f of ['donors', 'pledges']) t.equal((await b.get(`/admin/campaigns/winter-fund/export/${f}.csv`)).statusCode, 200);

  const list = await b.get('/admin/campaigns/winter-fund/gifts');
  t.match(list.body, 'Donor 4');
  t.notMatch(list.body, 'donor4@example.org', 'organizers do not see e-mails');
  const giftId = /href="\/admin\/gifts\/([^"]+)"/.exec(list.body)?.[1] ?? '';
  const giftPage = await b.get(`/admin/gifts/${giftId}`);
  t.equal(giftPage.statusCode, 200);
  t.notMatch(giftPage.body, 'action="/admin/gifts/', 'no refund form for an organizer');
  t.equal((await b.post(`/admin/gifts/${giftId}/refund`, { reason: 'mistake', form_token: 'bbbbbbbbbbbbbbbbbbbb' })).statusCode, 403, 'refunds are for admins');

  t.equal((await b.post('/admin/campaigns/winter-fund/close')).statusCode, 303);
  t.equal((await campaignJson(ta, 'winter-fund')).status, 'closed');
  t.match((await b.get('/admin/campaigns/winter-fund/cash-box')).body, 'This campaign is closed');
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('admins refund with a reason; organizers stay within their campaigns', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/match-pledges', headers: ta.auth('admin'), payload: { sponsor: { name: 'Harbour Light' }, anonymous: true, ratio: '1:1', capUnits: 50 } });
  const gift = (await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin'), payload: { amount: { amount: 10_000, currency: 'USD' }, donor: { name: 'Mina', email: 'mina@example.org' }, method: 'cash' } })).json() as { id: string };

  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  const page = await admin.get(`/admin/gifts/${gift.id}`);
  t.match(page.body, 'mina@example.org', 'admins see the e-mail');
  const noReason = await admin.post(`/admin/gifts/${gift.id}/refund`, { form_token: 'cccccccccccccccccccccc', amount: '', reason: '' });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, 'Say why the gift is refunded');
  const tooMuch = await admin.post(`/admin/gifts/${gift.id}/refund`, { form_token: 'dddddddddddddddddddddd', amount: '150', reason: 'Donor asked' });
  t.equal(tooMuch.statusCode, 400);
  t.equal((await campaignJson(ta, 'rescue-fund')).raised.amount, 10_000, 'nothing changed');
  const ok = await admin.post(`/admin/gifts/${gift.id}/refund`, { form_token: 'eeeeeeeeeeeeeeeeeeeeee', amount: '40', reason: 'Donor asked for part back' });
  t.equal(ok.statusCode, 303);
  t.match((await admin.follow(ok)).body, 'The refund was recorded');
  const json = await campaignJson(ta, 'rescue-fund');
  t.equal(json.raised.amount, 6_000);
  t.equal(json.matched.amount, 6_000, 'the match follows the refund');

  // The audit log: who, what, when, from where, before and after.
  const refundRow = readAuditLog(ta.db, { limit: 10, offset: 0, action: 'gift.refund' })[0];
  t.match(refundRow, { actorLabel: 'admin@example.test', subjectType: 'gift', subjectId: gift.id, ip: '127.0.0.1', createdAt: ta.clock.now });
  t.match(JSON.parse(refundRow?.before ?? '{}'), { status: 'succeeded', refunded: 0 });
  t.match(JSON.parse(refundRow?.after ?? '{}'), { status: 'partially_refunded', refunded: 4_000, reason: 'Donor asked for part back' });

  const adminCsv = await admin.get('/admin/campaigns/rescue-fund/export/gifts.csv');
  t.match(adminCsv.body, 'mina@example.org', 'the admin export has every detail');

  const organizer = new FormClient(ta.app);
  await organizer.login('organizer@example.test', testPassword);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'other', title: 'Other', currency: 'USD', goal: { amount: 100_000, currency: 'USD' }, status: 'published' } });
  t.equal((await organizer.get('/admin/campaigns/rescue-fund')).statusCode, 200, 'an assigned campaign opens');
  const refused = await organizer.get('/admin/campaigns/other');
  t.equal(refused.statusCode, 403, 'another campaign does not');
  t.match(refused.body, 'not assigned to this campaign');
  t.equal((await organizer.get('/admin/campaigns/other/export/gifts.csv')).statusCode, 403);
  t.notMatch((await organizer.get('/admin/campaigns')).body, '>Other<', 'nor is it listed');

  const assign = await admin.get('/admin/campaigns/other');
  t.match(assign.body, 'organizer@example.test');
  t.equal((await admin.post('/admin/campaigns/other/organizers', { email: 'organizer@example.test', action: 'assign' })).statusCode, 303);
  t.equal((await organizer.get('/admin/campaigns/other')).statusCode, 200, 'once assigned, it opens');
  t.equal((await organizer.post('/admin/campaigns/other/organizers', { email: 'organizer@example.test', action: 'remove' })).statusCode, 403, 'only admins assign');

  const sponsor = new FormClient(ta.app);
  await sponsor.login('sponsor@example.test', testPassword);
  const denied = await sponsor.get('/admin');
  t.equal(denied.statusCode, 403);
  t.match(denied.body, 'you are logged in as sponsor');
  t.same((await verifyAll(ta.services)).differences, []);
});

t.test('a refused action on the campaign page shows the page again with the reason', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  const admin = new FormClient(ta.app);
  await admin.login('admin@example.test', testPassword);
  await admin.get('/admin/campaigns/rescue-fund');

  const unknown = await admin.post('/admin/campaigns/rescue-fund/organizers', { email: 'nobody@example.test', action: 'assign' });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.body, '<p class="error" role="alert">There is no organizer with this e-mail</p>');
  t.match(unknown.body, '<h1>Rescue Fund', 'on the campaign page');
  t.match(unknown.body, 'name="_csrf"', 'whose forms still work');
  const removed = await admin.post('/admin/campaigns/rescue-fund/organizers', { email: 'organizer@example.test', action: 'remove' });
  t.equal(removed.statusCode, 303);
  const twice = await admin.post('/admin/campaigns/rescue-fund/organizers', { email: 'organizer@example.test', action: 'remove' });
  t.equal(twice.statusCode, 409, 'a second tap on Remove');
  t.match(twice.body, 'This organizer was not assigned.');
  t.match(twice.body, 'No organizer is assigned', 'the page shows how things are now');
  t.equal((await admin.post('/admin/campaigns/no-such-fund/organizers', { email: 'organizer@example.test', action: 'assign' })).statusCode, 404, 'an unknown campaign is still not found');

  // Campaigns saved before a rule existed: the status change is refused by
  // patchCampaign's checks, and the page says why.
  const broken = { startsAt: Date.UTC(2026, 11, 31), endsAt: Date.UTC(2026, 0, 1) };
  for (const [slug, status, action] of [
    ['draft-fund', 'draft', 'publish'],
    ['live-fund', 'published', 'close'],
    ['old-fund', 'closed', 'reopen'],
  ] as const) {
    await createRescueFund(ta, { slug, title: `Fund ${action}`, status });
    const id = findCampaignBySlug(ta.db, slug)?.id ?? '';
    updateCampaign(ta.db, id, broken);
    const res = await admin.post(`/admin/campaigns/${slug}/${action}`);
    t.equal(res.statusCode, 400, `${action}: re-rendered`);
    t.match(res.body, '<p class="error" role="alert">The end must be after the start</p>', action);
    t.match(res.body, `<h1>Fund ${action} <span class="status ${status}">`, `${action}: nothing changed`);
    t.equal(findCampaignBySlug(ta.db, slug)?.status, status);
  }
});
