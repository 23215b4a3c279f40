// `npm start` as an operator sees it: migrates, serves, answers health checks,
// and shuts down cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import t from 'tap';
import { loadConfig, ConfigError } from '../src/config.ts';
import { childEnv, nodeCommand } from './child-env.ts';

const root = new URL('..', import.meta.url).pathname;
// Each command is a fresh Node process compiling TypeScript: slow on a busy machine.
t.setTimeout(120_000);

t.test('the server starts, answers and stops on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-server-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const node = nodeCommand(['src/main.ts']);
  const child = spawn(node.command, node.args, {
    cwd: root,
    env: childEnv({ PORT: '0', DATABASE_PATH: join(dir, 'db.sqlite'), LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line: ${out}`)), 20_000);
    child.stdout.on('data', () => {
      const m = /"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  t.equal((await fetch(`${address}/healthz`)).status, 200);
  const ready = await fetch(`${address}/readyz`);
  t.same(await ready.json(), { status: 'ready' });
  // A fresh database has no administrator: start-up prints the one-time link that creates one.
  const setup = /No administrator exists yet[\s\S]*?(\/setup\/[\w-]+)/.exec(out)?.[1];
  t.ok(setup, 'a setup link is printed');
  t.equal((await fetch(`${address}${setup ?? ''}`)).status, 200, 'and it opens the setup page');
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0, 'graceful shutdown exits 0');
});

t.test('configuration is validated and names the bad variable', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 3000);
  t.equal(c.databasePath, './data/lantern.db');
  t.equal(c.baseUrl, 'http://127.0.0.1:3000');
  t.equal(loadConfig({ BASE_URL: 'https://give.example.org/' }).baseUrl, 'https://give.example.org');
  t.throws(() => loadConfig({ PORT: '99999' }), ConfigError);
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  t.throws(() => loadConfig({ BASE_URL: 'ftp://x' }), /BASE_URL/);
});

t.test('Stripe is used when its keys are set; the test provider otherwise, or when asked for', async (t) => {
  t.equal(loadConfig({}).paymentProvider, 'test');
  t.equal(loadConfig({}).stripe, null);
  const keys = { STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_abc123' };
  const stripe = loadConfig(keys);
  t.equal(stripe.paymentProvider, 'stripe');
  t.same(stripe.stripe, { secretKey: 'sk_test_abc123', webhookSecret: 'whsec_abc123', apiBase: null });
  t.equal(loadConfig({ ...keys, PAYMENT_PROVIDER: 'test' }).paymentProvider, 'test', 'the test provider stays off unless explicitly enabled');
  t.equal(loadConfig({ ...keys, STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe?.apiBase, 'http://127.0.0.1:12111');
  t.throws(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc123' }), /set both/);
  t.throws(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_abc123' }), /set both/);
  t.throws(() => loadConfig({ ...keys, STRIPE_SECRET_KEY: 'pk_test_abc' }), /STRIPE_SECRET_KEY/, 'a publishable key is not a secret key');
  t.throws(() => loadConfig({ PAYMENT_PROVIDER: 'stripe' }), /needs STRIPE_SECRET_KEY/);
});
