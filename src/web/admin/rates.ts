// Console: exchange rates (admins only). The rates in effect per currency
// pair, the history of entries, and a form to enter a rate from a date-time.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { addRate, rateBoard } from '../../services/rates.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { currencyOptions } from './campaign-form.ts';

const t = translator('en');
const admins = { roles: ['admin'] as const };
const historySize = 200;

const flashes: Record<string, string> = {
  added: t('The exchange rate was saved. Gifts that already succeeded keep the rate they were converted at.'),
};

function flashOf(req: FastifyRequest): string | undefined {
  const done = (req.query as Record<string, string | undefined>).done;
  return done ? flashes[done] : undefined;
}

const currencyCodes = currencyOptions.map((o) => o.value);
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2026-11-01T09:30" (UTC) → epoch ms; null when it is not a real moment. */
function utcDateTime(value: string): number | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 31 February or 25:00 over: a real moment reads back the same.
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h && back.getUTCMinutes() === mi
    ? ms
    : null;
}

const rateForm = z
  .object({
    base: z.enum(currencyCodes as [string, ...string[]], { message: t('Choose a currency') }),
    quote: z.enum(currencyCodes as [string, ...string[]], { message: t('Choose a currency') }),
    rate: z.string().trim().min(1, t('Enter a rate such as 1.35 or 0.00074')).max(40, t('Enter a rate such as 1.35 or 0.00074')),
    effective: z
      .string()
      .trim()
      .refine((v) => utcDateTime(v) !== null, t('Enter a date and time as YYYY-MM-DD HH:MM (UTC)')),
  })
  .refine((f) => f.base !== f.quote, { message: t('The two currencies must differ'), path: ['quote'] });

/** A form value for a date-time input, in UTC: "2026-11-01T12:00". */
function inputDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

export default async function adminRates(app: FastifyInstance) {
  const svc = app.services;

  function ratesPage(req: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors = {}, message?: string) {
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/rates', {
      title: t('Exchange rates'),
      board: rateBoard(svc, historySize),
      currencies: currencyOptions,
      values,
      errors,
      message,
      flash: flashOf(req),
      utc: (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    });
  }

  app.get('/admin/rates', { schema: { hide: true }, config: { access: admins } }, async (req, reply) =>
    ratesPage(req, reply, { base: 'KRW', quote: 'USD', effective: inputDateTime(svc.now()) }),
  );

  app.post('/admin/rates', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(rateForm, values);
    if (!parsed.ok) return ratesPage(req, reply.code(400), values, parsed.errors);
    const f = parsed.data;
    try {
      await addRate(svc, actorOf(req), { base: f.base, quote: f.quote, rate: f.rate, effectiveAt: utcDateTime(f.effective) ?? svc.now() });
    } catch (err) {
      const e = serviceErrors(err);
      return ratesPage(req, reply.code(400), values, e.errors, e.message);
    }
    return reply.redirect('/admin/rates?done=added', 303);
  });
}
