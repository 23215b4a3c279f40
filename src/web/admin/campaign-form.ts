// The campaign form of the console: what an organizer types (major units,
// dates, a currency picked from a list) to and from the service's input.
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { CURRENCIES, formatMajor, money, parseMoney, type Money } from '../../domain/money.ts';
import type { CampaignRow } from '../../db/campaigns.ts';
import type { CampaignInput } from '../../services/campaigns.ts';
import { translator } from '../../i18n.ts';
import { parseUtcDay, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');

export const currencyOptions = Object.keys(CURRENCIES)
  .sort()
  .map((c) => ({ value: c, label: c }));

const text = (max: number) => z.string().trim().max(max, t('At most {n} characters', { n: max.toLocaleString('en') }));

export const campaignFormSchema = z.object({
  slug: z.string().trim().optional(),
  title: text(200).min(1, t('Give the campaign a title')),
  story: text(50_000).optional(),
  currency: z.string().optional(),
  goal: z.string().trim().min(1, t('Enter the goal, e.g. 15,000')),
  impact_unit: text(60).optional(),
  impact_cost: z.string().trim().optional(),
  starts: z.string().trim().optional(),
  ends: z.string().trim().optional(),
});

function dateField(value: string | undefined, field: string, endOfDay: boolean, issues: FieldIssue[]): number | null {
  if (!value) return null;
  const day = parseUtcDay(value);
  if (day === null) {
    issues.push({ field, message: t('Enter a date as YYYY-MM-DD') });
    return null;
  }
  return day + (endOfDay ? 86_400_000 - 1 : 0);
}

function moneyField(value: string | undefined, currency: string, field: string, issues: FieldIssue[]): Money | null {
  if (!value) return null;
  try {
    return parseMoney(value, currency);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push({ field, message: err.issues[0]?.message ?? err.message });
    return null;
  }
}

/** Form values → the service's input; every problem at once, keyed by form field. */
export function campaignFromForm(
  values: FormValues,
  currency: string,
): { ok: true; input: Omit<CampaignInput, 'slug' | 'currency' | 'status'> } | { ok: false; errors: FieldErrors } {
  const parsed = campaignFormSchema.safeParse(values);
  const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message }));
  const goal = moneyField(values.goal?.trim(), currency, 'goal', issues);
  const unit = values.impact_unit?.trim() ?? '';
  const cost = moneyField(values.impact_cost?.trim(), currency, 'impact_cost', issues);
  if (unit && !cost) issues.push({ field: 'impact_cost', message: t('Enter what one {unit} costs', { unit }) });
  if (!unit && cost) issues.push({ field: 'impact_unit', message: t('Name the unit, e.g. rescue') });
  const startsAt = dateField(values.starts?.trim(), 'starts', false, issues);
  const endsAt = dateField(values.ends?.trim(), 'ends', true, issues);
  if (issues.length > 0 || !parsed.success || !goal) {
    const errors: FieldErrors = {};
    for (const i of issues) errors[i.field] ??= i.message;
    return { ok: false, errors };
  }
  return {
    ok: true,
    input: {
      title: parsed.data.title,
      story: parsed.data.story ?? '',
      goal,
      impact: unit && cost ? { unit, unitCost: cost } : null,
      startsAt,
      endsAt,
    },
  };
}

function isoDate(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().slice(0, 10);
}

export function campaignToForm(c: CampaignRow): FormValues {
  return {
    slug: c.slug,
    title: c.title,
    story: c.story,
    currency: c.currency,
    goal: formatMajor(money(c.goal, c.currency)),
    impact_unit: c.impactUnit ?? '',
    impact_cost: c.impactUnitCost === null ? '' : formatMajor(money(c.impactUnitCost, c.currency)),
    starts: isoDate(c.startsAt),
    ends: isoDate(c.endsAt),
  };
}

/** Service field paths → form field names, for errors the service finds. */
export const campaignFieldNames: Record<string, string> = {
  goal: 'goal',
  'goal.amount': 'goal',
  'impact.unitCost.amount': 'impact_cost',
  impact: 'impact_cost',
  endsAt: 'ends',
  startsAt: 'starts',
};
