// The HTML donate flow a guest goes through, end to end through the test
// provider: campaign page → form → TEST MODE checkout → thank-you page.
import t, { type Test } from 'tap';
import { listMail } from '../../src/db/mail.ts';
import { buildTestApp, createRescueFund, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

function formToken(html: string): string {
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no form token on the page');
  return m[1];
}

async function setup(t: Test, passwords = false): Promise<TestApp> {
  const ta = await buildTestApp(t, { passwords });
  await createRescueFund(ta);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/match-pledges',
    headers: ta.auth('admin'),
    payload: { sponsor: { name: 'Harbour Light', email: 'hl@example.test' }, anonymous: true, ratio: '1:1', capUnits: 50 },
  });
  t.equal(res.statusCode, 201);
  return ta;
}

// One browser per test app: it keeps the cookies and CSRF token a real one would.
const browsers = new WeakMap<TestApp, FormClient>();
function browser(ta: TestApp): FormClient {
  let b = browsers.get(ta);
  if (!b) browsers.set(ta, (b = new FormClient(ta.app)));
  return b;
}

function post(ta: TestApp, url: string, form: Record<string, string> = {}) {
  return browser(ta).post(url, form);
}

t.test('a guest gives through the form and the test checkout', async (t) => {
  const ta = await setup(t);
  const page = await browser(ta).get('/campaigns/rescue-fund');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Every gift doubled by an anonymous sponsor');
  t.match(page.body, '$15,000.00 of matching left');
  t.match(page.body, '0 of 50 rescues funded');
  t.notMatch(page.body, 'hl@example.test');
  t.notMatch(page.body, 'Harbour Light', 'an anonymous sponsor stays anonymous');

  const token = formToken(page.body);
  const form = { form_token: token, amount: '100.00 USD', amount_other: '', currency: 'USD', name: 'Mina Park', email: 'Mina@Example.org', comment: 'For the road', show_amount: 'on' };
  const donate = await post(ta, '/campaigns/rescue-fund/donate', form);
  t.equal(donate.statusCode, 303);
  const checkoutUrl = new URL(String(donate.headers.location), 'http://lantern.test');
  t.match(checkoutUrl.pathname, /^\/test-checkout\/co_/);

  const again = await post(ta, '/campaigns/rescue-fund/donate', form);
  t.equal(again.headers.location, donate.headers.location, 'a resubmitted form leads to the same checkout');

  const checkout = await ta.app.inject(checkoutUrl.pathname);
  t.match(checkout.body, 'TEST MODE');
  t.match(checkout.body, '$100.00');

  const paid = await post(ta, `${checkoutUrl.pathname}/pay`);
  t.equal(paid.statusCode, 303);
  const thanks = await ta.app.inject(String(paid.headers.location));
  t.equal(thanks.headers['cache-control'], 'no-store', 'a donor\'s thank-you page is never cached');
  t.match(thanks.body, 'Thank you, Mina Park!');
  t.match(thanks.body, 'Matched with $100.00 more by our sponsors');

  const paidTwice = await post(ta, `${checkoutUrl.pathname}/pay`);
  t.equal(paidTwice.statusCode, 303, 'a double click on Pay is harmless');

  const json = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { raised: { amount: number }; matched: { amount: number }; giftCount: number };
  t.equal(json.raised.amount, 10_000);
  t.equal(json.matched.amount, 10_000);
  t.equal(json.giftCount, 1, 'one gift, however often the form or Pay was sent');

  const after = await browser(ta).get('/campaigns/rescue-fund');
  t.match(after.body, 'Mina Park');
  t.match(after.body, 'For the road');
  t.notMatch(after.body, 'mina@example.org', 'the e-mail never appears on a public page');

  // The receipt the form's e-mail field promises, once, however often Pay was pressed.
  const receipts = listMail(ta.db, 50, 0).filter((m) => m.kind === 'gift_receipt');
  t.equal(receipts.length, 1);
  t.equal(receipts[0]?.toAddress, 'mina@example.org');
  t.equal(receipts[0]?.subject, 'Receipt for your gift to Rescue Fund');
  for (const line of ['Gift: $100.00', 'Date: Nov 1, 2026', 'Paid by: card (test mode)', 'Our sponsors matched it with $100.00 more.']) t.match(receipts[0]?.text, line);
  t.match(receipts[0]?.text, /Reference: gift_/);
  t.notMatch(receipts[0]?.text, 'Processing fee', 'no fee cover was chosen');
});

t.test('gifts entered by a volunteer: a receipt when asked for (ticked in the cash box) and an address is known', async (t) => {
  const ta = await setup(t, true);
  const give = (donor: Record<string, string>, anonymous: boolean, sendReceipt?: boolean) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/rescue-fund/gifts',
      headers: ta.auth('organizer'),
      payload: { amount: { amount: 5_000, currency: 'USD' }, donor, anonymous, method: 'cheque', ...(sendReceipt !== undefined && { sendReceipt }) },
    });
  t.equal((await give({ name: 'Jae-won Bae', email: 'jaewon@example.org' }, true, true)).statusCode, 201);
  t.equal((await give({ name: 'Imported Donor', email: 'imported@example.org' }, false)).statusCode, 201, 'the API sends none unless asked (imports)');
  const noAddress = await give({ name: 'Cash box' }, false, true);
  t.equal(noAddress.statusCode, 400);
  t.match(noAddress.body, "Enter the donor's e-mail address to send a receipt");

  // The cash box offers it, ticked, and sends it where an address is given.
  const volunteer = new FormClient(ta.app);
  await volunteer.login('organizer@example.test', testPassword);
  const box = await volunteer.get('/admin/campaigns/rescue-fund/cash-box');
  t.match(box.body, /<input type="checkbox" id="f-send_receipt" name="send_receipt" checked/);
  const token = formToken(box.body);
  const sent = await volunteer.post('/admin/campaigns/rescue-fund/cash-box', { amount: '20', currency: 'USD', method: 'cash', name: 'Ruth Halvorsen', email: 'ruth@example.org', send_receipt: 'on', form_token: token });
  t.equal(sent.statusCode, 303);
  const unticked = await volunteer.post('/admin/campaigns/rescue-fund/cash-box', { amount: '20', currency: 'USD', method: 'cash', name: 'Ben Adeyemi', email: 'ben@example.org', form_token: formToken((await volunteer.get('/admin/campaigns/rescue-fund/cash-box')).body) });
  t.equal(unticked.statusCode, 303);

  const receipts = listMail(ta.db, 50, 0).filter((m) => m.kind === 'gift_receipt');
  t.same(receipts.map((m) => m.toAddress).sort(), ['jaewon@example.org', 'ruth@example.org'], 'only where a receipt was asked for and an address given');
  const jaewon = receipts.find((m) => m.toAddress === 'jaewon@example.org');
  t.match(jaewon?.text, 'Paid by: cheque');
  t.match(jaewon?.text, 'As you asked, your name is not shown on any public page.');
  t.match(jaewon?.html, 'Hello Jae-won Bae');
  t.match(receipts.find((m) => m.toAddress === 'ruth@example.org')?.text, 'Paid by: cash');
});


t.test('the campaign page made once for visitors is not the one staff get: theirs has their menu', async (t) => {
  const ta = await setup(t, true);
  const visitor = await ta.app.inject('/campaigns/rescue-fund');
  const volunteer = new FormClient(ta.app);
  await volunteer.login('organizer@example.test', testPassword);
  const own = await volunteer.get('/campaigns/rescue-fund');
  t.match(own.body, 'action="/logout"', 'staff see their own menu');
  t.match(own.body, 'href="/admin"');
  t.notMatch(visitor.body, 'action="/logout"');
  t.notMatch((await ta.app.inject('/campaigns/rescue-fund')).body, 'action="/logout"', 'which no visitor is sent');
  t.match(own.body, /name="form_token" value="(?!lantern-)[^"]+"/, 'with a form token of their own');
});

t.test('bad input re-renders the form with messages and creates nothing', async (t) => {
  const ta = await setup(t);
  const token = formToken((await browser(ta).get('/campaigns/rescue-fund')).body);
  const bad = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, amount_other: '12.345', currency: 'USD', name: '', email: 'not-an-email' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Enter your name');
  t.match(bad.body, 'Enter a valid e-mail address');
  t.match(bad.body, 'value="not-an-email"', 'the input is kept');

  const tooPrecise = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, amount_other: '12.345', currency: 'USD', name: 'A', email: 'a@example.org' });
  t.equal(tooPrecise.statusCode, 400);
  t.match(tooPrecise.body, 'USD allows at most 2 decimal places');
  t.match(tooPrecise.body, 'value="12.345"');

  const noAmount = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, currency: 'USD', name: 'A', email: 'a@example.org' });
  t.match(noAmount.body, 'Choose or enter an amount');

  const krw = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, amount_other: '5000', currency: 'KRW', name: 'A', email: 'a@example.org' });
  t.equal(krw.statusCode, 400);
  t.match(krw.body, 'Gifts in this currency cannot be accepted');

  const list = (await ta.app.inject({ url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') })).json() as { gifts: unknown[] };
  t.equal(list.gifts.length, 0, 'nothing was created');
});

t.test('declined and expired checkouts count nothing', async (t) => {
  const ta = await setup(t);
  const start = async () => {
    const token = formToken((await browser(ta).get('/campaigns/rescue-fund')).body);
    const res = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, currency: 'USD', amount: '50.00 USD', name: 'B', email: 'b@example.org' });
    t.equal(res.statusCode, 303);
    return new URL(String(res.headers.location), 'http://lantern.test').pathname;
  };
  const declined = await start();
  const d = await post(ta, `${declined}/decline`);
  t.match((await ta.app.inject(String(d.headers.location))).body, 'The payment was declined');

  const expired = await start();
  ta.clock.now += 61 * 60_000;
  t.match((await ta.app.inject(expired)).body, 'This checkout has expired');
  const late = await post(ta, `${expired}/pay`);
  t.match((await ta.app.inject(String(late.headers.location))).body, 'The payment time ran out');

  const json = (await ta.app.inject('/api/v1/campaigns/rescue-fund')).json() as { raised: { amount: number } };
  t.equal(json.raised.amount, 0);
});

t.test('the home page lists published campaigns; drafts stay hidden', async (t) => {
  const ta = await setup(t);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'secret-draft', title: 'Secret draft', currency: 'USD', goal: { amount: 100, currency: 'USD' } } });
  const home = await ta.app.inject('/');
  t.match(home.body, 'Rescue Fund');
  t.notMatch(home.body, 'Secret draft');
  t.equal((await ta.app.inject('/campaigns/secret-draft')).statusCode, 404);
  const missing = await ta.app.inject('/no/such/page');
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], 'text/html');
});

t.test('the home page made once for visitors shows every change at once; staff get theirs', async (t) => {
  const ta = await setup(t, true);
  await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug: 'winter-coats', title: 'Winter coats', currency: 'USD', goal: { amount: 100_000, currency: 'USD' } } });
  const home = async () => (await ta.app.inject('/')).body;
  t.match(await home(), '0 donors');
  t.notMatch(await home(), 'Winter coats');

  const published = await ta.app.inject({ method: 'PATCH', url: '/api/v1/campaigns/winter-coats', headers: ta.auth('admin'), payload: { status: 'published' } });
  t.equal(published.statusCode, 200, published.body);
  t.match(await home(), 'Winter coats', 'a campaign published shows at once');
  const gift = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/gifts',
    headers: ta.auth('admin'),
    payload: { amount: { amount: 2_500, currency: 'USD' }, donor: { name: 'Cash Box' }, method: 'cash' },
  });
  t.equal(gift.statusCode, 201, gift.body);
  t.match(await home(), '1 donor', 'and so does a gift');
  t.match((await ta.app.inject({ url: '/', headers: { 'accept-language': 'ko' } })).body, '<html lang="ko"', 'each language has its own');

  const volunteer = new FormClient(ta.app);
  await volunteer.login('organizer@example.test', testPassword);
  t.match((await volunteer.get('/')).body, 'action="/logout"', 'staff see their own menu');
  t.notMatch(await home(), 'action="/logout"', 'which no visitor is sent');
});

t.test('pages load nothing from third parties', async (t) => {
  const ta = await setup(t);
  for (const url of ['/', '/campaigns/rescue-fund']) {
    const res = await ta.app.inject(url);
    t.match(res.headers['content-security-policy'], "default-src 'self'", `${url} tells the browser to load only from Lantern`);
    t.notMatch(res.headers['content-security-policy'], /https?:/, 'and names no other origin');
    const body = res.body;
    const external = [...body.matchAll(/(?:src|href)="(https?:)?\/\/[^"]*"/g)].map((m) => m[0]);
    t.same(external, [], `${url} references only its own origin`);
  }
  t.equal((await ta.app.inject('/assets/site.css')).statusCode, 200);
  t.equal((await ta.app.inject('/assets/pico/pico.amber.min.css')).statusCode, 200);
});

t.test('a form sent again with other values asks for a reload instead of giving twice', async (t) => {
  const ta = await setup(t);
  const token = formToken((await browser(ta).get('/campaigns/rescue-fund')).body);
  const first = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, amount: '25.00 USD', currency: 'USD', name: 'C', email: 'c@example.org' });
  t.equal(first.statusCode, 303);
  const changed = await post(ta, '/campaigns/rescue-fund/donate', { form_token: token, amount: '50.00 USD', currency: 'USD', name: 'C', email: 'c@example.org' });
  t.equal(changed.statusCode, 400);
  t.match(changed.body, 'This form was already sent once. Send it again to start a new gift.');
  t.not(formToken(changed.body), token, 'the re-rendered form carries a fresh token');
});

t.test('a preset means what its label says, whatever currency is chosen for another amount', async (t) => {
  const ta = await setup(t);
  await ta.app.inject({ method: 'POST', url: '/api/v1/exchange-rates', headers: ta.auth('admin'), payload: { base: 'KRW', quote: 'USD', rate: '0.00074' } });
  const page = await browser(ta).get('/campaigns/rescue-fund');
  t.match(page.body, 'value="25.00 USD"');
  const res = await post(ta, '/campaigns/rescue-fund/donate', { form_token: formToken(page.body), amount: '25.00 USD', currency: 'KRW', name: 'D', email: 'd@example.org' });
  t.equal(res.statusCode, 303);
  const checkout = await ta.app.inject(new URL(String(res.headers.location), 'http://lantern.test').pathname);
  t.match(checkout.body, '$25.00', 'the checkout is for 25 USD, not 25 KRW');

  const all = await post(ta, '/campaigns/rescue-fund/donate', { form_token: formToken(page.body), amount_other: 'abc', currency: 'USD', name: '', email: 'x' });
  t.match(all.body, 'Enter an amount such as 25');
  t.match(all.body, 'Enter your name');
  t.match(all.body, 'Enter a valid e-mail address', 'every problem is shown at once');
});
