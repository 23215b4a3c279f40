// What a raffle's jurisdiction asks before paid tickets may be sold. Selling
// chances to win is regulated almost everywhere: in Korea selling lottery
// tickets without a statutory basis is a crime; Canada's Criminal Code allows
// charity lotteries only under a provincial licence; US states license (and
// several restrict online) charitable raffles. Lantern cannot give legal
// advice, but it can refuse to open paid sales until the organizer has filled
// in what such a licence carries, and point to the free prize draw instead.

export type Requirement = 'licence' | 'authority' | 'ageLimit' | 'drawPlace';

export interface JurisdictionRules {
  /** A short name for the setup page. */
  readonly name: string;
  /** Fields a paid raffle must have before its sales open. */
  readonly paid: readonly Requirement[];
  /** The youngest age a buyer may be, when the law says so. */
  readonly minimumAge: number | null;
  /** What the setup page tells the organizer. */
  readonly note: string;
}

const everywhere: Requirement[] = ['ageLimit', 'drawPlace'];

/** By country (ISO 3166-1 alpha-2); a region code such as CA-BC uses its country's rules. */
const byCountry: Record<string, JurisdictionRules> = {
  KR: {
    name: 'South Korea',
    paid: ['licence', 'authority', ...everywhere],
    minimumAge: 19,
    note: 'Selling lottery or raffle tickets without a statutory basis is a crime in Korea. Open paid sales only with a permit (its number and the authority that issued it); otherwise run a free prize draw for checked-in guests or free sign-ups.',
  },
  CA: {
    name: 'Canada',
    paid: ['licence', 'authority', ...everywhere],
    minimumAge: 18,
    note: 'Charity raffles need a licence from the province (Criminal Code s. 207); provinces set the age limit (18 or 19) and some restrict online sales. Enter the licence number and the issuing authority; without a licence, run a free prize draw.',
  },
  US: {
    name: 'United States',
    paid: ['licence', 'authority', ...everywhere],
    minimumAge: 18,
    note: 'Most states license charitable raffles (some only in person, several not online). Enter the licence or registration number and the issuing authority; without one, run a free prize draw.',
  },
};

const elsewhere: JurisdictionRules = {
  name: 'Elsewhere',
  paid: everywhere,
  minimumAge: null,
  note: 'Raffles are regulated in most places: check with the local authority whether you need a licence, and enter it if you have one.',
};

/** KR, CA-BC, us-wa, other … → the rules that apply. */
export function rulesFor(jurisdiction: string): JurisdictionRules {
  const country = jurisdiction.trim().toUpperCase().split('-')[0] ?? '';
  return byCountry[country] ?? elsewhere;
}

const countryNames: Record<string, string> = {
  KR: 'KR',
  KOREA: 'KR',
  'SOUTH KOREA': 'KR',
  'REPUBLIC OF KOREA': 'KR',
  CA: 'CA',
  CANADA: 'CA',
  US: 'US',
  USA: 'US',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
};

/** A venue's country as written on the event (a code or a name) → a jurisdiction code, "other" when unknown. */
export function jurisdictionOfCountry(country: string | null | undefined): string {
  const key = (country ?? '').trim().toUpperCase().replace(/\s+/g, ' ');
  return countryNames[key] ?? (/^[A-Z]{2}$/.test(key) ? key : 'other');
}

/** Jurisdiction codes the setup form suggests. */
export const suggestedJurisdictions = ['KR', 'CA-BC', 'CA-AB', 'CA-SK', 'CA-ON', 'US-WA', 'US-CA', 'US-NY', 'other'] as const;

export interface PaidSaleFacts {
  readonly licence: string | null;
  readonly authority: string | null;
  readonly ageLimit: number | null;
  readonly drawPlace: string | null;
}

/** What is missing before paid sales may open: empty when nothing is. */
export function missingForPaidSales(jurisdiction: string, facts: PaidSaleFacts): { field: Requirement; message: string }[] {
  const rules = rulesFor(jurisdiction);
  const missing: { field: Requirement; message: string }[] = [];
  for (const r of rules.paid) {
    if (r === 'licence' && !facts.licence?.trim()) missing.push({ field: r, message: `A licence or permit number is required in ${rules.name}` });
    if (r === 'authority' && !facts.authority?.trim()) missing.push({ field: r, message: 'Name the authority that issued the licence' });
    if (r === 'drawPlace' && !facts.drawPlace?.trim()) missing.push({ field: r, message: 'Say where the draw takes place (people may witness it)' });
    if (r === 'ageLimit') {
      if (facts.ageLimit === null) missing.push({ field: r, message: 'Set the age limit for buyers' });
      else if (rules.minimumAge !== null && facts.ageLimit < rules.minimumAge) {
        missing.push({ field: r, message: `The age limit in ${rules.name} is at least ${rules.minimumAge}` });
      }
    }
  }
  return missing;
}

/** "Min-ji Kim" → "Min-ji K."; a single name stays as it is. */
export function firstNameAndInitial(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '';
  const first = parts[0] ?? '';
  const last = parts.length > 1 ? parts[parts.length - 1] : undefined;
  return last ? `${first} ${[...last][0] ?? ''}.` : first;
}
