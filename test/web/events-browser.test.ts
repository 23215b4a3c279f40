// Events in a real browser (Debian's Chromium) at phone size: a volunteer
// creates an event with two ticket types in the console and publishes it; a
// donor buys tickets through the TEST MODE checkout and gets the confirmation
// with QR codes and the .ics; a second volunteer checks them in at the door.
// No request leaves Lantern. SCREENSHOTS=dir keeps a picture of each step.
import ical from 'node-ical';
import t from 'tap';
import { listMail } from '../../src/db/mail.ts';
import { setCampaignOrganizer } from '../../src/services/accounts.ts';
import { createUser } from '../../src/services/users.ts';
import { buildTestApp, createRescueFund, testActor, testPassword } from '../helper.ts';
import { noChromium, phoneBrowser } from './phone-browser.ts';

t.setTimeout(240_000);

t.test('an event from the console to the door', { timeout: 200_000, skip: noChromium }, async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  await createRescueFund(ta);
  await createUser(ta.services, testActor, { email: 'door@example.test', role: 'organizer', password: testPassword });
  await setCampaignOrganizer(ta.services, testActor, 'rescue-fund', 'door@example.test', true);
  const address = await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = new URL(address).origin;
  const { phone, shot, logIn, foreign } = await phoneBrowser(t, origin);

  const volunteer = await phone();
  await logIn(volunteer, 'organizer@example.test');
  await volunteer.goto(`${origin}/admin/events/new`);
  await volunteer.fill('[name=title]', 'Two Truths and a Lie');
  await volunteer.fill('[name=slug]', 'game-night');
  await volunteer.selectOption('[name=kind]', 'social');
  await volunteer.selectOption('[name=timezone]', 'Asia/Seoul');
  await volunteer.fill('[name=start_date]', '2026-12-05');
  await volunteer.fill('[name=start_time]', '19:30');
  await volunteer.fill('[name=end_time]', '22:30');
  await volunteer.fill('[name=venue_name]', 'Blue Door Pub');
  await volunteer.fill('[name=venue_address]', '12 Itaewon-ro');
  await volunteer.fill('[name=venue_city]', 'Seoul');
  await volunteer.fill('[name=venue_country]', 'South Korea');
  await volunteer.getByRole('button', { name: 'Create as draft' }).click();
  await volunteer.waitForURL(/\/admin\/events\/game-night/);
  for (const [name, price, quantity] of [['Player', '15', '30'], ['Free RSVP', '0', '10']] as const) {
    if (!(await volunteer.locator('#tt-new-name').isVisible())) await volunteer.locator('summary', { hasText: 'Add a ticket type' }).click();
    await volunteer.fill('#tt-new-name', name);
    await volunteer.fill('#tt-new-price', price);
    await volunteer.fill('#tt-new-quantity', quantity);
    await volunteer.getByRole('button', { name: 'Add the ticket type' }).click();
    await volunteer.waitForLoadState();
  }
  await volunteer.getByRole('button', { name: 'Publish' }).click();
  await volunteer.waitForLoadState();
  await shot(volunteer, '01-console-event');
  t.match(await volunteer.locator('main').innerText(), 'Free RSVP');

  // A donor buys two tickets as a guest.
  const donor = await phone('America/Regina');
  await donor.goto(`${origin}/events/game-night`);
  t.match(await donor.locator('main').innerText(), '19:30');
  const local = await donor.locator('.local-time').innerText();
  t.match(local, /In your time zone: Saturday, December 5, 2026 at 4:30\sAM – 7:30\sAM \(America\/Regina\)/, 'and in the viewer’s own zone');
  const player = (await donor.locator('select[name^=qty_]').first().getAttribute('name')) ?? '';
  await donor.selectOption(`[name="${player}"]`, '2');
  await donor.fill('#name', 'Mina Park');
  await donor.fill('#email', 'mina@example.org');
  await shot(donor, '02-event-page');
  await donor.getByRole('button', { name: 'Continue' }).click();
  await donor.waitForURL(/\/test-checkout\//);
  await donor.getByRole('button', { name: /^Pay / }).click();
  await donor.waitForURL(/\/orders\//);
  const order = await donor.locator('main').innerText();
  t.match(order, 'Player');
  const codes = [...order.matchAll(/[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}/g)].map((m) => m[0]);
  t.equal(new Set(codes).size, 2, 'two ticket codes on the order page');
  t.equal(await donor.locator('main svg').count() >= 2, true, 'with their QR codes');
  await shot(donor, '03-order');

  const mail = listMail(ta.db, 20, 0).find((m) => m.kind === 'order');
  const attachments = JSON.parse(mail?.attachments ?? '[]') as { filename: string; contentType: string; content: string }[];
  t.equal(attachments.filter((a) => a.contentType === 'image/png').length, 2, 'the e-mail carries a QR image per ticket');
  const ics = attachments.find((a) => a.filename.endsWith('.ics'));
  const parsed = Object.values(ical.sync.parseICS(Buffer.from(ics?.content ?? '', 'base64').toString('utf8'))).find((c) => c?.type === 'VEVENT');
  t.equal(parsed && 'start' in parsed ? (parsed.start as Date).toISOString() : '', '2026-12-05T10:30:00.000Z', 'and the event’s .ics, 19:30 in Seoul');

  // Another volunteer checks them in at the door.
  const door = await phone();
  await logIn(door, 'door@example.test');
  await door.goto(`${origin}/admin/events/game-night/check-in`);
  await door.fill('[name=code]', codes[0]?.toLowerCase() ?? '');
  await door.getByRole('button', { name: 'Check in' }).click();
  await door.waitForLoadState();
  t.match(await door.locator('main').innerText(), /Welcome/i);
  await shot(door, '04-check-in-green');
  await door.fill('[name=code]', codes[0] ?? '');
  await door.getByRole('button', { name: 'Check in' }).click();
  await door.waitForLoadState();
  t.match(await door.locator('main').innerText(), /Already checked in/i);
  await shot(door, '05-check-in-red');

  t.same(foreign, [], 'no request left Lantern');
});
