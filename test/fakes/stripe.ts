// A wire-level fake of the Stripe API: a real HTTP server on loopback that the
// real `stripe` SDK talks to (host/port/protocol options), answering the
// Checkout Session and Refund endpoints with form-decoded requests, Stripe's
// error envelope, API-key checks and Idempotency-Key replays. Tests drive the
// customer's side directly (pay, settle, expire, refund in the dashboard,
// dispute) and get back the Stripe Event a webhook would carry, which they can
// sign with the SDK's own test-header helper and POST over real HTTP.
//
// Amounts are integers in the currency's smallest unit and never converted.
// The object shapes are the subset of the SDK's types (stripe 23.x,
// esm/resources/*.d.ts) that the fake fills in; every field named here has the
// SDK's type.
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

// ---------------------------------------------------------------------------
// Object shapes

/** The fields `K` of Stripe's type `T`, with `O` replacing some of them. */
type Shape<T, K extends keyof T, O = unknown> = Omit<Pick<T, K>, keyof O> & O;

export type FakeLineItem = Shape<
  Stripe.LineItem,
  'id' | 'object' | 'amount_discount' | 'amount_subtotal' | 'amount_tax' | 'amount_total' | 'currency' | 'description' | 'quantity',
  { price: { unit_amount: number; currency: string; product_name: string } }
>;

export type FakePaymentIntent = Shape<
  Stripe.PaymentIntent,
  'id' | 'object' | 'amount' | 'amount_received' | 'created' | 'currency' | 'description' | 'livemode' | 'metadata' | 'status',
  { latest_charge: string | null }
>;

export type FakeRefund = Shape<
  Stripe.Refund,
  'id' | 'object' | 'amount' | 'created' | 'currency' | 'metadata' | 'reason' | 'status',
  { charge: string; payment_intent: string | null }
>;

export type FakeCharge = Shape<
  Stripe.Charge,
  | 'id'
  | 'object'
  | 'amount'
  | 'amount_captured'
  | 'amount_refunded'
  | 'captured'
  | 'created'
  | 'currency'
  | 'description'
  | 'disputed'
  | 'livemode'
  | 'metadata'
  | 'paid'
  | 'refunded'
  | 'status',
  { payment_intent: string | null; refunds?: Stripe.ApiList<FakeRefund> }
>;

export type FakeDispute = Shape<
  Stripe.Dispute,
  'id' | 'object' | 'amount' | 'created' | 'currency' | 'is_charge_refundable' | 'livemode' | 'metadata' | 'reason' | 'status',
  { charge: string; payment_intent: string | null }
>;

export type FakeCustomerDetails = Pick<Stripe.Checkout.Session.CustomerDetails, 'email' | 'name'>;

export type FakeSession = Shape<
  Stripe.Checkout.Session,
  | 'id'
  | 'object'
  | 'amount_subtotal'
  | 'amount_total'
  | 'cancel_url'
  | 'client_reference_id'
  | 'created'
  | 'currency'
  | 'customer_email'
  | 'expires_at'
  | 'livemode'
  | 'metadata'
  | 'mode'
  | 'payment_status'
  | 'status'
  | 'submit_type'
  | 'success_url'
  | 'url',
  {
    payment_intent: string | FakePaymentIntent | null;
    customer_details: FakeCustomerDetails | null;
    line_items?: Stripe.ApiList<FakeLineItem>;
  }
>;

/** Stripe's event types, or any other string (for "unknown event" tests). */
export type FakeEventType = Stripe.Event.Type | (string & Record<never, never>);

export interface FakeEvent<T extends object = object> {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: T; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: FakeEventType;
}

// ---------------------------------------------------------------------------
// Requests as received

/** A decoded form body or query: `a[b][0]=x` becomes `{ a: { b: ['x'] } }`. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: FormObject;
  body: FormObject;
  idempotencyKey: string | null;
  /** The HTTP status the fake answered with. */
  status: number;
}

export interface SignedPayload {
  payload: string;
  header: string;
}

export interface DeliverOptions {
  /** Signature timestamp in seconds (default: now). */
  timestamp?: number;
  /** Send this body instead of the signed payload (a tampered delivery). */
  body?: string;
  /** Extra or replacement request headers. */
  headers?: Record<string, string>;
}

export interface FakeStripeOptions {
  /** The fake's clock in milliseconds (default Date.now): `created`, `expires_at` checks, event times. */
  now?: () => number;
}

export interface FakeStripe {
  host: string;
  port: number;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  sessions: Map<string, FakeSession>;
  paymentIntents: Map<string, FakePaymentIntent>;
  charges: Map<string, FakeCharge>;
  refunds: Map<string, FakeRefund>;
  disputes: Map<string, FakeDispute>;
  /** Every /v1 request, in arrival order. */
  requests: RecordedRequest[];
  /** Every event the fake produced (test-control calls and API refunds), oldest first. */
  events: FakeEvent[];
  /** A real Stripe SDK instance pointed at this fake. */
  client(key?: string): Stripe;
  /** The customer completes the session: `checkout.session.completed`. */
  pay(sessionId: string, opts?: { async?: boolean; email?: string; name?: string }): FakeEvent<FakeSession>;
  /** A delayed payment method settles: `checkout.session.async_payment_succeeded` / `_failed`. */
  settleAsync(sessionId: string, succeeded: boolean): FakeEvent<FakeSession>;
  /** The session times out: `checkout.session.expired`. */
  expire(sessionId: string): FakeEvent<FakeSession>;
  /** A refund made in the Dashboard (default: all that is left): `charge.refunded`. */
  refundInDashboard(chargeId: string, amount?: number): FakeEvent<FakeCharge>;
  /** The cardholder disputes the charge: `charge.dispute.created`. */
  dispute(chargeId: string, opts?: { amount?: number; reason?: string }): FakeEvent<FakeDispute>;
  /** The dispute is decided: `charge.dispute.closed` with status won or lost. */
  closeDispute(disputeId: string, won: boolean): FakeEvent<FakeDispute>;
  /** Any other event. */
  event<T extends object>(type: FakeEventType, object: T): FakeEvent<T>;
  /** Signs JSON.stringify(event) with the SDK's generateTestHeaderString. */
  sign(event: FakeEvent, secret: string, opts?: { timestamp?: number }): SignedPayload;
  /** POSTs the signed event to `url` over real HTTP. */
  deliver(url: string, event: FakeEvent, secret: string, opts?: DeliverOptions): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Stripe's rules the fake enforces

/**
 * Minimum charge per presentment currency, in the smallest unit (Stripe's
 * documented table; KRW is not in it and uses 100). Other currencies: any
 * positive amount.
 */
export const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  krw: 100,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};
/** Stripe accepts amounts of up to eight digits. */
export const MAXIMUM_CHARGE = 99_999_999;

// Every parameter the real endpoint knows (stripe 23.x SessionCreateParams):
// the fake rejects any other, as Stripe does, and ignores the ones it does not model.
const SESSION_CREATE_PARAMS = new Set([
  'adaptive_pricing', 'after_expiration', 'allow_promotion_codes', 'allowed_payment_method_types', 'automatic_tax',
  'billing_address_collection', 'branding_settings', 'cancel_url', 'client_reference_id', 'consent_collection',
  'currency', 'custom_fields', 'custom_text', 'customer', 'customer_account', 'customer_creation', 'customer_email',
  'customer_update', 'discounts', 'excluded_payment_method_types', 'expand', 'expires_at', 'integration_identifier',
  'invoice_creation', 'line_items', 'locale', 'managed_payments', 'metadata', 'mode', 'name_collection',
  'optional_items', 'origin_context', 'payment_intent_data', 'payment_method_collection', 'payment_method_configuration',
  'payment_method_data', 'payment_method_options', 'permissions', 'phone_number_collection', 'redirect_on_completion',
  'return_url', 'saved_payment_method_options', 'setup_intent_data', 'shipping_address_collection', 'shipping_options',
  'submit_type', 'subscription_data', 'success_url', 'tax_id_collection', 'ui_mode', 'wallet_options',
]);
// Real parameters that would change what is charged: refused rather than silently ignored.
const SESSION_UNMODELLED = new Set(['discounts', 'optional_items', 'shipping_options', 'subscription_data', 'setup_intent_data', 'automatic_tax']);
const LINE_ITEM_PARAMS = new Set(['adjustable_quantity', 'metadata', 'price', 'price_data', 'quantity', 'tax_rates']);
const PRICE_DATA_PARAMS = new Set(['currency', 'product', 'product_data', 'recurring', 'tax_behavior', 'unit_amount', 'unit_amount_decimal']);
const PRODUCT_DATA_PARAMS = new Set(['description', 'images', 'metadata', 'name', 'tax_code', 'tax_details', 'unit_label']);
const PAYMENT_INTENT_DATA_PARAMS = new Set([
  'application_fee_amount', 'capture_method', 'description', 'metadata', 'on_behalf_of', 'receipt_email',
  'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data', 'transfer_group',
]);
const REFUND_CREATE_PARAMS = new Set([
  'amount', 'charge', 'currency', 'customer', 'expand', 'instructions_email', 'metadata', 'origin', 'payment_intent',
  'reason', 'refund_application_fee', 'reverse_transfer',
]);
const SESSION_LIST_PARAMS = new Set([
  'created', 'customer', 'customer_account', 'customer_details', 'ending_before', 'expand', 'limit', 'payment_intent',
  'payment_link', 'starting_after', 'status', 'subscription',
]);
const SUBMIT_TYPES = new Set(['auto', 'book', 'donate', 'pay', 'subscribe']);
const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

// ---------------------------------------------------------------------------
// Errors in Stripe's envelope

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
    readonly code?: string,
    readonly type: 'invalid_request_error' | 'idempotency_error' = 'invalid_request_error',
  ) {
    super(message);
  }
  toJSON(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.code !== undefined) error.code = this.code;
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

const missing = (param: string) => new ApiError(400, `Missing required param: ${param}.`, param, 'parameter_missing');
const unknownParam = (param: string) =>
  new ApiError(400, `Received unknown parameter: ${param}`, param, 'parameter_unknown');
const unmodelled = (param: string) =>
  new ApiError(400, `(fake Stripe) the fake does not model the parameter ${param}`, param, 'parameter_unknown');
const noSuch = (kind: string, id: string, param: string, status = 400) =>
  new ApiError(status, `No such ${kind}: '${id}'`, param, 'resource_missing');

// ---------------------------------------------------------------------------
// Form decoding

const INDEX = /^(0|[1-9]\d*)$/;

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (const m of rest.matchAll(re)) {
    if (m.index !== consumed) return [key];
    parts.push(m[1] ?? '');
    consumed = m.index + m[0].length;
  }
  return consumed === rest.length ? parts : [key];
}

function isObject(v: FormValue | undefined): v is FormObject {
  return typeof v === 'object' && !Array.isArray(v);
}

/** Decodes `a[b][0][c]=x` pairs (a body or a query string) into nested objects and arrays. */
export function decodeForm(raw: string | URLSearchParams): FormObject {
  const params = typeof raw === 'string' ? new URLSearchParams(raw) : raw;
  const root: FormObject = {};
  for (const [key, value] of params) {
    const parts = splitKey(key);
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      let part = parts[i] ?? '';
      if (part === '__proto__' || part === 'constructor' || part === 'prototype') {
        throw new ApiError(400, `Invalid parameter name: ${key}`, key);
      }
      if (part === '') part = String(Object.keys(node).length);
      const last = i === parts.length - 1;
      const existing = node[part];
      if (last) {
        if (existing !== undefined && typeof existing !== 'string') throw new ApiError(400, 'Invalid hash', parts.slice(0, i + 1).join('.'));
        node[part] = value;
      } else {
        if (existing === undefined) node[part] = {};
        const next = node[part];
        if (!isObject(next)) throw new ApiError(400, 'Invalid hash', parts.slice(0, i + 1).join('.'));
        node = next;
      }
    }
  }
  return arrayify(root, false) as FormObject;
}

/** Objects keyed 0..n-1 become arrays, except inside metadata (its keys are the caller's). */
function arrayify(v: FormValue, inMetadata: boolean): FormValue {
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  const out: FormObject = {};
  for (const k of keys) out[k] = arrayify(v[k] as FormValue, inMetadata || k === 'metadata');
  if (!inMetadata && keys.length > 0 && keys.every((k) => INDEX.test(k))) {
    const sorted = keys.map(Number).sort((a, b) => a - b);
    if (sorted.every((n, i) => n === i)) return sorted.map((n) => out[String(n)] as FormValue);
  }
  return out;
}

/** A stable serialisation of a decoded body, to compare idempotent retries. */
function fingerprint(v: FormValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(fingerprint).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${fingerprint(v[k] as FormValue)}`)
    .join(',')}}`;
}

// ---------------------------------------------------------------------------
// Parameter readers

function checkKeys(obj: FormObject, allowed: ReadonlySet<string>, prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw unknownParam(prefix ? `${prefix}[${k}]` : k);
  }
}

function readString(obj: FormObject, key: string, param: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, `Invalid string: ${param}`, param);
  return v;
}

function readInt(obj: FormObject, key: string, param: string): number | undefined {
  const s = readString(obj, key, param);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new ApiError(400, `Invalid integer: ${s}`, param, 'parameter_invalid_integer');
  }
  return Number(s);
}

function readObject(obj: FormObject, key: string, param: string): FormObject | undefined {
  const v = obj[key];
  if (v === undefined || v === '') return undefined;
  if (!isObject(v)) throw new ApiError(400, `Invalid object: ${param}`, param);
  return v;
}

function readArray(obj: FormObject, key: string, param: string): FormValue[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ApiError(400, `Invalid array: ${param}`, param);
  return v;
}

function readMetadata(obj: FormObject, key: string, param: string): Record<string, string> {
  const v = obj[key];
  if (v === undefined || v === '') return {};
  if (!isObject(v)) throw new ApiError(400, `Invalid object: ${param}`, param);
  const keys = Object.keys(v);
  if (keys.length > 50) throw new ApiError(400, 'Metadata can have up to 50 keys.', param);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const value = v[k];
    if (typeof value !== 'string') throw new ApiError(400, `Invalid string: ${param}[${k}]`, `${param}[${k}]`);
    if (k.length > 40) throw new ApiError(400, `Metadata keys can be at most 40 characters (${k}).`, `${param}[${k}]`);
    if (value.length > 500) throw new ApiError(400, `Metadata values can be at most 500 characters (${k}).`, `${param}[${k}]`);
    out[k] = value;
  }
  return out;
}

function readUrl(obj: FormObject, key: string): string | undefined {
  const s = readString(obj, key, key);
  if (s === undefined) return undefined;
  let ok = false;
  try {
    // The {CHECKOUT_SESSION_ID} template is allowed in the query and path.
    const u = new URL(s.replaceAll('{CHECKOUT_SESSION_ID}', 'x'));
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) throw new ApiError(400, 'Not a valid URL', key, 'url_invalid');
  return s;
}

function readExpand(obj: FormObject): string[] {
  const v = obj.expand;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [v];
  return list.map((x) => {
    if (typeof x !== 'string') throw new ApiError(400, 'Invalid array: expand', 'expand');
    return x;
  });
}

// ---------------------------------------------------------------------------
// The fake

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function newId(prefix: string, length = 24): string {
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return s;
}

const clone = <T>(v: T): T => structuredClone(v);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface SessionExtras {
  seq: number;
  lineItems: FakeLineItem[];
  paymentIntentMetadata: Record<string, string>;
  paymentIntentDescription: string | null;
  asyncPending: boolean;
}

interface StoredIdempotent {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const now = options.now ?? Date.now;
  const seconds = () => Math.floor(now() / 1000);
  const apiVersion: string = Stripe.API_VERSION;

  const sessions = new Map<string, FakeSession>();
  const extras = new Map<string, SessionExtras>();
  const paymentIntents = new Map<string, FakePaymentIntent>();
  const charges = new Map<string, FakeCharge>();
  const refunds = new Map<string, FakeRefund>();
  const disputes = new Map<string, FakeDispute>();
  const requests: RecordedRequest[] = [];
  const events: FakeEvent[] = [];
  const idempotent = new Map<string, StoredIdempotent>();
  let seq = 0;
  let port = 0;

  function makeEvent<T extends object>(
    type: FakeEventType,
    object: T,
    request: FakeEvent['request'] = { id: null, idempotency_key: null },
    previous?: Record<string, unknown>,
  ): FakeEvent<T> {
    const event: FakeEvent<T> = {
      id: newId('evt_'),
      object: 'event',
      api_version: apiVersion,
      created: seconds(),
      data: previous ? { object: clone(object), previous_attributes: previous } : { object: clone(object) },
      livemode: false,
      pending_webhooks: 1,
      request,
      type,
    };
    events.push(event);
    return event;
  }

  function getSession(id: string): { session: FakeSession; extra: SessionExtras } {
    const session = sessions.get(id);
    const extra = extras.get(id);
    if (!session || !extra) throw new Error(`fake Stripe: no such checkout session ${id}`);
    return { session, extra };
  }

  function chargeWithRefunds(charge: FakeCharge): FakeCharge {
    const data = [...refunds.values()].filter((r) => r.charge === charge.id).reverse();
    return {
      ...clone(charge),
      refunds: { object: 'list', data: clone(data), has_more: false, url: `/v1/charges/${charge.id}/refunds` },
    };
  }

  // --- Checkout Sessions -----------------------------------------------------

  function createSession(body: FormObject): FakeSession {
    checkKeys(body, SESSION_CREATE_PARAMS, '');
    for (const k of Object.keys(body)) if (SESSION_UNMODELLED.has(k)) throw unmodelled(k);

    const mode = readString(body, 'mode', 'mode');
    if (mode === undefined) throw missing('mode');
    if (mode !== 'payment') {
      if (mode === 'setup' || mode === 'subscription') throw unmodelled(`mode=${mode}`);
      throw new ApiError(400, `Invalid mode: must be one of payment, setup, or subscription`, 'mode');
    }
    const successUrl = readUrl(body, 'success_url');
    const uiMode = readString(body, 'ui_mode', 'ui_mode');
    if (successUrl === undefined && (uiMode === undefined || uiMode === 'hosted')) throw missing('success_url');
    const cancelUrl = readUrl(body, 'cancel_url');

    const items = readArray(body, 'line_items', 'line_items');
    if (items === undefined || items.length === 0) throw missing('line_items');
    if (items.length > 100) throw new ApiError(400, 'A Checkout Session can have at most 100 line items.', 'line_items');
    let currency: string | undefined;
    let total = 0;
    const lineItems: FakeLineItem[] = items.map((raw, i) => {
      const p = `line_items[${i}]`;
      if (!isObject(raw)) throw new ApiError(400, `Invalid object: ${p}`, p);
      checkKeys(raw, LINE_ITEM_PARAMS, p);
      if (raw.price !== undefined) throw unmodelled(`${p}[price]`);
      const priceData = readObject(raw, 'price_data', `${p}[price_data]`);
      if (!priceData) throw missing(`${p}[price_data]`);
      const pp = `${p}[price_data]`;
      checkKeys(priceData, PRICE_DATA_PARAMS, pp);
      for (const k of ['product', 'recurring', 'unit_amount_decimal']) if (priceData[k] !== undefined) throw unmodelled(`${pp}[${k}]`);
      const cur = readString(priceData, 'currency', `${pp}[currency]`);
      if (cur === undefined) throw missing(`${pp}[currency]`);
      if (!/^[a-z]{3}$/.test(cur)) throw new ApiError(400, `Invalid currency: ${cur}. Stripe currently supports these currencies in lowercase ISO codes.`, `${pp}[currency]`);
      if (currency !== undefined && cur !== currency) {
        throw new ApiError(400, 'All line items in a Checkout Session must use the same currency.', `${pp}[currency]`);
      }
      currency = cur;
      const unitAmount = readInt(priceData, 'unit_amount', `${pp}[unit_amount]`);
      if (unitAmount === undefined) throw missing(`${pp}[unit_amount]`);
      if (unitAmount <= 0) throw new ApiError(400, 'This value must be greater than or equal to 1.', `${pp}[unit_amount]`);
      const productData = readObject(priceData, 'product_data', `${pp}[product_data]`);
      if (!productData) throw missing(`${pp}[product_data]`);
      checkKeys(productData, PRODUCT_DATA_PARAMS, `${pp}[product_data]`);
      const name = readString(productData, 'name', `${pp}[product_data][name]`);
      if (name === undefined || name.trim() === '') throw missing(`${pp}[product_data][name]`);
      const quantity = readInt(raw, 'quantity', `${p}[quantity]`);
      if (quantity === undefined) throw missing(`${p}[quantity]`);
      if (quantity <= 0) throw new ApiError(400, 'This value must be greater than or equal to 1.', `${p}[quantity]`);
      const amount = unitAmount * quantity;
      total += amount;
      return {
        id: newId('li_'),
        object: 'item',
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: cur,
        description: name,
        quantity,
        price: { unit_amount: unitAmount, currency: cur, product_name: name },
      };
    });
    const cur = currency ?? 'usd';
    const minimum = MINIMUM_CHARGE[cur] ?? 1;
    if (total < minimum) {
      throw new ApiError(
        400,
        `The Checkout Session's total amount due must add up to at least ${minimum} ${cur} (in the currency's smallest unit).`,
        'line_items',
        'amount_too_small',
      );
    }
    if (total > MAXIMUM_CHARGE) {
      throw new ApiError(400, `The Checkout Session's total amount due must be no more than ${MAXIMUM_CHARGE} ${cur}.`, 'line_items', 'amount_too_large');
    }

    const created = seconds();
    const expiresAtParam = readInt(body, 'expires_at', 'expires_at');
    if (expiresAtParam !== undefined) {
      if (expiresAtParam < created + 30 * 60) {
        throw new ApiError(400, 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
      }
      if (expiresAtParam > created + 24 * 3600) {
        throw new ApiError(400, 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
      }
    }
    const metadata = readMetadata(body, 'metadata', 'metadata');
    const pid = readObject(body, 'payment_intent_data', 'payment_intent_data') ?? {};
    checkKeys(pid, PAYMENT_INTENT_DATA_PARAMS, 'payment_intent_data');
    const pidMetadata = readMetadata(pid, 'metadata', 'payment_intent_data[metadata]');
    const pidDescription = readString(pid, 'description', 'payment_intent_data[description]') ?? null;
    const customerEmail = readString(body, 'customer_email', 'customer_email');
    if (customerEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
      throw new ApiError(400, `Invalid email address: ${customerEmail}`, 'customer_email', 'email_invalid');
    }
    const clientReferenceId = readString(body, 'client_reference_id', 'client_reference_id');
    if (clientReferenceId !== undefined && clientReferenceId.length > 200) {
      throw new ApiError(400, 'client_reference_id can be at most 200 characters.', 'client_reference_id');
    }
    const submitType = readString(body, 'submit_type', 'submit_type');
    if (submitType !== undefined && !SUBMIT_TYPES.has(submitType)) {
      throw new ApiError(400, `Invalid submit_type: must be one of ${[...SUBMIT_TYPES].join(', ')}`, 'submit_type');
    }

    const id = newId('cs_test_', 58);
    const session: FakeSession = {
      id,
      object: 'checkout.session',
      amount_subtotal: total,
      amount_total: total,
      cancel_url: cancelUrl ?? null,
      client_reference_id: clientReferenceId ?? null,
      created,
      currency: cur,
      customer_details: null,
      customer_email: customerEmail ?? null,
      expires_at: expiresAtParam ?? created + 24 * 3600,
      livemode: false,
      metadata,
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      submit_type: (submitType as FakeSession['submit_type'] | undefined) ?? null,
      success_url: successUrl ?? null,
      url: `http://127.0.0.1:${port}/pay/${id}`,
    };
    sessions.set(id, session);
    extras.set(id, { seq: ++seq, lineItems, paymentIntentMetadata: pidMetadata, paymentIntentDescription: pidDescription, asyncPending: false });
    return session;
  }

  function renderSession(session: FakeSession, expand: readonly string[], prefix: string): FakeSession {
    const out = clone(session);
    for (const path of expand) {
      if (path === `${prefix}payment_intent`) {
        const pi = typeof session.payment_intent === 'string' ? paymentIntents.get(session.payment_intent) : undefined;
        if (pi) out.payment_intent = clone(pi);
      } else if (path === `${prefix}line_items`) {
        const items = extras.get(session.id)?.lineItems ?? [];
        out.line_items = { object: 'list', data: clone(items), has_more: false, url: `/v1/checkout/sessions/${session.id}/line_items` };
      } else {
        throw new ApiError(400, `This property cannot be expanded (${path}).`, 'expand');
      }
    }
    return out;
  }

  function listSessions(query: FormObject): Stripe.ApiList<FakeSession> {
    checkKeys(query, SESSION_LIST_PARAMS, '');
    const limit = readInt(query, 'limit', 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw new ApiError(400, 'This value must be between 1 and 100.', 'limit');
    const startingAfter = readString(query, 'starting_after', 'starting_after');
    const endingBefore = readString(query, 'ending_before', 'ending_before');
    if (startingAfter !== undefined && endingBefore !== undefined) {
      throw new ApiError(400, 'You may only specify one of these parameters: ending_before, starting_after.', 'ending_before');
    }
    const status = readString(query, 'status', 'status');
    const paymentIntent = readString(query, 'payment_intent', 'payment_intent');
    const range: { gt?: number; gte?: number; lt?: number; lte?: number } = {};
    if (typeof query.created === 'string') {
      const exact = readInt(query, 'created', 'created');
      range.gte = exact;
      range.lte = exact;
    } else {
      const created = readObject(query, 'created', 'created');
      if (created) {
        checkKeys(created, new Set(['gt', 'gte', 'lt', 'lte']), 'created');
        range.gt = readInt(created, 'gt', 'created[gt]');
        range.gte = readInt(created, 'gte', 'created[gte]');
        range.lt = readInt(created, 'lt', 'created[lt]');
        range.lte = readInt(created, 'lte', 'created[lte]');
      }
    }
    const expand = readExpand(query);
    const all = [...sessions.values()]
      .filter((s) => status === undefined || s.status === status)
      .filter((s) => paymentIntent === undefined || s.payment_intent === paymentIntent)
      .filter((s) => range.gt === undefined || s.created > range.gt)
      .filter((s) => range.gte === undefined || s.created >= range.gte)
      .filter((s) => range.lt === undefined || s.created < range.lt)
      .filter((s) => range.lte === undefined || s.created <= range.lte)
      .sort((a, b) => b.created - a.created || (extras.get(b.id)?.seq ?? 0) - (extras.get(a.id)?.seq ?? 0));
    let page: FakeSession[];
    let hasMore: boolean;
    if (endingBefore !== undefined) {
      const at = all.findIndex((s) => s.id === endingBefore);
      if (at < 0) throw noSuch('checkout.session', endingBefore, 'ending_before');
      const from = Math.max(0, at - limit);
      page = all.slice(from, at);
      hasMore = from > 0;
    } else {
      let from = 0;
      if (startingAfter !== undefined) {
        const at = all.findIndex((s) => s.id === startingAfter);
        if (at < 0) throw noSuch('checkout.session', startingAfter, 'starting_after');
        from = at + 1;
      }
      page = all.slice(from, from + limit);
      hasMore = from + limit < all.length;
    }
    return { object: 'list', data: page.map((s) => renderSession(s, expand, 'data.')), has_more: hasMore, url: '/v1/checkout/sessions' };
  }

  function expireSession(session: FakeSession): void {
    if (session.status !== 'open') {
      throw new ApiError(400, `Only Checkout Sessions with a status of \`open\` can be expired; this one is \`${session.status}\`.`, 'session');
    }
    session.status = 'expired';
    session.url = null;
  }

  // --- Refunds -----------------------------------------------------------------

  interface RefundInput {
    charge: FakeCharge;
    amount?: number;
    metadata: Record<string, string>;
    reason: FakeRefund['reason'];
  }

  function applyRefund({ charge, amount, metadata, reason }: RefundInput): FakeRefund {
    if (charge.status !== 'succeeded') {
      throw new ApiError(400, `Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge', 'charge_not_refundable');
    }
    const dispute = [...disputes.values()].find((d) => d.charge === charge.id && d.status !== 'won');
    if (dispute) {
      throw new ApiError(400, `Charge ${charge.id} has been charged back; it cannot be refunded.`, 'charge', 'charge_disputed');
    }
    const left = charge.amount - charge.amount_refunded;
    if (left <= 0) throw new ApiError(400, `Charge ${charge.id} has already been refunded.`, 'charge', 'charge_already_refunded');
    const value = amount ?? left;
    if (value <= 0) throw new ApiError(400, 'This value must be greater than or equal to 1.', 'amount');
    if (value > left) {
      throw new ApiError(
        400,
        `Refund amount (${value} ${charge.currency}) is greater than unrefunded amount on charge (${left} ${charge.currency})`,
        'amount',
        'amount_too_large',
      );
    }
    const refund: FakeRefund = {
      id: newId('re_'),
      object: 'refund',
      amount: value,
      charge: charge.id,
      created: seconds(),
      currency: charge.currency,
      metadata,
      payment_intent: charge.payment_intent,
      reason,
      status: 'succeeded',
    };
    refunds.set(refund.id, refund);
    charge.amount_refunded += value;
    charge.refunded = charge.amount_refunded === charge.amount;
    return refund;
  }

  function createRefund(body: FormObject, request: FakeEvent['request']): FakeRefund {
    checkKeys(body, REFUND_CREATE_PARAMS, '');
    const piId = readString(body, 'payment_intent', 'payment_intent');
    const chargeId = readString(body, 'charge', 'charge');
    if (piId === undefined && chargeId === undefined) {
      throw new ApiError(400, 'One of the following params should be provided for this request: payment_intent or charge.', 'charge', 'parameter_missing');
    }
    let charge: FakeCharge | undefined;
    if (piId !== undefined) {
      const pi = paymentIntents.get(piId);
      if (!pi) throw noSuch('payment_intent', piId, 'payment_intent');
      charge = pi.latest_charge ? charges.get(pi.latest_charge) : undefined;
      if (!charge || pi.status !== 'succeeded') {
        throw new ApiError(400, `This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
      }
      if (chargeId !== undefined && chargeId !== charge.id) {
        throw new ApiError(400, `Charge ${chargeId} does not belong to PaymentIntent ${piId}.`, 'charge');
      }
    } else if (chargeId !== undefined) {
      charge = charges.get(chargeId);
      if (!charge) throw noSuch('charge', chargeId, 'charge');
    }
    if (!charge) throw missing('charge');
    const amount = readInt(body, 'amount', 'amount');
    const currency = readString(body, 'currency', 'currency');
    if (currency !== undefined && currency !== charge.currency) {
      throw new ApiError(400, `The refund currency must be the charge's currency (${charge.currency}).`, 'currency');
    }
    const reason = readString(body, 'reason', 'reason');
    if (reason !== undefined && !REFUND_REASONS.has(reason)) {
      throw new ApiError(400, `Invalid reason: must be one of ${[...REFUND_REASONS].join(', ')}`, 'reason');
    }
    const refund = applyRefund({ charge, amount, metadata: readMetadata(body, 'metadata', 'metadata'), reason: reason ?? null });
    // What Stripe would then send to the webhook endpoints.
    makeEvent('charge.refunded', chargeWithRefunds(charge), request);
    makeEvent('refund.created', refund, request);
    return refund;
  }

  // --- HTTP --------------------------------------------------------------------

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': newId('req_', 14),
      'stripe-version': apiVersion,
      ...headers,
    });
    res.end(body);
  }

  function route(method: string, path: string, query: FormObject, body: FormObject, request: FakeEvent['request']): unknown {
    const expand = readExpand(method === 'GET' ? query : body);
    const is = (m: string, re: RegExp): string[] | undefined => {
      const match = method === m ? re.exec(path) : null;
      return match ? match.slice(1).map(decodeURIComponent) : undefined;
    };
    let p: string[] | undefined;
    if (is('POST', /^\/v1\/checkout\/sessions$/)) return renderSession(createSession(body), expand, '');
    if (is('GET', /^\/v1\/checkout\/sessions$/)) return listSessions(query);
    if ((p = is('GET', /^\/v1\/checkout\/sessions\/([^/]+)$/))) {
      const session = sessions.get(p[0] ?? '');
      if (!session) throw noSuch('checkout.session', p[0] ?? '', 'session', 404);
      return renderSession(session, expand, '');
    }
    if ((p = is('POST', /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/))) {
      const session = sessions.get(p[0] ?? '');
      if (!session) throw noSuch('checkout.session', p[0] ?? '', 'session', 404);
      checkKeys(body, new Set(['expand']), '');
      expireSession(session);
      return renderSession(session, expand, '');
    }
    if (is('POST', /^\/v1\/refunds$/)) return createRefund(body, request);
    if ((p = is('GET', /^\/v1\/refunds\/([^/]+)$/))) {
      const refund = refunds.get(p[0] ?? '');
      if (!refund) throw noSuch('refund', p[0] ?? '', 'id', 404);
      return clone(refund);
    }
    if ((p = is('GET', /^\/v1\/payment_intents\/([^/]+)$/))) {
      const pi = paymentIntents.get(p[0] ?? '');
      if (!pi) throw noSuch('payment_intent', p[0] ?? '', 'intent', 404);
      return clone(pi);
    }
    if ((p = is('GET', /^\/v1\/charges\/([^/]+)$/))) {
      const charge = charges.get(p[0] ?? '');
      if (!charge) throw noSuch('charge', p[0] ?? '', 'charge', 404);
      return expand.includes('refunds') ? chargeWithRefunds(charge) : clone(charge);
    }
    return undefined;
  }

  function payPage(res: ServerResponse, id: string): void {
    const session = sessions.get(id);
    const extra = extras.get(id);
    if (!session || !extra) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1><p>No such session.</p>');
      return;
    }
    const items = extra.lineItems
      .map((li) => `<li>${escapeHtml(li.description ?? '')} × ${li.quantity ?? 1}: ${li.amount_total} ${escapeHtml(li.currency)}</li>`)
      .join('');
    const cancel = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>` : '';
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><title>Fake Stripe Checkout</title></head><body>' +
      '<h1>Fake Stripe Checkout</h1>' +
      `<p class="amount" data-amount="${session.amount_total ?? 0}" data-currency="${escapeHtml(session.currency ?? '')}">` +
      `Amount: ${session.amount_total ?? 0} ${escapeHtml((session.currency ?? '').toUpperCase())} (smallest currency unit)</p>` +
      `<ul>${items}</ul><p class="status">Status: ${escapeHtml(session.status ?? '')}</p>${cancel}</body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = target.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    const payMatch = /^\/pay\/([^/]+)$/.exec(path);
    if (payMatch && method === 'GET') {
      payPage(res, decodeURIComponent(payMatch[1] ?? ''));
      return;
    }

    const keyHeader = req.headers['idempotency-key'];
    const idempotencyKey = typeof keyHeader === 'string' ? keyHeader : null;
    const record: RecordedRequest = { method, path, query: {}, body: {}, idempotencyKey, status: 0 };
    requests.push(record);
    const reply = (status: number, body: string, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, body, headers);
    };

    try {
      const auth = req.headers.authorization ?? '';
      const key = /^Bearer (\S+)$/.exec(auth)?.[1];
      if (!key) {
        throw new ApiError(401, 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.');
      }
      if (!/^sk_test_\w+$/.test(key)) {
        throw new ApiError(401, `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`, undefined, 'api_key_invalid');
      }
      record.query = decodeForm(target.searchParams);
      const contentType = req.headers['content-type'] ?? '';
      if (raw !== '' && method !== 'GET' && !contentType.startsWith('application/x-www-form-urlencoded')) {
        throw new ApiError(400, `(fake Stripe) expected a form-encoded body, got ${contentType || 'no content type'}`);
      }
      record.body = method === 'GET' ? {} : decodeForm(raw);

      let stored: StoredIdempotent | undefined;
      let print = '';
      if (method === 'POST' && idempotencyKey !== null) {
        print = fingerprint(record.body);
        stored = idempotent.get(idempotencyKey);
        if (stored) {
          if (stored.method !== method || stored.path !== path || stored.fingerprint !== print) {
            throw new ApiError(
              400,
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              undefined,
              undefined,
              'idempotency_error',
            );
          }
          reply(stored.status, stored.body, { 'idempotency-key': idempotencyKey, 'idempotent-replayed': 'true' });
          return;
        }
      }

      const result = route(method, path, record.query, record.body, { id: newId('req_', 14), idempotency_key: idempotencyKey });
      if (result === undefined) {
        throw new ApiError(404, `Unrecognized request URL (${method}: ${path}).`);
      }
      const json = JSON.stringify(result);
      if (method === 'POST' && idempotencyKey !== null) {
        idempotent.set(idempotencyKey, { method, path, fingerprint: print, status: 200, body: json });
        reply(200, json, { 'idempotency-key': idempotencyKey });
      } else {
        reply(200, json);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        reply(err.status, JSON.stringify(err.toJSON()));
      } else {
        const message = err instanceof Error ? err.message : String(err);
        reply(500, JSON.stringify({ error: { type: 'api_error', message: `(fake Stripe) ${message}` } }));
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;

  // --- Test control --------------------------------------------------------------

  function pay(sessionId: string, opts: { async?: boolean; email?: string; name?: string } = {}): FakeEvent<FakeSession> {
    const { session, extra } = getSession(sessionId);
    if (session.status !== 'open') throw new Error(`fake Stripe: session ${sessionId} is ${session.status}, not open`);
    const amount = session.amount_total ?? 0;
    const currency = session.currency ?? 'usd';
    const created = seconds();
    const pending = opts.async === true;
    const pi: FakePaymentIntent = {
      id: newId('pi_'),
      object: 'payment_intent',
      amount,
      amount_received: pending ? 0 : amount,
      created,
      currency,
      description: extra.paymentIntentDescription,
      latest_charge: null,
      livemode: false,
      metadata: { ...extra.paymentIntentMetadata },
      status: pending ? 'processing' : 'succeeded',
    };
    const charge: FakeCharge = {
      id: newId('ch_'),
      object: 'charge',
      amount,
      amount_captured: pending ? 0 : amount,
      amount_refunded: 0,
      captured: !pending,
      created,
      currency,
      description: extra.paymentIntentDescription,
      disputed: false,
      livemode: false,
      metadata: { ...extra.paymentIntentMetadata },
      paid: !pending,
      payment_intent: pi.id,
      refunded: false,
      status: pending ? 'pending' : 'succeeded',
    };
    pi.latest_charge = charge.id;
    paymentIntents.set(pi.id, pi);
    charges.set(charge.id, charge);
    extra.asyncPending = pending;
    session.status = 'complete';
    session.url = null;
    session.payment_status = pending ? 'unpaid' : 'paid';
    session.payment_intent = pi.id;
    session.customer_details = { email: opts.email ?? session.customer_email ?? 'donor@example.test', name: opts.name ?? 'Test Donor' };
    return makeEvent('checkout.session.completed', session);
  }

  function settleAsync(sessionId: string, succeeded: boolean): FakeEvent<FakeSession> {
    const { session, extra } = getSession(sessionId);
    if (!extra.asyncPending) throw new Error(`fake Stripe: session ${sessionId} has no pending asynchronous payment`);
    const pi = typeof session.payment_intent === 'string' ? paymentIntents.get(session.payment_intent) : undefined;
    const charge = pi?.latest_charge ? charges.get(pi.latest_charge) : undefined;
    if (!pi || !charge) throw new Error(`fake Stripe: session ${sessionId} has no payment`);
    extra.asyncPending = false;
    if (succeeded) {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      charge.status = 'succeeded';
      charge.paid = true;
      charge.captured = true;
      charge.amount_captured = charge.amount;
      session.payment_status = 'paid';
      return makeEvent('checkout.session.async_payment_succeeded', session);
    }
    pi.status = 'requires_payment_method';
    charge.status = 'failed';
    return makeEvent('checkout.session.async_payment_failed', session);
  }

  function expire(sessionId: string): FakeEvent<FakeSession> {
    const { session } = getSession(sessionId);
    if (session.status !== 'open') throw new Error(`fake Stripe: session ${sessionId} is ${session.status}, not open`);
    expireSession(session);
    return makeEvent('checkout.session.expired', session);
  }

  function refundInDashboard(chargeId: string, amount?: number): FakeEvent<FakeCharge> {
    const charge = charges.get(chargeId);
    if (!charge) throw new Error(`fake Stripe: no such charge ${chargeId}`);
    const before = charge.amount_refunded;
    const beforeRefunded = charge.refunded;
    try {
      applyRefund({ charge, amount, metadata: {}, reason: 'requested_by_customer' });
    } catch (err) {
      if (err instanceof ApiError) throw new Error(`fake Stripe: ${err.message}`);
      throw err;
    }
    return makeEvent('charge.refunded', chargeWithRefunds(charge), { id: null, idempotency_key: null }, {
      amount_refunded: before,
      refunded: beforeRefunded,
    });
  }

  function dispute(chargeId: string, opts: { amount?: number; reason?: string } = {}): FakeEvent<FakeDispute> {
    const charge = charges.get(chargeId);
    if (!charge) throw new Error(`fake Stripe: no such charge ${chargeId}`);
    if (charge.status !== 'succeeded') throw new Error(`fake Stripe: charge ${chargeId} is ${charge.status}`);
    const d: FakeDispute = {
      id: newId('dp_'),
      object: 'dispute',
      amount: opts.amount ?? charge.amount - charge.amount_refunded,
      charge: charge.id,
      created: seconds(),
      currency: charge.currency,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: opts.reason ?? 'fraudulent',
      status: 'needs_response',
    };
    disputes.set(d.id, d);
    charge.disputed = true;
    return makeEvent('charge.dispute.created', d);
  }

  function closeDispute(disputeId: string, won: boolean): FakeEvent<FakeDispute> {
    const d = disputes.get(disputeId);
    if (!d) throw new Error(`fake Stripe: no such dispute ${disputeId}`);
    if (d.status === 'won' || d.status === 'lost') throw new Error(`fake Stripe: dispute ${disputeId} is already ${d.status}`);
    const previous = d.status;
    d.status = won ? 'won' : 'lost';
    return makeEvent('charge.dispute.closed', d, { id: null, idempotency_key: null }, { status: previous });
  }

  function sign(event: FakeEvent, secret: string, opts: { timestamp?: number } = {}): SignedPayload {
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: opts.timestamp ?? seconds() });
    return { payload, header };
  }

  async function deliver(target: string, event: FakeEvent, secret: string, opts: DeliverOptions = {}): Promise<{ status: number; body: string }> {
    const { payload, header } = sign(event, secret, { timestamp: opts.timestamp });
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header, ...opts.headers },
      body: opts.body ?? payload,
    });
    return { status: res.status, body: await res.text() };
  }

  return {
    host,
    port,
    url,
    sessions,
    paymentIntents,
    charges,
    refunds,
    disputes,
    requests,
    events,
    client: (key = 'sk_test_fake') => new Stripe(key, { host, port, protocol: 'http', maxNetworkRetries: 0, telemetry: false }),
    pay,
    settleAsync,
    expire,
    refundInDashboard,
    dispute,
    closeDispute,
    event: (type, object) => makeEvent(type, object),
    sign,
    deliver,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
