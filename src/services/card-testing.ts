// Card-testing defences on public payment starts. Fraudsters test stolen cards
// by starting many small payments; each start is recorded by its source (the
// client's address and the e-mail given) and refused when that source started
// too many lately, or when its checkouts keep failing. No CAPTCHA and no list
// of blocked networks: Tor and VPN users give like anyone else, one source at a
// time. Only keyed hashes of addresses and e-mails are stored, never the values.
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Database } from '../db/connection.ts';
import { newId, newSecret } from '../db/ids.ts';
import {
  attemptTimesSince,
  failureTimesSince,
  insertPaymentAttempt,
  newestCheckoutOf,
  setAttemptCheckout,
  type SourceColumn,
} from '../db/payment-attempts.ts';
import { initSetting } from '../db/settings.ts';
import { DomainError } from '../domain/errors.ts';
import { audit } from './audit.ts';
import type { Actor, Services } from './context.ts';

export type PaymentKind = 'gift' | 'order' | 'raffle';

export interface PaymentSource {
  /** The client's address as the web layer believes it (see TRUST_PROXY). */
  readonly ip: string;
  /** The payer's e-mail, when one was given. */
  readonly email: string | null;
  readonly kind: PaymentKind;
}

/** A payment start that was let through; `id` is null while the limits are off. */
export interface PaymentAttempt {
  readonly id: string | null;
}

/** What a payment start created, to find its checkout by. */
export type PaymentSubject = { giftId: string } | { orderId: string } | { raffleEntryId: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Nobody signs in to give: the audit entry names no person and no address.
const guest: Actor = { userId: null, label: 'guest', role: null, ip: null };

const secrets = new WeakMap<Database, string>();

/** The per-install key of the hashes: without it, a leaked table could be matched against guessed e-mails. */
function secretOf(db: Database): string {
  let secret = secrets.get(db);
  if (secret === undefined) {
    secret = initSetting(db, 'payment_source_secret', newSecret(32));
    secrets.set(db, secret);
  }
  return secret;
}

/**
 * The network a client is counted by: the IPv4 address, or the /64 of an IPv6
 * one (one home or phone gets a whole /64 and can pick any address in it).
 */
export function networkOf(ip: string): string {
  const bare = ip.replace(/%.*$/, '').toLowerCase();
  if (bare.startsWith('::ffff:') && isIPv4(bare.slice(7))) return bare.slice(7);
  if (!isIPv6(bare)) return bare;
  const [head = '', tail] = bare.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  // A dotted IPv4 tail ("::1.2.3.4") fills two groups.
  const used = front.length + back.length + (back.some((g) => g.includes('.')) ? 1 : 0);
  const groups = [...front, ...Array<string>(Math.max(0, 8 - used)).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

function hashOf(secret: string, what: SourceColumn, value: string): string {
  return createHmac('sha256', secret).update(`${what}:${value}`).digest('hex');
}

function minutesText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / MINUTE));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Until when the source's failed checkouts pause it (0 when they do not). */
function pausedUntil(s: Services, by: SourceColumn, hash: string, now: number): number {
  const { limit, windowMinutes, pauseMinutes } = s.config.paymentFailures;
  const window = windowMinutes * MINUTE;
  const pause = pauseMinutes * MINUTE;
  // A checkout ends at the latest when its hold runs out; older starts cannot matter.
  const longestHold = Math.max(s.config.pendingGiftMinutes, s.config.orderHoldMinutes) * MINUTE;
  const since = now - window - pause;
  const failures = failureTimesSince(s.db, by, hash, since - longestHold, since, now);
  let until = 0;
  // The pause starts at each failure that brings the window's count to the limit.
  for (let i = limit - 1; i < failures.length; i++) {
    const at = failures[i] as number;
    if (at - (failures[i - limit + 1] as number) <= window) until = Math.max(until, at + pause);
  }
  return until;
}

/** Until when the e-mail's recent starts use up its hourly allowance (0 when they do not). */
function emailLimitedUntil(s: Services, hash: string, now: number): number {
  const max = s.config.rateLimits.moneyPerEmailPerHour;
  const starts = attemptTimesSince(s.db, 'email', hash, now - HOUR + 1);
  if (starts.length < max) return 0;
  return (starts[starts.length - max] as number) + HOUR;
}

/**
 * Lets a public payment start through and records it, or refuses it with
 * `too_many` (and an audit entry) when its source started too many payments or
 * had too many fail lately. Called by the route before the service that starts
 * the payment; `notePaymentCheckout` then links the checkout it made.
 */
export async function guardPaymentStart(s: Services, source: PaymentSource, now: number): Promise<PaymentAttempt> {
  if (!s.config.rateLimits.enabled) return { id: null };
  const verdict = await s.db.write((): { id: string } | { refusedUntil: number } => {
    const secret = secretOf(s.db);
    const ipHash = hashOf(secret, 'ip', networkOf(source.ip));
    const email = source.email?.trim().toLowerCase() || null;
    const emailHash = email === null ? null : hashOf(secret, 'email', email);
    const limits = [
      ...(emailHash === null
        ? []
        : [
            { until: emailLimitedUntil(s, emailHash, now), hash: emailHash, reason: 'too_many_starts' },
            { until: pausedUntil(s, 'email', emailHash, now), hash: emailHash, reason: 'failed_payments' },
          ]),
      { until: pausedUntil(s, 'ip', ipHash, now), hash: ipHash, reason: 'failed_payments' },
    ];
    const refusal = limits.filter((l) => l.until > now).sort((a, b) => b.until - a.until)[0];
    if (refusal !== undefined) {
      audit(s, guest, 'payment.refused', { type: 'payment_source', id: refusal.hash.slice(0, 12) }, null, { reason: refusal.reason, kind: source.kind });
      return { refusedUntil: refusal.until };
    }
    const id = newId('pa');
    insertPaymentAttempt(s.db, { id, ipHash, emailHash, kind: source.kind, checkoutId: null, createdAt: now });
    return { id };
  });
  if ('refusedUntil' in verdict) {
    // Never which of the two: that would tell a card tester what to change.
    throw new DomainError(
      'too_many',
      `Too many payment attempts from this address or e-mail; please wait ${minutesText(verdict.refusedUntil - now)}.`,
    );
  }
  return verdict;
}

/** Links a let-through start to the checkout it made, so a decline or expiry counts against its source. */
export async function notePaymentCheckout(s: Services, attempt: PaymentAttempt, subject: PaymentSubject): Promise<void> {
  const id = attempt.id;
  if (id === null) return;
  await s.db.write(() => {
    const checkoutId = newestCheckoutOf(s.db, subject);
    if (checkoutId !== undefined) setAttemptCheckout(s.db, id, checkoutId);
  });
}
