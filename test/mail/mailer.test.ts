// The outbox and its sender: mail is a row first; with SMTP it is sent after
// commit, retried after a failure, and sent once even by two instances;
// without SMTP it waits in the outbox for an admin to read.
import t from 'tap';
import { findMail, listMail } from '../../src/db/mail.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import { renderMail } from '../../src/mail/render.ts';
import { invite } from '../../src/services/accounts.ts';
import { buildTestApp, testActor } from '../helper.ts';
import { startFakeSmtp } from '../fakes/smtp.ts';

const quiet = { warn: () => undefined };

t.test('without SMTP_URL, mail waits in the outbox', async (t) => {
  const ta = await buildTestApp(t);
  t.equal(ta.services.mailer.sends, false);
  await invite(ta.services, testActor, { email: 'new@example.org', name: 'New Person', role: 'organizer' });
  const [mail] = listMail(ta.db, 10, 0);
  t.equal(mail?.toAddress, 'new@example.org');
  t.equal(mail?.kind, 'invitation');
  t.equal(mail?.sentAt, null);
  t.match(mail?.text, /http:\/\/lantern\.test\/invitations\/[\w-]{20,}/, 'the link can be copied from the outbox');
  t.equal(await ta.services.mailer.flush(), 0, 'nothing is sent');
});

t.test('a refused delivery stays in the outbox and is retried; two instances send once', async (t) => {
  const smtp = await startFakeSmtp();
  t.teardown(() => smtp.close());
  const ta = await buildTestApp(t, { env: { SMTP_URL: smtp.url } });
  const sender = createMailer(ta.db, ta.services.config, () => ta.clock.now, quiet);
  t.teardown(() => sender.close());

  smtp.refuseNext(1);
  await invite(ta.services, testActor, { email: 'first@example.org', name: 'First', role: 'sponsor' });
  // The app's own mailer was kicked after commit; wait for its attempt to end.
  await ta.services.mailer.flush();
  const [failed] = listMail(ta.db, 10, 0);
  t.equal(failed?.sentAt, null, 'not sent');
  t.equal(failed?.attempts, 1);
  t.match(failed?.lastError, /try again later/);
  t.equal(smtp.received.length, 0);

  t.equal(await sender.flush(), 0, 'it is not retried at once');
  ta.clock.now += 2 * 60_000 + 1;
  t.equal(await sender.flush(), 1, 'but after a short wait');
  const sentRow = findMail(ta.db, failed?.id ?? '');
  t.equal(sentRow?.sentAt, ta.clock.now);
  t.notMatch(sentRow?.text, '/invitations/', 'once sent, the one-time link is not kept in the outbox');
  t.match(smtp.received[0]?.text, /\/invitations\/[\w-]{20,}/, 'but it did go out');
  t.equal(smtp.received.length, 1);

  for (let i = 0; i < 5; i++) await invite(ta.services, testActor, { email: `p${i}@example.org`, name: `P${i}`, role: 'sponsor' });
  // Another instance on the same database flushes at the same time as this one.
  const sent = await Promise.all([ta.services.mailer.flush(), sender.flush()]);
  await ta.services.mailer.flush();
  const to = smtp.received.map((m) => m.to[0]).sort();
  t.same(to, ['first@example.org', 'p0@example.org', 'p1@example.org', 'p2@example.org', 'p3@example.org', 'p4@example.org'], 'each message arrived exactly once');
  t.ok(sent[0] + sent[1] <= 5);
  t.ok(listMail(ta.db, 20, 0).every((m) => m.sentAt !== null), 'and every row is marked sent');
});

t.test('templates escape HTML but not the text part', async (t) => {
  const m = renderMail('invitation', 'You are invited to Lantern', {
    name: '<script>alert(1)</script>',
    inviter: 'admin@example.test',
    role: 'organizer',
    link: 'http://lantern.test/invitations/abc?x=1&y=2',
    expires: '2026-12-04 12:00 UTC',
    baseUrl: 'http://lantern.test',
  });
  t.notMatch(m.html, '<script>alert(1)</script>');
  t.match(m.html, '&lt;script&gt;');
  t.match(m.html, 'href="http://lantern.test/invitations/abc?x=1&amp;y=2"');
  t.match(m.text, 'Hello <script>alert(1)</script>,', 'plain text is never interpreted, so it is left as typed');
  t.match(m.text, 'http://lantern.test/invitations/abc?x=1&y=2');
});
