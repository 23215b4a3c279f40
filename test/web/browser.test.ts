// A guest gives in a real browser (Debian's Chromium through playwright-core):
// campaign page → TEST MODE checkout → thank-you, with no request leaving
// Lantern's own origin.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium } from 'playwright-core';
import { buildTestApp, createRescueFund } from '../helper.ts';

const executablePath = '/usr/bin/chromium';
// Starting a browser is slow on a loaded machine: this file alone gets longer.
t.setTimeout(120_000);

t.test('a guest gives in the browser', { timeout: 90_000, skip: !existsSync(executablePath) && 'chromium is not installed' }, async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns/rescue-fund/match-pledges',
    headers: ta.auth('admin'),
    payload: { sponsor: { name: 'Harbour Light' }, anonymous: true, ratio: '1:1', capUnits: 50 },
  });
  const address = await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = new URL(address).origin;

  const browser = await chromium.launch({ executablePath, headless: true, args: ['--disable-gpu', '--disable-quic', '--disable-sync'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== origin) foreign.push(r.url());
  });

  await page.goto(`${origin}/campaigns/rescue-fund`);
  t.equal(await page.locator('h1').innerText(), 'Rescue Fund');
  await page.getByLabel('$50.00').check();
  await page.getByLabel('Your name').fill('Jae-won Bae');
  await page.getByLabel('E-mail (for your receipt; never shown)').fill('jaewon@example.kr');
  await page.getByLabel('Give anonymously').check();
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  await page.waitForURL(/\/test-checkout\//);
  t.match(await page.locator('.test-flag').innerText(), 'TEST MODE');
  await page.getByRole('button', { name: /^Pay \$50\.00/ }).click();

  await page.waitForURL(/\/thank-you$/);
  t.match(await page.locator('h1').innerText(), 'Thank you, Jae-won Bae!');
  t.match(await page.locator('main').innerText(), 'Matched with $50.00 more by our sponsors');

  await page.goto(`${origin}/campaigns/rescue-fund`);
  const supporters = await page.locator('.supporters').innerText();
  t.match(supporters, 'Anonymous');
  t.notMatch(supporters, 'Jae-won', 'an anonymous donor is not named');
  t.match(await page.locator('.figures').innerText(), '$100.00');
  t.same(foreign, [], 'no request left Lantern');
});
