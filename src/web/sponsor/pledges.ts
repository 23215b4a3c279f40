// Sponsor portal: the sponsor's own pledges and the form to propose one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import type { UserRow } from '../../db/users.ts';
import { proposableCampaigns, proposePledge, sponsorPledges } from '../../services/sponsor.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { proposalFieldNames, proposalFromForm, ratioPresets } from './pledge-form.ts';

const t = translator('en');
const sponsorOnly = { roles: ['sponsor'] as const };

function sponsorOf(req: FastifyRequest): UserRow {
  if (!req.user) throw new DomainError('unauthorized', 'Log in first.');
  return req.user;
}

export default async function sponsorPledgePages(app: FastifyInstance) {
  const svc = app.services;

  app.get('/sponsor', { schema: { hide: true }, config: { access: sponsorOnly } }, async (req, reply) => {
    const pledges = sponsorPledges(svc, sponsorOf(req).id);
    reply.header('cache-control', 'no-store');
    return reply.page('pages/sponsor/pledges', { title: t('My pledges'), pledges });
  });

  function formPage(reply: FastifyReply, data: { campaigns: CampaignRow[]; values: FormValues; errors?: FieldErrors; message?: string }) {
    return reply.page('pages/sponsor/pledge-form', {
      title: t('Propose a pledge'),
      ratios: ratioPresets,
      selected: data.campaigns.find((c) => c.slug === data.values.campaign),
      withUnits: data.campaigns.some((c) => c.impactUnit !== null),
      errors: {},
      ...data,
    });
  }

  app.get<{ Querystring: { campaign?: string } }>(
    '/sponsor/pledges/new',
    { schema: { hide: true }, config: { access: sponsorOnly } },
    async (req, reply) => {
      const campaigns = proposableCampaigns(svc);
      const asked = campaigns.find((c) => c.slug === req.query.campaign);
      const only = campaigns.length === 1 ? campaigns[0] : undefined;
      const campaign = asked ?? only;
      return formPage(reply, {
        campaigns,
        values: { campaign: campaign?.slug ?? '', ratio: '1:1', cap_kind: 'money', sponsor_name: sponsorOf(req).name },
      });
    },
  );

  app.post('/sponsor/pledges', { schema: { hide: true }, config: { access: sponsorOnly } }, async (req, reply) => {
    const values = formValues(req.body);
    const campaigns = proposableCampaigns(svc);
    const campaign = campaigns.find((c) => c.slug === values.campaign);
    const form = proposalFromForm(values, campaign, svc.now());
    if (!form.ok || !campaign) return formPage(reply.code(400), { campaigns, values, errors: form.ok ? {} : form.errors });
    try {
      const pledge = await proposePledge(svc, actorOf(req), campaign.slug, form.proposal);
      return reply.redirect(`/sponsor/pledges/${pledge.id}?done=proposed`, 303);
    } catch (err) {
      const e = serviceErrors(err, proposalFieldNames);
      return formPage(reply.code(400), { campaigns, values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
  });
}
