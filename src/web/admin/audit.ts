// Console: the audit log (admins only), newest first, 50 to a page, filtered
// by kind of action and by subject. Each entry shows what changed, and the
// full before and after records on demand.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readAuditLog, type AuditRow } from '../../db/audit.ts';
import { translator } from '../../i18n.ts';
import type { FieldErrors } from '../forms.ts';

const t = translator('en');
const admins = { roles: ['admin'] as const };
const pageSize = 50;

/** The filter's choices → the action prefix each stands for in the log. */
const actionPrefixes = {
  login: 'log', // login.success, login.failure, login.locked, logout, logout.everywhere
  user: 'user.',
  pledge: 'pledge.',
  gift: 'gift.',
  refund: 'gift.refund',
  rate: 'exchange_rate.',
  token: 'token.',
  campaign: 'campaign.',
  event: 'event', // event.*, event_series.*
  ticket: 'ticket', // ticket.check_in, ticket_type.*
  order: 'order.',
  raffle: 'raffle.',
  payment: 'payment.',
  waitlist: 'waitlist.',
  password: 'password.',
  session: 'session.',
} as const;
type ActionFilter = keyof typeof actionPrefixes;

const actionLabels: Record<ActionFilter, string> = {
  login: t('Logging in and out'),
  user: t('People and invitations'),
  pledge: t('Match pledges'),
  gift: t('Gifts (with refunds)'),
  refund: t('Refunds'),
  rate: t('Exchange rates'),
  token: t('API tokens'),
  campaign: t('Campaigns'),
  event: t('Events and tours'),
  ticket: t('Ticket types and check-ins'),
  order: t('Orders (door sales, refunds)'),
  raffle: t('Raffles'),
  payment: t('Payments (disputes, provider refunds, refusals)'),
  waitlist: t('Waiting lists'),
  password: t('Passwords'),
  session: t('Sessions'),
};

const filters = {
  action: z.union([z.literal(''), z.enum(Object.keys(actionPrefixes) as [ActionFilter, ...ActionFilter[]])], { message: t('Choose from the list') }),
  type: z.union([z.literal(''), z.string().regex(/^[a-z_]{1,40}$/, t('A subject type such as match_pledge or user'))]),
  subject: z.string().trim().max(100, t('At most {n} characters', { n: 100 })),
  page: z.union([z.literal(''), z.string().regex(/^\d{1,6}$/, t('A page number')).refine((p) => Number(p) >= 1, t('A page number'))]),
};
type FilterName = keyof typeof filters;

interface Change {
  field: string;
  before: string;
  after: string;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Times are stored as epoch milliseconds: show them as UTC, and cut long values.
function shown(key: string, v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'number' && /At$/.test(key) && v > 1e11) return `${new Date(v).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** The fields whose values differ between before and after (every field of a record created). */
function changesOf(before: unknown, after: unknown): Change[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  if (!isRecord(before) && !isRecord(after)) return [];
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, before: shown(k, b[k]), after: shown(k, a[k]) }));
}

function pretty(v: unknown): string | null {
  return v === null ? null : typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

function entryView(r: AuditRow) {
  const before = parseJson(r.before);
  const after = parseJson(r.after);
  const created = before === null && after !== null;
  const changes = changesOf(before, after);
  return {
    id: r.id,
    when: `${new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    who: r.actorLabel,
    ip: r.ip,
    action: r.action,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    created,
    // A whole new record (a pledge has some thirty fields) reads better in full below.
    changes: created && changes.length > 8 ? [] : changes,
    before: pretty(before),
    after: pretty(after),
  };
}

export default async function adminAudit(app: FastifyInstance) {
  const svc = app.services;

  app.get('/admin/audit', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const values: Record<FilterName, string> = { action: '', type: '', subject: '', page: '' };
    const errors: FieldErrors = {};
    // A bad filter is reported next to its field and left out; the others still apply.
    for (const name of Object.keys(filters) as FilterName[]) {
      const raw = typeof query[name] === 'string' ? (query[name] as string) : '';
      const r = filters[name].safeParse(raw);
      if (r.success) values[name] = r.data;
      else errors[name] = r.error.issues[0]?.message ?? t('Invalid value');
    }
    const page = values.page ? Number(values.page) : 1;
    const rows = readAuditLog(svc.db, {
      limit: pageSize + 1,
      offset: (page - 1) * pageSize,
      ...(values.action && { action: actionPrefixes[values.action as ActionFilter] }),
      ...(values.type && { subjectType: values.type }),
      ...(values.subject && { subjectId: values.subject }),
    });
    const link = (p: number) => {
      const q = new URLSearchParams();
      for (const k of ['action', 'type', 'subject'] as const) if (values[k]) q.set(k, values[k]);
      if (p > 1) q.set('page', String(p));
      const s = q.toString();
      return s ? `/admin/audit?${s}` : '/admin/audit';
    };
    reply.header('cache-control', 'no-store');
    return reply.code(Object.keys(errors).length > 0 ? 400 : 200).page('pages/admin/audit', {
      title: t('Audit log'),
      entries: rows.slice(0, pageSize).map(entryView),
      values,
      errors,
      actionOptions: [{ value: '', label: t('Everything') }, ...Object.entries(actionLabels).map(([value, label]) => ({ value, label }))],
      page,
      newer: page > 1 ? link(page - 1) : null,
      older: rows.length > pageSize ? link(page + 1) : null,
      filtered: Boolean(values.action || values.type || values.subject),
    });
  });
}
