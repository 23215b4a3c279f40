// Console home: each campaign's progress, money over time, recent gifts,
// pledges and what needs attention, for the campaigns the viewer runs.
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import { dashboard } from '../../services/dashboard.ts';
import { campaignsManagedBy } from '../../services/permissions.ts';
import { audienceOf } from '../../services/privacy.ts';
import { translator } from '../../i18n.ts';
import { cumulativeChartSvg } from '../charts.ts';
import { localeOf } from '../plugins/views.ts';

const t = translator('en');

export default async function adminDashboard(app: FastifyInstance) {
  const svc = app.services;

  app.get('/admin', { schema: { hide: true }, config: { access: { roles: ['admin', 'organizer'] } } }, async (req, reply) => {
    const user = req.user;
    if (!user) throw new DomainError('unauthorized', 'Log in first.');
    const locale = localeOf(req.headers['accept-language']);
    const ids = user.role === 'admin' ? 'all' : campaignsManagedBy(svc, user).map((c) => c.id);
    const audience = audienceOf(user.role);
    const boards = (await dashboard(svc, ids, { audience })).map((d) => ({
      ...d,
      chart: cumulativeChartSvg(d.timeline.points, {
        currency: d.progress.campaign.currency,
        locale,
        title: t('{title}: money over time', { title: d.progress.campaign.title }),
        goal: d.progress.goal.amount,
      }),
    }));
    const attention = boards.flatMap((b) => b.attention.map((a) => ({ ...a, title: b.progress.campaign.title })));
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/dashboard', { title: t('Dashboard'), boards, attention, isAdmin: audience === 'admin' });
  });
}
