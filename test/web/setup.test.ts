// First run: on a database without an administrator, a one-time setup link
// creates the first one; once an admin exists there is no link any more.
import t from 'tap';
import { firstAdminSetupLink } from '../../src/services/accounts.ts';
import { buildTestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(120_000);

t.test('the setup link creates the first admin, once', async (t) => {
  const ta = await buildTestApp(t, { existing: true });
  const stale = await firstAdminSetupLink(ta.services);
  const link = await firstAdminSetupLink(ta.services);
  t.ok(link, 'a database without an admin gets a link');
  t.match(link, /^http:\/\/lantern\.test\/setup\/[\w-]{40,}$/);
  const path = new URL(link ?? '').pathname;
  t.equal((await new FormClient(ta.app).get(new URL(stale ?? '').pathname)).statusCode, 410, 'a newer link replaces the older one');

  const b = new FormClient(ta.app);
  const page = await b.get(path);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Create the first administrator');
  const bad = await b.post(path, { name: '', email: 'not-mail', password: 'short', password_again: 'other' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Enter your name');
  t.match(bad.body, 'at least 10 characters');
  t.match(bad.body, 'The two passwords differ');
  const badMail = await b.post(path, { name: 'Hana Seo', email: 'not-mail', password: 'lanterns at dusk', password_again: 'lanterns at dusk' });
  t.equal(badMail.statusCode, 400);
  t.match(badMail.body, 'Enter a valid e-mail address');

  const done = await b.post(path, { name: 'Hana Seo', email: 'Hana@Example.org', password: 'lanterns at dusk', password_again: 'lanterns at dusk' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/admin');
  t.equal((await b.get('/admin/users')).statusCode, 200, 'the new admin is logged in');
  t.equal((await new FormClient(ta.app).get(path)).statusCode, 410, 'the link works once');
  t.equal(await firstAdminSetupLink(ta.services), null, 'with an admin, no more setup links');
});
