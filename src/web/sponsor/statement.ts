// Sponsor portal: the live statement of one pledge, as a page, a CSV file and
// a printable page. Only the pledge's sponsor (and admins) may open them; no
// donor e-mail is ever on them and anonymous donors stay "Anonymous".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pledgeStatementCsv } from '../../services/exports.ts';
import { sponsorStatement } from '../../services/sponsor.ts';
import { translator } from '../../i18n.ts';

const t = translator('en');
const ownPledge = { roles: ['sponsor', 'admin'] as const, owns: 'pledge' as const };

const flashes: Record<string, string> = {
  proposed: t('Proposed — an administrator will review it; it matches nothing until approved.'),
};

function flashOf(req: FastifyRequest): string | undefined {
  const done = (req.query as Record<string, string | undefined>).done;
  return done ? flashes[done] : undefined;
}

type ById = { Params: { id: string } };

export default async function sponsorStatementPages(app: FastifyInstance) {
  const svc = app.services;

  app.get<ById>('/sponsor/pledges/:id', { schema: { hide: true }, config: { access: ownPledge } }, async (req, reply) => {
    const st = sponsorStatement(svc, req.params.id);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/sponsor/statement', { title: t('Statement: {campaign}', { campaign: st.campaign.title }), st, flash: flashOf(req) });
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
