// Console: a campaign's match pledges — the list with what each has matched,
// an admin's create form, and the admin's decisions on a pledge: approve or
// decline a sponsor's proposal, pause, resume, close.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, ValidationError } from '../../domain/errors.ts';
import { parseRatio } from '../../domain/matching.ts';
import { formatMajor, money, parseMoney, type Money } from '../../domain/money.ts';
import { newSecret } from '../../db/ids.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import { getCampaign } from '../../services/campaigns.ts';
import { once } from '../../services/idempotency.ts';
import { pledgeAccount } from '../../services/pledge-payments.ts';
import { createPledge, decidePledge, pledgeCampaignSlug, pledgesForStaff, type PledgeDecision, type PledgeInput } from '../../services/pledges.ts';
import { audienceOf, pledgeFor } from '../../services/privacy.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formList, formValues, parseForm, parseUtcDay, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const ownCampaign = { roles: ['admin', 'organizer'] as const, owns: 'campaign' as const };
const adminOfCampaign = { roles: ['admin'] as const, owns: 'campaign' as const };
const adminOfPledge = { roles: ['admin'] as const, owns: 'pledge' as const };

/** Kinds of gifts, then raffle proceeds: not gifts, matched only when ticked. */
export const giftSources = ['online', 'offline', 'event'] as const;
export const pledgeSources = [...giftSources, 'raffle'] as const;
const sourceLabels: Record<(typeof pledgeSources)[number], string> = {
  online: t('Online'),
  offline: t('Offline (cash, cheque, transfer)'),
  event: t('At events'),
  raffle: t('Raffle ticket sales (not gifts: matched only when ticked)'),
};

const flashes: Record<string, string> = {
  created: t('The match pledge was created and is active.'),
  approved: t('The proposal is approved: the pledge matches gifts from now on.'),
  declined: t('The proposal is declined: it matches nothing.'),
  paused: t('The pledge is paused: it keeps what it matched and matches nothing new until you resume it.'),
  resumed: t('The pledge is active again; gifts given during the pause are matched too.'),
  closed: t('The pledge is closed: what it matched is final.'),
};
const mailNotes: Record<string, string> = {
  sent: t('The sponsor is told by e-mail.'),
  outbox: t('The message to the sponsor waits in the outbox (no mail server is set up).'),
};

function flashOf(req: FastifyRequest): string | undefined {
  const q = req.query as Record<string, string | undefined>;
  const done = q.done ? flashes[q.done] : undefined;
  if (!done) return undefined;
  const note = q.mail ? mailNotes[q.mail] : undefined;
  return note ? `${done} ${note}` : done;
}

const optionalText = (max: number) => z.string().trim().max(max, t('At most {n} characters', { n: max.toLocaleString('en') })).optional();

const pledgeForm = z.object({
  sponsor_name: z.string().trim().min(1, t('Enter the sponsor’s name')).max(200, t('At most {n} characters', { n: 200 })),
  sponsor_email: z.union([z.literal(''), z.email(t('Enter a valid e-mail address or leave it empty')).max(254)]).optional(),
  // Checkboxes: ticked is "on", anything else is unticked.
  anonymous: z.string().optional(),
  message: optionalText(500),
  ratio: z.string().trim().min(1, t('Write the ratio as sponsor:donor, e.g. 1:1 or 2:1')),
  cap: optionalText(100),
  cap_units: z.union([z.literal(''), z.string().trim().regex(/^\d{1,9}$/, t('Enter a whole number, e.g. 50'))]).optional(),
  starts: optionalText(10),
  ends: optionalText(10),
  min_gift: optionalText(100),
  max_per_gift: optionalText(100),
  priority: z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, t('Enter a whole number from 0 to 1,000,000'))
    .refine((p) => Number(p) <= 1_000_000, t('Enter a whole number from 0 to 1,000,000')),
  stacking: z.string().optional(),
  form_token: z.string().min(16).max(100),
});

/** A UTC calendar day; `nextDay` gives the exclusive end of that day. */
function dayStart(value: string | undefined, field: string, nextDay: boolean, errors: FieldErrors): number | null {
  if (!value) return null;
  const ms = parseUtcDay(value);
  if (ms === null) {
    errors[field] ??= t('Enter a date as YYYY-MM-DD');
    return null;
  }
  return nextDay ? ms + 86_400_000 : ms;
}

function moneyIn(value: string | undefined, currency: string, field: string, errors: FieldErrors): Money | null {
  if (!value) return null;
  try {
    return parseMoney(value, currency, { field });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors[field] ??= err.issues[0]?.message ?? err.message;
    return null;
  }
}

/** Form values (major units, days) → the service's input; every problem at once. */
function pledgeFromForm(
  values: FormValues,
  sources: readonly string[],
  campaign: CampaignRow,
): { ok: true; input: PledgeInput; token: string } | { ok: false; errors: FieldErrors } {
  const parsed = parseForm(pledgeForm, values);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  const c = campaign.currency;
  try {
    parseRatio(values.ratio ?? '', 'ratio');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors.ratio ??= err.issues[0]?.message ?? err.message;
  }
  const cap = moneyIn(values.cap?.trim(), c, 'cap', errors);
  const units = values.cap_units?.trim() ? Number(values.cap_units.trim()) : null;
  if (cap && units !== null) errors.cap ??= t('Give the cap either as money or as a number of units, not both');
  if (!cap && units === null && !errors.cap) {
    errors.cap = campaign.impactUnit ? t('Enter the cap, as money or as a number of {unit}', { unit: campaign.impactUnit }) : t('Enter the cap');
  }
  if (units !== null && units <= 0) errors.cap_units ??= t('Enter a whole number above zero');
  const startsAt = dayStart(values.starts?.trim(), 'starts', false, errors);
  const endsAt = dayStart(values.ends?.trim(), 'ends', true, errors);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) errors.ends ??= t('The end must not be before the start');
  const minGift = moneyIn(values.min_gift?.trim(), c, 'min_gift', errors);
  const maxPerGift = moneyIn(values.max_per_gift?.trim(), c, 'max_per_gift', errors);
  const chosen = [...new Set(sources)];
  if (chosen.length === 0) errors.sources = t('Tick at least one kind of gift');
  else if (!chosen.every((x) => (pledgeSources as readonly string[]).includes(x))) errors.sources = t('Choose from the kinds listed');
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const f = parsed.data;
  return {
    ok: true,
    token: f.form_token,
    input: {
      sponsor: { name: f.sponsor_name, email: f.sponsor_email ? f.sponsor_email.toLowerCase() : null },
      anonymous: f.anonymous === 'on',
      message: f.message || null,
      ratio: f.ratio,
      ...(cap && { cap }),
      ...(units !== null && { capUnits: units }),
      startsAt,
      endsAt,
      minGift,
      maxPerGift,
      // Every kind of gift ticked means every kind, including any added later;
      // raffle proceeds are matched only when named.
      sources: chosen.length === giftSources.length && giftSources.every((x) => chosen.includes(x)) ? null : chosen,
      priority: Number(f.priority),
      stacking: f.stacking === 'on',
    },
  };
}

/** Service field paths → form field names. */
const pledgeFieldNames: Record<string, string> = {
  cap: 'cap',
  capUnits: 'cap_units',
  startsAt: 'starts',
  endsAt: 'ends',
  minGift: 'min_gift',
  maxPerGift: 'max_per_gift',
  'sponsor.name': 'sponsor_name',
  'sponsor.email': 'sponsor_email',
};

const freshForm = (): FormValues => ({ ratio: '1:1', priority: '100', form_token: newSecret(18) });

const decisionsDone: Record<PledgeDecision, string> = { approve: 'approved', decline: 'declined', pause: 'paused', resume: 'resumed', close: 'closed' };

export default async function adminPledges(app: FastifyInstance) {
  const svc = app.services;

  function listPage(
    req: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    form: { values?: FormValues; sources?: readonly string[]; errors?: FieldErrors; message?: string; actionMessage?: string } = {},
  ) {
    const campaign = getCampaign(svc, slug);
    const audience = audienceOf(req.user?.role);
    const isAdmin = audience === 'admin';
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/pledges', {
      title: t('Match pledges: {title}', { title: campaign.title }),
      campaign,
      pledges: pledgesForStaff(svc, campaign.slug).map((p) => ({
        // The sponsor's address is their account's when they have one, else the one given.
        row: pledgeFor({ ...p.row, sponsorEmail: p.sponsorEmail }, audience),
        view: p.view,
        // What the sponsor paid of it: money matters for administrators only.
        account: isAdmin ? pledgeAccount(svc, p.row, campaign.currency) : null,
        // Shown as the last day included; the stored end is exclusive.
        lastDay: p.row.endsAt === null ? null : p.row.endsAt - 1,
        capUnitsText: p.row.capUnits === null || !campaign.impactUnit ? null : t('{n} × {unit}', { n: p.row.capUnits, unit: campaign.impactUnit }),
        minGift: p.row.minGift === null ? null : money(p.row.minGift, campaign.currency),
        maxPerGift: p.row.maxPerGift === null ? null : money(p.row.maxPerGift, campaign.currency),
        sources: p.row.sources === null ? null : (JSON.parse(p.row.sources) as string[]).map((x) => sourceLabels[x as keyof typeof sourceLabels] ?? x),
      })),
      isAdmin,
      sourceOptions: pledgeSources.map((value) => ({ value, label: sourceLabels[value] })),
      values: form.values ?? freshForm(),
      chosenSources: form.sources ?? giftSources,
      errors: form.errors ?? {},
      message: form.message,
      actionMessage: form.actionMessage,
      unitCost: campaign.impactUnitCost === null ? null : formatMajor(money(campaign.impactUnitCost, campaign.currency)),
      flash: flashOf(req),
    });
  }

  app.get<{ Params: { slug: string } }>('/admin/campaigns/:slug/pledges', { schema: { hide: true }, config: { access: ownCampaign } }, async (req, reply) =>
    listPage(req, reply, req.params.slug),
  );

  app.post<{ Params: { slug: string } }>('/admin/campaigns/:slug/pledges', { schema: { hide: true }, config: { access: adminOfCampaign } }, async (req, reply) => {
    const campaign = getCampaign(svc, req.params.slug);
    const values = formValues(req.body);
    const sources = formList(req.body, 'sources');
    const form = pledgeFromForm(values, sources, campaign);
    if (!form.ok) return listPage(req, reply.code(400), campaign.slug, { values, sources, errors: form.errors });
    try {
      // A double tap creates one pledge: the form's token is its idempotency key.
      await once(svc, 'form:pledge', form.token, { slug: campaign.slug, ...form.input }, async () => {
        const p = await createPledge(svc, actorOf(req), campaign.slug, form.input, 'active');
        return { statusCode: 303, body: p.id };
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') {
        return listPage(req, reply.code(400), campaign.slug, {
          values: { ...values, form_token: newSecret(18) },
          sources,
          message: t('This form was already sent with other values. Check the list above before creating the pledge again.'),
        });
      }
      const e = serviceErrors(err, pledgeFieldNames);
      return listPage(req, reply.code(400), campaign.slug, { values, sources, errors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/admin/campaigns/${campaign.slug}/pledges?done=created`, 303);
  });

  for (const [decision, done] of Object.entries(decisionsDone) as [PledgeDecision, string][]) {
    app.post<{ Params: { id: string } }>(`/admin/pledges/:id/${decision}`, { schema: { hide: true }, config: { access: adminOfPledge } }, async (req, reply) => {
      const slug = pledgeCampaignSlug(svc, req.params.id);
      let after;
      try {
        after = await decidePledge(svc, actorOf(req), req.params.id, decision);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'invalid_state') throw err;
        // Someone else decided first (or a second tap): show the list as it is now.
        return listPage(req, reply.code(409), slug, { actionMessage: err.message });
      }
      const told = (decision === 'approve' || decision === 'decline') && (after.sponsorUserId !== null || after.sponsorEmail !== null);
      const mail = told ? `&mail=${svc.mailer.sends ? 'sent' : 'outbox'}` : '';
      return reply.redirect(`/admin/campaigns/${slug}/pledges?done=${done}${mail}#pledge-${after.id}`, 303);
    });
  }
}
