// Accounts end to end through the pages: login and lockout, sessions that can
// be revoked and survive a restart, CSRF rejection, and invitations and
// password resets delivered through a real SMTP server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readAuditLog } from '../../src/db/audit.ts';
import { invite, listInvitations } from '../../src/services/accounts.ts';
import { buildTestApp, testActor, testPassword } from '../helper.ts';
import { startFakeSmtp } from '../fakes/smtp.ts';
import { FormClient } from './form-client.ts';

// Every login hashes or verifies an argon2id password: slow on purpose.
t.setTimeout(180_000);

t.test('login sets a safe session cookie; logout ends the session', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const b = new FormClient(ta.app);
  const anonymous = await b.get('/account');
  t.equal(anonymous.statusCode, 303, 'a page that needs a login sends you to log in');
  t.equal(anonymous.headers.location, '/login?next=%2Faccount');

  const res = await b.login('Admin@Example.test ', testPassword);
  t.equal(res.headers.location, '/admin', 'an admin lands in the console');
  const cookie = res.cookies.find((c) => c.name === 'lantern_session');
  t.ok(cookie, 'a session cookie is set');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Lax');
  t.notOk(cookie?.secure, 'not Secure on plain http (BASE_URL is http)');

  const account = await b.get('/account');
  t.equal(account.statusCode, 200);
  t.match(account.body, 'admin@example.test');
  t.equal(account.headers['cache-control'], 'no-store');

  const next = new FormClient(ta.app);
  await next.get('/login?next=/account');
  const withNext = await next.post('/login', { email: 'sponsor@example.test', password: testPassword, next: '/account' });
  t.equal(withNext.headers.location, '/account', 'login returns to the page asked for');
  const offsite = new FormClient(ta.app);
  await offsite.get('/login');
  const evil = await offsite.post('/login', { email: 'sponsor@example.test', password: testPassword, next: '//evil.example/' });
  t.equal(evil.headers.location, '/sponsor', 'never to another site');

  const out = await b.post('/logout');
  t.equal(out.statusCode, 303);
  t.equal((await b.get('/account')).statusCode, 303, 'the session is gone');
  const replay = await ta.app.inject({ url: '/account', headers: { cookie: `lantern_session=${cookie?.value ?? ''}` } });
  t.equal(replay.statusCode, 303, 'even a copy of the old cookie no longer works');
});

t.test('wrong passwords: a clear message, an audit entry, and a lockout', async (t) => {
  const ta = await buildTestApp(t, { passwords: true, env: { LOGIN_LOCKOUT_ATTEMPTS: '3', LOGIN_LOCKOUT_MINUTES: '15' } });
  const b = new FormClient(ta.app);
  await b.get('/login');
  const unknown = await b.post('/login', { email: 'nobody@example.test', password: 'whatever-it-is' });
  t.equal(unknown.statusCode, 401);
  t.match(unknown.body, 'The e-mail address or the password is not right.');
  t.match(unknown.body, 'value="nobody@example.test"', 'the e-mail is kept');

  const empty = await b.post('/login', { email: '', password: '' });
  t.equal(empty.statusCode, 400);
  t.match(empty.body, 'Enter your e-mail address');
  t.match(empty.body, 'Enter your password');

  for (let i = 0; i < 2; i++) {
    const wrong = await b.post('/login', { email: 'organizer@example.test', password: 'not the password' });
    t.equal(wrong.statusCode, 401);
    t.match(wrong.body, 'The e-mail address or the password is not right.', 'the same answer as for an unknown address');
  }
  const third = await b.post('/login', { email: 'organizer@example.test', password: 'not the password' });
  t.equal(third.statusCode, 401);
  const locked = await b.post('/login', { email: 'organizer@example.test', password: testPassword });
  t.equal(locked.statusCode, 401, 'the right password does not help while locked');
  t.match(locked.body, 'After 3 wrong passwords in a row an account is locked for 15 minutes');
  t.equal(
    /<p class="error" role="alert">([^<]*)<\/p>/.exec(locked.body)?.[1],
    /<p class="error" role="alert">([^<]*)<\/p>/.exec(unknown.body)?.[1],
    'a locked account gets the same answer as an unknown address: no way to tell who has an account',
  );

  ta.clock.now += 15 * 60_000 + 1;
  t.equal((await b.post('/login', { email: 'organizer@example.test', password: testPassword })).statusCode, 303, 'the lock ends by itself');

  const log = readAuditLog(ta.db, { limit: 50, offset: 0 });
  const actions = log.map((r) => r.action).reverse();
  t.same(actions.filter((a) => a.startsWith('login')), ['login.failure', 'login.failure', 'login.failure', 'login.locked', 'login.failure', 'login.success']);
  const failure = log.find((r) => r.action === 'login.failure' && r.subjectType === 'login');
  t.equal(failure?.subjectId, 'nobody@example.test', 'a failure for an unknown address names the address tried');
  t.equal(failure?.ip, '127.0.0.1', 'and where it came from');
});

t.test('forms without a valid CSRF token are refused and change nothing', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const b = new FormClient(ta.app);
  await b.login('admin@example.test', testPassword);

  const noToken = await ta.app.inject({
    method: 'POST',
    url: '/account/logout-everywhere',
    headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
  t.equal(noToken.statusCode, 403);
  t.match(noToken.body, 'This form has expired or did not come from this site');
  const forged = await b.post('/account/logout-everywhere', { _csrf: 'forged-token-value' });
  t.equal(forged.statusCode, 403);
  t.equal((await b.get('/account')).statusCode, 200, 'the sessions were not ended');

  const stranger = new FormClient(ta.app);
  await stranger.get('/login');
  const crossUser = await b.post('/account/logout-everywhere', { _csrf: stranger.csrf ?? '' });
  t.equal(crossUser.statusCode, 403, "another browser's token does not fit this browser's secret");

  const loginWithout = await ta.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=admin%40example.test&password=${encodeURIComponent(testPassword)}`,
  });
  t.equal(loginWithout.statusCode, 403, 'even the login form needs its token (no login CSRF)');
  t.notOk(loginWithout.cookies.some((c) => c.name === 'lantern_session'));
});

t.test('sessions: log out everywhere, end one, and survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-sessions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lantern.db');
  const ta = await buildTestApp(t, { databasePath: path, passwords: true });
  const phone = new FormClient(ta.app, { 'user-agent': 'Phone' });
  const laptop = new FormClient(ta.app, { 'user-agent': 'Laptop' });
  await phone.login('organizer@example.test', testPassword);
  await laptop.login('organizer@example.test', testPassword);

  const list = await laptop.get('/account');
  t.match(list.body, 'Phone');
  t.match(list.body, /Laptop <strong>\(this one\)/);
  const phoneSession = /action="\/account\/sessions\/([^/]+)\/end"/.exec(list.body)?.[1];
  t.ok(phoneSession, 'the other session can be ended from here');
  t.equal((await laptop.post(`/account/sessions/${phoneSession ?? ''}/end`)).statusCode, 303);
  t.equal((await phone.get('/account')).statusCode, 303, 'the phone is logged out');
  t.equal((await laptop.get('/account')).statusCode, 200, 'the laptop is not');

  // A second app on the same database file: a restart, or another instance.
  const again = await buildTestApp(t, { databasePath: path, existing: true });
  const sameCookies = new FormClient(again.app);
  for (const [k, v] of laptop.cookies) sameCookies.cookies.set(k, v);
  t.equal((await sameCookies.get('/account')).statusCode, 200, 'the session works on the other instance');

  await phone.login('organizer@example.test', testPassword);
  await laptop.get('/account');
  t.equal((await laptop.post('/account/logout-everywhere')).statusCode, 303);
  t.equal((await phone.get('/account')).statusCode, 303, 'every session ended');
  t.equal((await sameCookies.get('/account')).statusCode, 303, 'on every instance');
});

t.test('sessions expire when unused, and secure cookies on https', async (t) => {
  const ta = await buildTestApp(t, { passwords: true, env: { SESSION_DAYS: '2' } });
  const b = new FormClient(ta.app);
  await b.login('admin@example.test', testPassword);
  ta.clock.now += 24 * 3600_000;
  t.equal((await b.get('/account')).statusCode, 200, 'used after a day: still valid and extended');
  await new Promise((r) => setTimeout(r, 20));
  ta.clock.now += 47 * 3600_000;
  t.equal((await b.get('/account')).statusCode, 200, 'the use extended it');
  await new Promise((r) => setTimeout(r, 20));
  ta.clock.now += 49 * 3600_000;
  t.equal((await b.get('/account')).statusCode, 303, 'two days unused: it has expired');

  const https = await buildTestApp(t, { passwords: true, env: { BASE_URL: 'https://lantern.example' } });
  const h = new FormClient(https.app);
  const res = await h.login('admin@example.test', testPassword);
  const cookie = res.cookies.find((c) => c.name === '__Host-lantern_session');
  t.equal(cookie?.secure, true, 'Secure, with the __Host- prefix, on https');
  t.equal(cookie?.path, '/');
});

t.test('invitations arrive by real SMTP, work once, and expire', async (t) => {
  const smtp = await startFakeSmtp();
  t.teardown(() => smtp.close());
  const ta = await buildTestApp(t, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Lantern <no-reply@lantern.test>' } });
  const admin = { ...testActor, label: 'admin@example.test' };
  await invite(ta.services, admin, { email: 'Volunteer@Example.org', name: 'Jae-won Seo', role: 'organizer' });
  const mail = await smtp.waitFor((m) => m.to.includes('volunteer@example.org'));
  t.equal(mail.subject, 'You are invited to Lantern');
  t.equal(mail.from, 'no-reply@lantern.test');
  t.match(mail.text, 'admin@example.test invited you to Lantern as organizer');
  t.match(mail.html, 'Accept the invitation');
  const link = /http:\/\/lantern\.test(\/invitations\/[\w-]+)/.exec(mail.text)?.[1];
  t.ok(link, 'the text part carries the link');

  const b = new FormClient(ta.app);
  const page = await b.get(link ?? '');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'volunteer@example.org');
  t.match(page.body, 'value="Jae-won Seo"', 'the name is filled in');
  const short = await b.post(link ?? '', { name: 'Jae-won Seo', password: 'short', password_again: 'short' });
  t.equal(short.statusCode, 400);
  t.match(short.body, 'at least 10 characters');
  const differ = await b.post(link ?? '', { name: 'Jae-won Seo', password: 'a long password', password_again: 'another one' });
  t.match(differ.body, 'The two passwords differ');
  const ok = await b.post(link ?? '', { name: 'Jae-won Seo', password: 'lanterns at dusk', password_again: 'lanterns at dusk' });
  t.equal(ok.statusCode, 303);
  t.equal(ok.headers.location, '/admin', 'the new organizer is logged in and in the console');

  const reused = await new FormClient(ta.app).get(link ?? '');
  t.equal(reused.statusCode, 410);
  t.match(reused.body, 'This invitation has already been used');
  const b2 = new FormClient(ta.app);
  await b2.get('/login');
  const reuse = await b2.post(link ?? '', { name: 'Someone else', password: 'another password', password_again: 'another password' });
  t.equal(reuse.statusCode, 410, 'a used invitation cannot create a second account');

  await invite(ta.services, admin, { email: 'late@example.org', name: 'Late', role: 'sponsor' });
  const late = await smtp.waitFor((m) => m.to.includes('late@example.org'));
  ta.clock.now += 7 * 24 * 3600_000 + 1;
  const expired = await new FormClient(ta.app).get(/http:\/\/lantern\.test(\/invitations\/[\w-]+)/.exec(late.text)?.[1] ?? '');
  t.equal(expired.statusCode, 410);
  t.match(expired.body, 'This invitation has expired. Ask for a new one.');
  t.equal((await new FormClient(ta.app).get('/invitations/not-a-real-token')).statusCode, 404);
});

t.test('password reset by e-mail; unknown addresses get the same answer', async (t) => {
  const smtp = await startFakeSmtp();
  t.teardown(() => smtp.close());
  const ta = await buildTestApp(t, { passwords: true, env: { SMTP_URL: smtp.url } });
  const old = new FormClient(ta.app);
  await old.login('sponsor@example.test', testPassword);

  const b = new FormClient(ta.app);
  await b.get('/password-reset');
  const asked = await b.post('/password-reset', { email: 'sponsor@example.test' });
  t.equal(asked.statusCode, 200);
  t.match(asked.body, 'a link to choose a new password is on its way');
  const unknown = await b.post('/password-reset', { email: 'stranger@example.test' });
  t.match(unknown.body, 'a link to choose a new password is on its way', 'no hint whether an account exists');
  const bad = await b.post('/password-reset', { email: 'not an address' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Enter a valid e-mail address');

  const mail = await smtp.waitFor((m) => m.to.includes('sponsor@example.test'));
  t.equal(mail.subject, 'Reset your Lantern password');
  const link = /http:\/\/lantern\.test(\/password-reset\/[\w-]+)/.exec(mail.text)?.[1] ?? '';
  await b.get(link);
  const done = await b.post(link, { password: 'a brand new secret', password_again: 'a brand new secret' });
  t.equal(done.statusCode, 303);
  t.equal((await old.get('/account')).statusCode, 303, 'sessions from before the reset have ended');
  await t.rejects(new FormClient(ta.app).login('sponsor@example.test', testPassword), 'the old password no longer works');
  await new FormClient(ta.app).login('sponsor@example.test', 'a brand new secret');
  t.equal((await new FormClient(ta.app).get(link)).statusCode, 410, 'the link works once');
  t.equal(smtp.received.filter((m) => m.to.includes('stranger@example.test')).length, 0, 'nothing is sent to an unknown address');
});

t.test('login, reset and invitation pages are rate-limited per address', async (t) => {
  const ta = await buildTestApp(t, { passwords: true, env: { RATE_LIMITS: 'on', RATE_LIMIT_LOGIN: '3', RATE_LIMIT_RESET: '2', RATE_LIMIT_INVITE: '2' } });
  const b = new FormClient(ta.app);
  await b.get('/login');
  for (let i = 0; i < 3; i++) t.equal((await b.post('/login', { email: 'admin@example.test', password: 'wrong password' })).statusCode, 401);
  const limited = await b.post('/login', { email: 'admin@example.test', password: testPassword });
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], 'text/html');
  t.match(limited.body, 'Too many attempts from your address');
  t.notOk(limited.cookies.some((c) => c.name === 'lantern_session'), 'and no session');

  await b.get('/password-reset');
  for (let i = 0; i < 2; i++) t.equal((await b.post('/password-reset', { email: 'admin@example.test' })).statusCode, 200);
  t.equal((await b.post('/password-reset', { email: 'admin@example.test' })).statusCode, 429);

  // Invitations. This address has used up its logins, so the admin logs in from another.
  const admin = new FormClient(ta.app);
  await admin.get('/login');
  const logged = await ta.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: '10.0.0.2',
    headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email: 'admin@example.test', password: testPassword, _csrf: admin.csrf ?? '' }).toString(),
  });
  t.equal(logged.statusCode, 303);
  for (const c of logged.cookies) admin.cookies.set(c.name, c.value);
  await admin.get('/admin/users');
  for (let i = 0; i < 2; i++) {
    t.equal((await admin.post('/admin/invitations', { name: `P${i}`, email: `p${i}@example.org`, role: 'sponsor' })).statusCode, 303);
  }
  const third = await admin.post('/admin/invitations', { name: 'P2', email: 'p2@example.org', role: 'sponsor' });
  t.equal(third.statusCode, 429, 'invitations are limited too');
  t.equal(listInvitations(ta.services).length, 2, 'and the limited one was not sent');
});

t.test('review fixes: API by encoded path, redirects, tokens, password guessing, cookie renewal, proxies', async (t) => {
  const ta = await buildTestApp(t, { passwords: true, env: { LOGIN_LOCKOUT_ATTEMPTS: '2' } });
  const b = new FormClient(ta.app);
  await b.login('admin@example.test', testPassword);
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');

  // The API never takes the session cookie, however its path is spelled.
  for (const url of ['/api/v1/exchange-rates', '/%61pi/v1/exchange-rates', '/api/v1/%65xchange-rates']) {
    const res = await ta.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'base=USD&quote=KRW&rate=0.5' });
    t.not(res.statusCode, 201, `${url} is refused`);
  }
  t.same(readAuditLog(ta.db, { limit: 50, offset: 0, action: 'exchange_rate' }), [], 'no rate was entered');

  // Only same-site paths after login.
  for (const next of ['/%09/evil.example', '/%0a/x', '/\\evil.example', '//evil.example', 'https://evil.example']) {
    const res = await b.get(`/login?next=${next}`);
    t.equal(res.statusCode, 303, `next=${next} is answered`);
    t.equal(res.headers.location, '/admin', `next=${next} stays home`);
  }

  // A wrong current password counts like a failed login.
  await b.get('/account');
  t.equal((await b.post('/account/password', { current: 'wrong guess 1', password: 'a new long password', password_again: 'a new long password' })).statusCode, 400);
  await b.post('/account/password', { current: 'wrong guess 2', password: 'a new long password', password_again: 'a new long password' });
  const failures = readAuditLog(ta.db, { limit: 10, offset: 0, action: 'password.change_failure' });
  t.equal(failures.length, 2, 'each wrong guess is audited');
  await t.rejects(new FormClient(ta.app).login('admin@example.test', testPassword), 'and the account is now locked');

  // Log out everywhere also revokes the user's API tokens.
  const token = ta.tokens.organizer;
  t.equal((await ta.app.inject({ url: '/api/v1/campaigns', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  const org = new FormClient(ta.app);
  await org.login('organizer@example.test', testPassword);
  await org.get('/account');
  await org.post('/account/logout-everywhere');
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: { authorization: `Bearer ${token}` }, payload: {} })).statusCode, 401, 'the token no longer works');

  // A session in use is extended in the browser too.
  const s = new FormClient(ta.app);
  await s.login('sponsor@example.test', testPassword);
  ta.clock.now += 6 * 60_000;
  const renewed = await s.get('/account');
  const sessionCookie = renewed.cookies.find((c) => c.name === 'lantern_session');
  t.ok(sessionCookie, 'the cookie is sent again when the session is extended');
  t.equal(sessionCookie?.maxAge, 14 * 24 * 3600);
});

t.test('behind a proxy, limits and the audit log see the client', async (t) => {
  const ta = await buildTestApp(t, { passwords: true, env: { TRUST_PROXY: '1' } });
  const b = new FormClient(ta.app, { 'x-forwarded-for': '203.0.113.7' });
  await b.get('/login');
  await b.post('/login', { email: 'admin@example.test', password: 'wrong password' });
  t.equal(readAuditLog(ta.db, { limit: 1, offset: 0, action: 'login.failure' })[0]?.ip, '203.0.113.7');
});
