// Builds the real app on a fresh in-memory database for each test, with a
// clock the test controls, plus tokens for each role.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/connection.ts';
import { insertOrder, unpaidOrder } from '../src/db/orders.ts';
import type { Actor, Services } from '../src/services/context.ts';
import { FormClient } from './web/form-client.ts';
import { setCampaignOrganizer } from '../src/services/accounts.ts';
import { createToken, createUser } from '../src/services/users.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  services: Services;
  clock: { now: number };
  tokens: { admin: string; organizer: string; sponsor: string };
  auth(role: 'admin' | 'organizer' | 'sponsor'): { authorization: string };
}

export const testActor: Actor = { userId: null, label: 'test', role: 'admin', ip: null };

/** Rate limits are off unless a test turns them on: every injected request comes from one address. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_PATH: ':memory:', BASE_URL: 'http://lantern.test', LOG_LEVEL: 'silent', RATE_LIMITS: 'off', ...overrides });
}

/** The password of every test user when built with `passwords: true`. */
export const testPassword = 'correct horse battery';

export async function buildTestApp(
  t: Test,
  opts: { databasePath?: string; env?: Record<string, string>; passwords?: boolean; existing?: boolean } = {},
): Promise<TestApp> {
  const config = testConfig({ ...(opts.databasePath && { DATABASE_PATH: opts.databasePath }), ...opts.env });
  const db = openDatabase(config.databasePath);
  const clock = { now: Date.UTC(2026, 10, 1, 12, 0, 0) };
  const app = await buildApp({ config, db, now: () => clock.now, logger: false });
  const services = app.services;
  const tokens = { admin: '', organizer: '', sponsor: '' };
  // Hashing passwords is slow on purpose: only tests that log in ask for them.
  for (const role of opts.existing ? [] : (['admin', 'organizer', 'sponsor'] as const)) {
    await createUser(services, testActor, { email: `${role}@example.test`, role, ...(opts.passwords && { password: testPassword }) });
    tokens[role] = await createToken(services, testActor, `${role}@example.test`);
  }
  t.teardown(async () => {
    await app.close();
    db.close();
  });
  return { app, db, services, clock, tokens, auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }) };
}

/** The Rescue Fund in miniature: 15,000 USD, rescue = 300 USD, published. */
export const rescueFund = {
  slug: 'rescue-fund',
  title: 'Rescue Fund',
  currency: 'USD',
  goal: { amount: 1_500_000, currency: 'USD' },
  impact: { unit: 'rescue', unitCost: { amount: 30_000, currency: 'USD' } },
  status: 'published',
} as const;

export async function createRescueFund(ta: TestApp, overrides: Record<string, unknown> = {}) {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/v1/campaigns',
    headers: ta.auth('admin'),
    payload: { ...rescueFund, ...overrides },
  });
  if (res.statusCode !== 201) throw new Error(`campaign create failed: ${res.statusCode} ${res.body}`);
  const created = res.json() as { slug: string };
  // As an admin would: the test organizer runs this campaign.
  await setCampaignOrganizer(ta.services, testActor, created.slug, 'organizer@example.test', true);
  return created;
}

/**
 * Presses Pay or Decline on the TEST MODE checkout page as a browser does
 * (with the page's cookie and CSRF token). A checkout that shows no buttons
 * any more still gets the POST, with a token taken from the login form.
 */
export async function testCheckout(ta: TestApp, path: string, outcome: 'pay' | 'decline' = 'pay') {
  const browser = new FormClient(ta.app);
  await browser.get(path);
  if (!browser.csrf) await browser.get('/login');
  return browser.post(`${path}/${outcome}`);
}

/**
 * Puts a free order straight into the database (seats paid or held without a
 * checkout), for tests about counting seats rather than about buying them.
 */
export async function insertSeatOrder(db: Database, o: { eventId: string; items: [string, number][]; status: 'paid' | 'pending'; expiresAt: number | null; at: number }): Promise<string> {
  const id = `ord_test_${Math.random().toString(36).slice(2)}`;
  const row = unpaidOrder({ id, eventId: o.eventId, source: 'online', method: 'test', buyerName: 'Buyer', buyerEmail: null, currency: 'USD', ticketsTotal: 0, donation: 0, donationPublic: false, expiresAt: o.expiresAt, createdBy: null, createdAt: o.at });
  await db.write(() =>
    insertOrder(db, { ...row, status: o.status, paidAt: o.status === 'paid' ? o.at : null }, o.items.map(([ticketTypeId, quantity]) => ({ orderId: id, ticketTypeId, quantity, unitPrice: 0 }))),
  );
  return id;
}
