// Sponsor portal: the sponsor's own pledges and the form to propose one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import { newSecret } from '../../db/ids.ts';
import type { UserRow } from '../../db/users.ts';
import { once } from '../../services/idempotency.ts';
import { proposableCampaigns, proposePledge, sponsorPledges } from '../../services/sponsor.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { proposalFieldNames, proposalFromForm, ratioPresets } from './pledge-form.ts';

const t = translator('en');
const sponsorOnly = { roles: ['sponsor'] as const };
/** The form's one-time token, as the console's forms check theirs. */
const formToken = /^[\w-]{16,100}$/;

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
        values: { campaign: campaign?.slug ?? '', ratio: '1:1', cap_kind: 'money', sponsor_name: sponsorOf(req).name, form_token: newSecret(18) },
      });
    },
  );

  app.post('/sponsor/pledges', { schema: { hide: true }, config: { access: sponsorOnly } }, async (req, reply) => {
    const sponsor = sponsorOf(req);
    const values = formValues(req.body);
    const campaigns = proposableCampaigns(svc);
    const campaign = campaigns.find((c) => c.slug === values.campaign);
    const form = proposalFromForm(values, campaign, svc.now());
    const token = values.form_token ?? '';
    // A form without its token (a page from before tokens, a hand-made request)
    // created nothing, so it safely gets a fresh one to be sent with.
    if (!formToken.test(token)) {
      return formPage(reply.code(400), {
        campaigns,
        values: { ...values, form_token: newSecret(18) },
        errors: form.ok ? {} : form.errors,
        message: t('This form has expired. Please check it and send it again.'),
      });
    }
    if (!form.ok || !campaign) return formPage(reply.code(400), { campaigns, values, errors: form.ok ? {} : form.errors });
    try {
      // A double tap or a resent form proposes once and tells the admins once:
      // the form's token is the idempotency key, and a repeat lands on the same pledge.
      const res = await once(svc, `form:proposal:${sponsor.id}`, token, { slug: campaign.slug, ...form.proposal }, async () => {
        const pledge = await proposePledge(svc, actorOf(req), campaign.slug, form.proposal);
        return { statusCode: 303, body: pledge.id };
      });
      return reply.redirect(`/sponsor/pledges/${String(res.body)}?done=proposed`, 303);
    } catch (err) {
      // The same token still in progress, or already used with other values:
      // the form keeps that token, so sending it again can never make a second proposal.
      if (err instanceof DomainError && err.code === 'conflict') {
        return formPage(reply.code(409), { campaigns, values, message: t('This form was already sent — check My pledges before sending it again.') });
      }
      const e = serviceErrors(err, proposalFieldNames);
      return formPage(reply.code(400), { campaigns, values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
  });
}
