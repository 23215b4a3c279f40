// Public endpoints that start a payment are limited per address: a clear 429
// (problem details for the API, a page for the form) and nothing created.
import t from 'tap';
import { buildTestApp, createRescueFund } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.test('donations are limited per address, with a clear answer', async (t) => {
  const ta = await buildTestApp(t, { env: { RATE_LIMITS: 'on', RATE_LIMIT_MONEY: '3' } });
  await createRescueFund(ta);
  const donate = () =>
    ta.app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/rescue-fund/donations',
      payload: { amount: { amount: 2_500, currency: 'USD' }, donor: { name: 'A', email: 'a@example.org' } },
    });
  for (let i = 0; i < 3; i++) t.equal((await donate()).statusCode, 201);
  const limited = await donate();
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], 'application/problem+json');
  t.match(limited.json(), { status: 429, title: 'Too many requests', detail: /Please wait/ });
  t.ok(Number(limited.headers['retry-after']) > 0, 'says when to retry');

  const browser = new FormClient(ta.app);
  await browser.get('/campaigns/rescue-fund');
  const form = await browser.post('/campaigns/rescue-fund/donate', { amount: '25.00 USD', name: 'A', email: 'a@example.org', form_token: 'aaaaaaaaaaaaaaaaaaaa' });
  t.equal(form.statusCode, 303, 'the form has its own allowance');
  const list = await ta.app.inject({ url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin') });
  t.equal((list.json() as { gifts: unknown[] }).gifts.length, 4, 'the limited request created nothing');

  for (let i = 0; i < 2; i++) await browser.post('/campaigns/rescue-fund/donate', { amount: '25.00 USD' });
  const page = await browser.post('/campaigns/rescue-fund/donate', { amount: '25.00 USD' });
  t.equal(page.statusCode, 429);
  t.match(page.headers['content-type'], 'text/html');
  t.match(page.body, 'Too many attempts from your address');
  t.equal((await ta.app.inject('/campaigns/rescue-fund')).statusCode, 200, 'reading is never limited');
});
