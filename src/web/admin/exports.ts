// Console: CSV downloads of a campaign's gifts, donors and pledges. Admins get
// every detail; organizers get files without e-mails or anonymous names.
import type { FastifyInstance } from 'fastify';
import { donorsCsv, giftsCsv, pledgesCsv, type CsvFile } from '../../services/exports.ts';

const ownCampaign = { roles: ['admin', 'organizer'] as const, owns: 'campaign' as const };

export default async function adminExports(app: FastifyInstance) {
  const svc = app.services;
  const files = { gifts: giftsCsv, donors: donorsCsv, pledges: pledgesCsv } as const;
  for (const [name, build] of Object.entries(files)) {
    app.get<{ Params: { slug: string } }>(`/admin/campaigns/:slug/export/${name}.csv`, { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
      const file: CsvFile = build(svc, req.params.slug, req.user?.role === 'admin' ? 'admin' : 'organizer');
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .type('text/csv; charset=utf-8')
        .send(file.csv);
    });
  }
}
