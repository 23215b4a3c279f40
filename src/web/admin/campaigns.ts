// Console: the campaigns list, create and edit (with a preview), publish and
// close, the organizers assigned to each campaign, and the raffles it holds itself.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationError } from '../../domain/errors.ts';
import { money } from '../../domain/money.ts';
import { organizersOfCampaign, type CampaignRow } from '../../db/campaigns.ts';
import { listUsers } from '../../db/users.ts';
import { setCampaignOrganizer } from '../../services/accounts.ts';
import { campaignProgress, createCampaign, getCampaign, patchCampaign, slugPattern } from '../../services/campaigns.ts';
import { campaignsManagedBy } from '../../services/permissions.ts';
import { rafflesOfCampaign } from '../../services/raffles.ts';
import { translator } from '../../i18n.ts';
import { renderStory } from '../markdown.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';
import { campaignFieldNames, campaignFromForm, campaignToForm, currencyOptions } from './campaign-form.ts';
import { thermometer } from '../public/campaigns.ts';

const t = translator('en');
const staff = { roles: ['admin', 'organizer'] as const };
const ownCampaign = { roles: ['admin', 'organizer'] as const, owns: 'campaign' as const };

const flashes: Record<string, string> = {
  created: t('The campaign was created as a draft. Publish it when it is ready.'),
  saved: t('Your changes were saved.'),
  published: t('The campaign is published: its page is public and it accepts gifts.'),
  closed: t('The campaign is closed: it no longer accepts gifts.'),
  reopened: t('The campaign is published again.'),
  assigned: t('The organizer was assigned.'),
  unassigned: t('The organizer was removed from this campaign.'),
};

export function flashOf(req: FastifyRequest): string | undefined {
  const done = (req.query as Record<string, string | undefined>).done;
  return done ? flashes[done] : undefined;
}

function storyPreview(values: FormValues): string {
  return renderStory(`preview:${values.story ?? ''}`, values.story ?? '');
}

export default async function adminCampaigns(app: FastifyInstance) {
  const svc = app.services;

  function user(req: FastifyRequest) {
    if (!req.user) throw new DomainError('unauthorized', 'Log in first.');
    return req.user;
  }

  app.get('/admin/campaigns', { schema: { hide: true }, config: { access: staff } }, async (req, reply) => {
    const campaigns = campaignsManagedBy(svc, user(req)).map((c) => ({ campaign: c, progress: campaignProgress(svc, c) }));
    return reply.page('pages/admin/campaigns', { title: t('Campaigns'), campaigns, flash: flashOf(req) });
  });

  function formPage(reply: FastifyReply, data: { campaign?: CampaignRow; values: FormValues; errors?: FieldErrors; message?: string; preview?: boolean }) {
    const values = data.values;
    return reply.page('pages/admin/campaign-form', {
      title: data.campaign ? t('Edit {title}', { title: data.campaign.title }) : t('New campaign'),
      currencies: currencyOptions,
      errors: {},
      ...data,
      previewHtml: data.preview ? storyPreview(values) : null,
    });
  }

  app.get('/admin/campaigns/new', { schema: { hide: true }, config: { access: staff } }, async (_req, reply) =>
    formPage(reply, { values: { currency: 'USD' } }),
  );

  app.post('/admin/campaigns', { schema: { hide: true }, config: { access: staff } }, async (req, reply) => {
    const values = formValues(req.body);
    const currency = values.currency ?? '';
    const errors: FieldErrors = {};
    const slug = values.slug?.trim().toLowerCase() ?? '';
    if (!slugPattern.test(slug)) errors.slug = t('Use lower-case letters, digits and single hyphens, e.g. rescue-fund');
    if (!currencyOptions.some((o) => o.value === currency)) errors.currency = t('Choose a currency');
    const form = campaignFromForm(values, currencyOptions.some((o) => o.value === currency) ? currency : 'USD');
    if (!form.ok || Object.keys(errors).length > 0) {
      return formPage(reply.code(400), { values, errors: { ...(form.ok ? {} : form.errors), ...errors }, preview: values.action === 'preview' });
    }
    if (values.action === 'preview') return formPage(reply, { values, preview: true });
    try {
      const c = await createCampaign(svc, actorOf(req), { ...form.input, slug, currency, status: 'draft' });
      return reply.redirect(`/admin/campaigns/${c.slug}?done=created`, 303);
    } catch (err) {
      const e = serviceErrors(err, campaignFieldNames);
      return formPage(reply.code(400), { values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
  });

  /** The campaign's page; its buttons and the organizer form re-render it with a message when refused. */
  function campaignPage(req: FastifyRequest, reply: FastifyReply, campaign: CampaignRow, message?: string) {
    const progress = campaignProgress(svc, campaign);
    const isAdmin = user(req).role === 'admin';
    return reply.page('pages/admin/campaign', {
      title: campaign.title,
      campaign,
      progress,
      bar: thermometer(progress),
      goal: money(campaign.goal, campaign.currency),
      organizers: organizersOfCampaign(svc.db, campaign.id),
      raffles: rafflesOfCampaign(svc, campaign.id),
      assignable: isAdmin ? listUsers(svc.db).filter((u) => u.role === 'organizer' && u.disabledAt === null) : [],
      isAdmin,
      flash: message === undefined ? flashOf(req) : undefined,
      message,
      errors: {},
    });
  }

  /**
   * A refused action on the campaign page: its page again with the reason,
   * 400 for bad input and 409 for a state that does not allow it (someone
   * changed it first). Anything else goes to the error handler.
   */
  function refused(req: FastifyRequest, reply: FastifyReply, slug: string, err: unknown) {
    // An organizer removed already (a second tap) is a state to show, not a missing page.
    const e = err instanceof DomainError && err.code === 'not_found' ? { errors: {}, message: err.message } : serviceErrors(err);
    // Read again: whatever refused the action may have changed the campaign (the error page says if it is gone).
    const campaign = getCampaign(svc, slug);
    const message = e.message ?? Object.values(e.errors).join(' ');
    return campaignPage(req, reply.code(err instanceof ValidationError ? 400 : 409), campaign, message);
  }

  app.get<{ Params: { slug: string } }>('/admin/campaigns/:slug', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) =>
    campaignPage(req, reply, getCampaign(svc, req.params.slug)),
  );

  app.get<{ Params: { slug: string } }>('/admin/campaigns/:slug/edit', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    return formPage(reply, { campaign, values: campaignToForm(campaign) });
  });

  app.post<{ Params: { slug: string } }>('/admin/campaigns/:slug/edit', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    const values: FormValues = { ...formValues(req.body), slug: campaign.slug, currency: campaign.currency };
    const form = campaignFromForm(values, campaign.currency);
    if (!form.ok) return formPage(reply.code(400), { campaign, values, errors: form.errors, preview: values.action === 'preview' });
    if (values.action === 'preview') return formPage(reply, { campaign, values, preview: true });
    try {
      await patchCampaign(svc, actorOf(req), campaign.slug, form.input);
    } catch (err) {
      const e = serviceErrors(err, campaignFieldNames);
      return formPage(reply.code(400), { campaign, values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/admin/campaigns/${campaign.slug}?done=saved`, 303);
  });

  const transitions = { publish: ['published', 'published'], close: ['closed', 'closed'], reopen: ['published', 'reopened'] } as const;
  for (const [action, [status, done]] of Object.entries(transitions)) {
    app.post<{ Params: { slug: string } }>(`/admin/campaigns/:slug/${action}`, { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) => {
      const campaign = getCampaign(svc, req.params.slug);
      try {
        await patchCampaign(svc, actorOf(req), campaign.slug, { status });
      } catch (err) {
        return refused(req, reply, campaign.slug, err);
      }
      return reply.redirect(`/admin/campaigns/${campaign.slug}?done=${done}`, 303);
    });
  }

  app.post<{ Params: { slug: string } }>(
    '/admin/campaigns/:slug/organizers',
    { schema: { hide: true }, config: { access: { roles: ['admin'] } } },
    async (req, reply) => {
      const campaign = getCampaign(svc, req.params.slug);
      const values = formValues(req.body);
      const assign = values.action !== 'remove';
      try {
        await setCampaignOrganizer(svc, actorOf(req), campaign.slug, values.email ?? '', assign);
      } catch (err) {
        return refused(req, reply, campaign.slug, err);
      }
      return reply.redirect(`/admin/campaigns/${campaign.slug}?done=${assign ? 'assigned' : 'unassigned'}`, 303);
    },
  );
}
