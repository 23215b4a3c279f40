// HTML form handling shared by the console, the sponsor portal and the
// account pages: flatten the body, validate with zod, and turn every problem
// (zod's or a service's ValidationError) into a message next to its field.
import { z } from 'zod';
import { DomainError, ValidationError } from '../domain/errors.ts';
import { translator } from '../i18n.ts';

const t = translator('en');

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

/** A urlencoded body as strings (a repeated field keeps its first value). */
export function formValues(body: unknown): FormValues {
  if (!body || typeof body !== 'object') return {};
  const out: FormValues = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === '_csrf') continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = first === undefined || first === null ? '' : String(first);
  }
  return out;
}

/** Every value of a repeated field (checkbox groups). */
export function formList(body: unknown, name: string): string[] {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, values: FormValues): Parsed<z.infer<S>> {
  const r = schema.safeParse(values);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/**
 * Field errors from a service's ValidationError (or a DomainError naming
 * fields), keyed as the form names them; `rename` maps service field paths
 * (e.g. "goal.amount") onto form fields ("goal"). Other errors are rethrown.
 */
export function serviceErrors(err: unknown, rename: Record<string, string> = {}): { errors: FieldErrors; message?: string } {
  if (err instanceof ValidationError || (err instanceof DomainError && err.issues.length > 0)) {
    const errors: FieldErrors = {};
    for (const i of err.issues) {
      const field = rename[i.field] ?? rename[i.field.split('.')[0] ?? ''] ?? i.field;
      errors[field] ??= i.message;
    }
    return { errors, ...(err.issues.length === 0 && { message: err.message }) };
  }
  if (err instanceof DomainError && (err.code === 'invalid_state' || err.code === 'conflict' || err.code === 'missing_rate')) {
    return { errors: {}, message: err.message };
  }
  throw err;
}

/**
 * A local path to return to after login; anything else is ignored. Only
 * printable ASCII without a backslash, starting with one slash: browsers drop
 * tabs and newlines and read `\` as `/`, so `/\t/evil.example` or
 * `/\\evil.example` would leave the site.
 */
export function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(next) ? next : fallback;
}

/**
 * A checkout of our own (the test provider's) is reached by path, so the
 * redirect stays on the origin the visitor uses (the CSP's form-action);
 * a provider's page elsewhere keeps its full address.
 */
export function localPath(url: string, baseUrl: string): string {
  return url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
}

/** A guest buyer on a public form: name, e-mail and the form's one-time token. */
export const buyerForm = z.object({
  name: z.string().trim().min(1, t('Enter your name')).max(200, t('At most 200 characters')),
  email: z.email(t('Enter a valid e-mail address')).max(254),
  form_token: z.string().min(16).max(100),
});

/**
 * A YYYY-MM-DD calendar day as the UTC milliseconds of its first moment, or
 * null when it is not a real day (Date.UTC would roll 2026-02-31 into March).
 */
export function parseUtcDay(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === value ? ms : null;
}
