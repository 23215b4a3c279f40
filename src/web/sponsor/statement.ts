// Sponsor portal: the live statement of one pledge, as a page, a CSV file and
// a printable page. Only the pledge's sponsor (and admins) may open them; no
// donor e-mail is ever on them and anonymous donors stay "Anonymous".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, ValidationError } from '../../domain/errors.ts';
import { parseMoney } from '../../domain/money.ts';
import { newSecret } from '../../db/ids.ts';
import { pledgeStatementCsv } from '../../services/exports.ts';
import { once } from '../../services/idempotency.ts';
import { pledgeCurrency, recordPledgePayment, startPledgePayment } from '../../services/pledge-payments.ts';
import { sponsorStatement } from '../../services/sponsor.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, localPath, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const ownPledge = { roles: ['sponsor', 'admin'] as const, owns: 'pledge' as const };
const sponsorOfPledge = { roles: ['sponsor'] as const, owns: 'pledge' as const };
const adminOfPledge = { roles: ['admin'] as const, owns: 'pledge' as const };

const flashes: Record<string, string> = {
  proposed: t('Proposed — an administrator will review it; it matches nothing until approved.'),
  paying: t('Back from the payment page. The payment shows below as paid once the card payment is confirmed.'),
  recorded: t('Payment recorded; the sponsor was sent a receipt.'),
};

const recordForm = z.object({
  amount: z.string().trim().min(1, 'Enter the amount that arrived'),
  method: z.enum(['transfer', 'cheque', 'cash'], { error: 'Choose how it was paid' }),
  note: z.string().trim().max(500, 'At most 500 characters').optional().transform((v) => v || null),
  form_token: z.string().regex(/^[\w-]{16,100}$/, 'This form has expired; reload the page'),
});

/** The form's one-time token: a repeat of the same form records or starts one payment. */
const payForm = z.object({ form_token: z.string().regex(/^[\w-]{16,100}$/, 'This form has expired; reload the page') });

function flashOf(req: FastifyRequest): string | undefined {
  const done = (req.query as Record<string, string | undefined>).done;
  return done ? flashes[done] : undefined;
}

type ById = { Params: { id: string } };

export default async function sponsorStatementPages(app: FastifyInstance) {
  const svc = app.services;

  function statementPage(req: FastifyRequest<ById>, reply: FastifyReply, extra: { message?: string; recordValues?: FormValues; recordErrors?: FieldErrors } = {}) {
    const st = sponsorStatement(svc, req.params.id);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/sponsor/statement', { title: t('Statement: {campaign}', { campaign: st.campaign.title }), st, flash: flashOf(req), formToken: newSecret(18), ...extra });
  }

  app.get<ById>('/sponsor/pledges/:id', { schema: { hide: true }, config: { access: ownPledge } }, async (req, reply) => statementPage(req, reply));

  // The sponsor pays what is outstanding by card: off to the provider's page.
  app.post<ById>('/sponsor/pledges/:id/payments', { schema: { hide: true }, config: { access: sponsorOfPledge } }, async (req, reply) => {
    const parsed = parseForm(payForm, formValues(req.body));
    if (!parsed.ok) return statementPage(req, reply.code(400), { message: t('This form has expired. Reload the page and try again.') });
    try {
      const res = await once(svc, `form:pledge-payment:${req.params.id}`, parsed.data.form_token, { pledge: req.params.id }, async () => {
        const started = await startPledgePayment(svc, app.payments, actorOf(req), req.params.id);
        return { statusCode: 303, body: started.checkoutUrl };
      });
      return reply.redirect(localPath(String(res.body), svc.config.baseUrl), 303);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        return statementPage(req, reply.code(409), { message: t('This payment was already started. Reload the page to see where it stands.') });
      }
      const e = serviceErrors(err);
      return statementPage(req, reply.code(err instanceof ValidationError ? 400 : 409), { message: e.message ?? Object.values(e.errors).join(' ') });
    }
  });

  // An administrator records a transfer, cheque or cash that arrived outside Lantern.
  app.post<ById>('/admin/pledges/:id/payments', { schema: { hide: true }, config: { access: adminOfPledge } }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(recordForm, values);
    if (!parsed.ok) return statementPage(req, reply.code(400), { recordValues: values, recordErrors: parsed.errors });
    const currency = pledgeCurrency(svc, req.params.id);
    try {
      const amount = parseMoney(parsed.data.amount, currency);
      await once(svc, `form:pledge-record:${req.params.id}`, parsed.data.form_token, { amount, method: parsed.data.method, note: parsed.data.note }, async () => {
        const row = await recordPledgePayment(svc, actorOf(req), req.params.id, { amount, method: parsed.data.method, note: parsed.data.note });
        return { statusCode: 303, body: row.id };
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        return statementPage(req, reply.code(409), { message: t('This payment was already recorded. Reload the page to see it.') });
      }
      const e = serviceErrors(err);
      return statementPage(req, reply.code(err instanceof ValidationError ? 400 : 409), { recordValues: values, recordErrors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/sponsor/pledges/${req.params.id}?done=recorded#payments`, 303);
  });

  app.get<ById>('/sponsor/pledges/:id/statement.csv', { schema: { hide: true }, config: { access: ownPledge } }, async (req, reply) => {
    const file = pledgeStatementCsv(svc, req.params.id);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .type('text/csv; charset=utf-8')
      .send(file.csv);
  });

  app.get<ById>('/sponsor/pledges/:id/print', { schema: { hide: true }, config: { access: ownPledge } }, async (req, reply) => {
    const st = sponsorStatement(svc, req.params.id);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/sponsor/statement-print', { title: t('Match pledge statement'), st });
  });
}
