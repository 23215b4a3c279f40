// Console: the mail outbox (admins only). Every e-mail is a row here first;
// without SMTP it stays here, and an admin opens it to pass a link on by hand.
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import { findMail, listMail, maxMailAttempts, type MailRow } from '../../db/mail.ts';
import { translator } from '../../i18n.ts';

const t = translator('en');
const admins = { roles: ['admin'] as const };
const pageSize = 50;

type MailState = 'sent' | 'waiting' | 'failed';

function stateOf(m: MailRow): MailState {
  if (m.sentAt !== null) return 'sent';
  return m.attempts >= maxMailAttempts ? 'failed' : 'waiting';
}

const stateLabels: Record<MailState, string> = { sent: t('sent'), waiting: t('waiting'), failed: t('failed') };
// The status badge colours: sent is done, waiting is pending, failed needs a look.
const stateClasses: Record<MailState, string> = { sent: 'sent', waiting: 'pending', failed: 'failed' };

const kindLabels: Record<string, string> = {
  invitation: t('Invitation'),
  reset: t('Password reset'),
  pledge_proposal: t('Match pledge proposed'),
  pledge_decision: t('Match pledge decision'),
};

function view(m: MailRow) {
  const state = stateOf(m);
  return { ...m, state, stateLabel: stateLabels[state], stateClass: stateClasses[state], kindLabel: kindLabels[m.kind] ?? m.kind };
}

export default async function adminOutbox(app: FastifyInstance) {
  const svc = app.services;

  app.get<{ Querystring: { page?: string } }>('/admin/outbox', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    const page = Math.max(1, Math.min(100_000, Number.parseInt(req.query.page ?? '1', 10) || 1));
    const rows = listMail(svc.db, pageSize + 1, (page - 1) * pageSize);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/outbox', {
      title: t('Outbox'),
      messages: rows.slice(0, pageSize).map(view),
      sends: svc.mailer.sends,
      newer: page > 1 ? (page === 2 ? '/admin/outbox' : `/admin/outbox?page=${page - 1}`) : null,
      older: rows.length > pageSize ? `/admin/outbox?page=${page + 1}` : null,
      maxAttempts: maxMailAttempts,
    });
  });

  app.get<{ Params: { id: string } }>('/admin/outbox/:id', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    const m = findMail(svc.db, req.params.id);
    if (!m) throw new DomainError('not_found', 'There is no such message in the outbox.');
    reply.header('cache-control', 'no-store');
    // A reset link shown here would let any admin take over someone's account.
    const hidden = m.kind === 'reset' && m.sentAt === null;
    return reply.page('pages/admin/mail', { title: m.subject, mail: view(m), sends: svc.mailer.sends, hidden });
  });
}
