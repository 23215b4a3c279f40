// The console and the sponsor portal in a real browser (Debian's Chromium):
// a volunteer logs in, creates and publishes a campaign, enters ten cash
// gifts, approves a sponsor's pledge and sees the dashboard move; the sponsor
// proposes the pledge and watches the statement. No request leaves Lantern.
// SCREENSHOTS=dir keeps a picture of each step for a human to look at.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { buildTestApp } from '../helper.ts';
import { noChromium, phoneBrowser } from './phone-browser.ts';

t.setTimeout(240_000);

t.test('a volunteer and a sponsor, start to finish', { timeout: 200_000, skip: noChromium }, async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const address = await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = new URL(address).origin;
  const { phone, shot, logIn, foreign, problems } = await phoneBrowser(t, origin);

  // The volunteer creates and publishes a campaign.
  const volunteer = await phone();
  await logIn(volunteer, 'organizer@example.test');
  t.match(await volunteer.locator('h1').innerText(), 'Dashboard');
  await volunteer.getByRole('link', { name: 'Campaigns' }).first().click();
  await volunteer.getByRole('button', { name: 'New campaign' }).click();
  await volunteer.getByLabel('Title').fill('Game Night Fund');
  await volunteer.getByLabel('Address (slug)').fill('game-night');
  await volunteer.getByLabel('Currency').selectOption('KRW');
  await volunteer.getByLabel('Goal').fill('1,000,000');
  await volunteer.getByLabel('Story').fill('Two Truths and a Lie, in a Seoul pub. **Every ticket** funds rescues.');
  await volunteer.getByRole('button', { name: 'Preview the story' }).click();
  t.match(await volunteer.locator('.preview').innerText(), 'Every ticket');
  await shot(volunteer, '01-campaign-preview');
  await volunteer.getByRole('button', { name: 'Create as draft' }).click();
  await volunteer.waitForURL(/\/admin\/campaigns\/game-night\?done=created/);
  await volunteer.getByRole('button', { name: 'Publish' }).click();
  await volunteer.waitForURL(/done=published/);
  await shot(volunteer, '02-campaign-published');

  // A sponsor proposes a 1:1 match.
  const sponsor = await phone();
  await logIn(sponsor, 'sponsor@example.test');
  await sponsor.goto(`${origin}/sponsor/pledges/new?campaign=game-night`);
  await shot(sponsor, '03-sponsor-propose');
  await sponsor.getByLabel('Cap').fill('200,000');
  await sponsor.getByRole('button', { name: /Propose/ }).click();
  await sponsor.waitForURL(/\/sponsor\/pledges\/[^/]+$/);
  t.match(await sponsor.locator('main').innerText(), 'waiting for approval');

  // The admin approves it.
  const admin = await phone();
  await logIn(admin, 'admin@example.test');
  t.match(await admin.locator('.attention').innerText(), 'proposed to match 1:1');
  await admin.locator('.attention').getByRole('link', { name: 'review' }).click();
  await shot(admin, '04-admin-pledges');
  await admin.getByRole('button', { name: 'Approve' }).click();
  await admin.waitForLoadState();
  t.match(await admin.locator('main').innerText(), /active/i);

  // Ten cash gifts at the door.
  await volunteer.goto(`${origin}/admin/campaigns/game-night/cash-box`);
  for (let i = 1; i <= 10; i++) {
    await volunteer.getByLabel('Amount').fill(i === 10 ? '10,000' : '5,000');
    if (i % 3 === 0) await volunteer.getByLabel('Donor name (optional)').fill(`Guest ${i}`);
    await volunteer.getByRole('button', { name: 'Record the gift' }).click();
    await volunteer.waitForURL(/last=/);
    t.match(await volunteer.locator('.last-entry').innerText(), i === 10 ? 'Recorded ₩10,000' : 'Recorded ₩5,000');
  }
  t.match(await volunteer.locator('.last-entry').innerText(), 'Matched with ₩10,000 more!');
  await shot(volunteer, '05-cash-box');

  await volunteer.goto(`${origin}/admin`);
  const board = await volunteer.locator('main').innerText();
  t.match(board, '₩55,000', 'the dashboard shows the money given');
  await shot(volunteer, '06-dashboard');

  await volunteer.goto(`${origin}/admin/campaigns/game-night`);
  const download = volunteer.waitForEvent('download');
  await volunteer.getByRole('link', { name: 'Gifts (CSV)' }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  t.equal(csv.trim().split('\r\n').length, 11, 'the export has a header and ten gifts');

  // The sponsor watches the statement.
  await sponsor.reload();
  const statement = await sponsor.locator('main').innerText();
  t.match(statement, '₩55,000', 'the statement shows what was matched');
  t.match(statement, 'Guest 3');
  await shot(sponsor, '07-sponsor-statement');

  t.same(foreign, [], 'no request left Lantern');
  t.same(problems, [], 'no errors in the browser console (CSP included)');
});
