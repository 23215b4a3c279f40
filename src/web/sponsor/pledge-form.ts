// The "propose a pledge" form of the sponsor portal: what a sponsor types
// (a ratio picked from a list, a cap in major units or impact units, dates)
// to the service's Proposal, with every problem keyed by form field.
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { parseRatio } from '../../domain/matching.ts';
import { parseMoney, type Money } from '../../domain/money.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import type { Proposal } from '../../services/sponsor.ts';
import { translator } from '../../i18n.ts';
import { parseUtcDay, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const day = 86_400_000;

export const ratioPresets = ['1:1', '2:1', '1:2'] as const;
const maxUnits = 1_000_000;

const text = (max: number) => z.string().trim().max(max, t('At most {n} characters', { n: max.toLocaleString('en') }));

const proposalSchema = z.object({
  campaign: z.string().trim().min(1, t('Choose a campaign')),
  ratio: z.enum([...ratioPresets, 'other'], { error: t('Choose a ratio') }),
  ratio_other: text(20).optional(),
  cap_kind: z.enum(['money', 'units'], { error: t('Choose how to give the cap') }),
  cap: text(100).optional(),
  cap_units: text(20).optional(),
  starts: z.string().trim().optional(),
  ends: z.string().trim().optional(),
  sponsor_name: text(200).min(1, t('Enter your name or your organisation’s name')),
  anonymous: z.string().optional(),
  message: text(500).optional(),
});

/** A YYYY-MM-DD date as UTC milliseconds: its first moment, or its last for an end date. */
function dateField(value: string | undefined, field: string, endOfDay: boolean, issues: FieldIssue[]): number | null {
  if (!value) return null;
  const start = parseUtcDay(value);
  if (start === null) {
    issues.push({ field, message: t('Enter a date as YYYY-MM-DD') });
    return null;
  }
  return endOfDay ? start + day - 1 : start;
}

function ratioField(values: FormValues, issues: FieldIssue[]): string | null {
  const choice = values.ratio ?? '';
  if (choice !== 'other') return (ratioPresets as readonly string[]).includes(choice) ? choice : null;
  const typed = values.ratio_other?.trim() ?? '';
  if (!typed) {
    issues.push({ field: 'ratio_other', message: t('Enter the ratio as sponsor:donor, e.g. 3:1') });
    return null;
  }
  try {
    parseRatio(typed, 'ratio_other');
    return typed.replace(/\s+/g, '');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push({ field: 'ratio_other', message: t('Write the ratio as sponsor:donor with whole numbers from 1 to 1,000, e.g. 3:1') });
    return null;
  }
}

function capField(values: FormValues, campaign: CampaignRow | undefined, issues: FieldIssue[]): { cap?: Money; capUnits?: number } | null {
  if (values.cap_kind === 'units') {
    const typed = values.cap_units?.trim().replaceAll(',', '') ?? '';
    if (!/^\d+$/.test(typed) || Number(typed) < 1 || Number(typed) > maxUnits) {
      issues.push({ field: 'cap_units', message: t('Enter a whole number of units, e.g. 50') });
      return null;
    }
    if (campaign && campaign.impactUnit === null) {
      issues.push({ field: 'cap_units', message: t('This campaign has no impact unit; give the cap as money') });
      return null;
    }
    return { capUnits: Number(typed) };
  }
  if (values.cap_kind !== 'money') return null;
  const typed = values.cap?.trim() ?? '';
  if (!typed) {
    issues.push({ field: 'cap', message: t('Enter the most you will add in total, e.g. 5,000') });
    return null;
  }
  if (!campaign) return null;
  try {
    return { cap: parseMoney(typed, campaign.currency, { field: 'cap' }) };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push({ field: 'cap', message: err.issues[0]?.message ?? err.message });
    return null;
  }
}

/**
 * Form values → a Proposal on `campaign` (undefined when the chosen campaign
 * is not one a sponsor may pick); every problem at once.
 */
export function proposalFromForm(
  values: FormValues,
  campaign: CampaignRow | undefined,
  now: number,
): { ok: true; proposal: Proposal } | { ok: false; errors: FieldErrors } {
  const parsed = proposalSchema.safeParse(values);
  const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message }));
  if (values.campaign && !campaign) issues.push({ field: 'campaign', message: t('Choose one of the published campaigns') });
  const ratio = ratioField(values, issues);
  const cap = capField(values, campaign, issues);
  const startsAt = dateField(values.starts?.trim(), 'starts', false, issues);
  const endsAt = dateField(values.ends?.trim(), 'ends', true, issues);
  if (endsAt !== null && endsAt <= now) issues.push({ field: 'ends', message: t('This date has passed; choose a later end') });
  else if (endsAt !== null && startsAt !== null && endsAt <= startsAt) issues.push({ field: 'ends', message: t('The end must be after the start') });
  if (issues.length > 0 || !parsed.success || !campaign || !ratio || !cap) {
    const errors: FieldErrors = {};
    for (const i of issues) errors[i.field] ??= i.message;
    return { ok: false, errors };
  }
  const d = parsed.data;
  return {
    ok: true,
    proposal: {
      sponsorName: d.sponsor_name,
      anonymous: d.anonymous === 'on',
      message: d.message ? d.message : null,
      ratio,
      ...cap,
      startsAt,
      endsAt,
    },
  };
}

/** Service field paths → form field names, for errors the service finds. */
export const proposalFieldNames: Record<string, string> = {
  campaign: 'campaign',
  ratio: 'ratio_other',
  cap: 'cap',
  capUnits: 'cap_units',
  startsAt: 'starts',
  endsAt: 'ends',
};
