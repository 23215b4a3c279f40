// CSV exports of a campaign for its admins and organizers (gifts, donors,
// match pledges) and of a match pledge for its sponsor (the statement).
// Personal data goes only to the roles that need it: donors' and sponsors'
// e-mails only to admins; an anonymous donor or sponsor stays anonymous for
// organizers; a sponsor never sees a donor's e-mail. Money is written as exact
// decimals in major units next to its currency, so the sums in a spreadsheet
// are the sums on the campaign page. Column names are a stable format that
// scripts read, like the API's field names, so they are not translated.
import { decimal, toCsv, type Cell } from '../domain/csv.ts';
import { formatMajor, money, sumMoney, type Money } from '../domain/money.ts';
import type { CampaignRow } from '../db/campaigns.ts';
import { giftsForExport, type GiftExportRow } from '../db/exports.ts';
import { giftCounts } from '../db/gifts.ts';
import { pledgesOfCampaign, type PledgeRow } from '../db/pledges.ts';
import { describePledge, getCampaign, type PublicPledge } from './campaigns.ts';
import type { Services } from './context.ts';
import { pledgeStatement } from './pledges.ts';

export type ExportAudience = 'admin' | 'organizer';

export interface CsvFile {
  filename: string;
  csv: string;
}

const ANONYMOUS_DONOR = 'Anonymous';
const ANONYMOUS_SPONSOR = 'Anonymous sponsor';

/** A column: its heading and how a row fills it. */
type Column<R> = readonly [name: string, cell: (row: R) => Cell];

function table<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  return toCsv(
    columns.map(([name]) => name),
    rows.map((row) => columns.map(([, cell]) => cell(row))),
  );
}

function amount(m: Money): Cell {
  return decimal(formatMajor(m));
}

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

function yesNo(flag: boolean): string {
  return flag ? 'yes' : 'no';
}

/** e.g. rescue-fund-gifts-2026-11-27.csv, dated in UTC like every date inside. */
function filename(s: Services, ...parts: string[]): string {
  return `${[...parts, new Date(s.now()).toISOString().slice(0, 10)].join('-')}.csv`;
}

function giftColumns(campaign: CampaignRow, audience: ExportAudience): Column<GiftExportRow>[] {
  const c = campaign.currency;
  const admin = audience === 'admin';
  return [
    ['id', (g) => g.id],
    ['created', (g) => iso(g.createdAt)],
    ['succeeded', (g) => iso(g.succeededAt)],
    ['status', (g) => g.status],
    ['source', (g) => g.source],
    ['method', (g) => g.method],
    ['amount', (g) => amount(money(g.amount, g.currency))],
    ['currency', (g) => g.currency],
    // In the gift currency, next to it: charged with the gift, never part of it.
    ['fee cover', (g) => amount(money(g.feeCover, g.currency))],
    ['fee cover refunded', (g) => amount(money(g.feeCoverRefunded, g.currency))],
    ['campaign value', (g) => (g.campaignAmount === null ? null : amount(money(g.campaignAmount, c)))],
    // Stored by formatRate as a plain decimal; decimal() would refuse anything else.
    ['rate', (g) => (g.rate === null ? null : decimal(g.rate))],
    ['refunded', (g) => amount(money(g.refundedCampaignAmount, c))],
    ['matched', (g) => amount(money(g.matched, c))],
    ['campaign currency', () => c],
    ['donor name', (g) => (admin || !g.anonymous ? g.donorName : ANONYMOUS_DONOR)],
    ...(admin ? [['donor e-mail', (g) => g.donorEmail] satisfies Column<GiftExportRow>] : []),
    ['anonymous', (g) => yesNo(g.anonymous)],
    ['show amount', (g) => yesNo(g.showAmount)],
    ['comment', (g) => g.comment],
    ['note', (g) => g.note],
  ];
}

/**
 * Every gift of the campaign, in any status, oldest first. "refunded" and
 * "matched" are in the campaign currency, like "campaign value", so the sum of
 * campaign value minus refunded is the campaign's raised total. "fee cover"
 * (what the donor added for the processing fee) and "fee cover refunded" are
 * in the gift's currency and in no total: amount plus fee cover is what the
 * donor was charged.
 */
export function giftsCsv(s: Services, slug: string, audience: ExportAudience): CsvFile {
  const campaign = getCampaign(s, slug);
  return {
    filename: filename(s, campaign.slug, 'gifts'),
    csv: table(giftColumns(campaign, audience), giftsForExport(s.db, campaign.id)),
  };
}

interface Donor {
  name: string;
  email: string | null;
  anonymous: boolean;
  gifts: number;
  total: Money;
  first: number | null;
  last: number | null;
}

/**
 * Donors as the campaign counts them: one per donor key (an e-mail, or a gift
 * without one), with at least one gift that still counts. Only counting gifts
 * are summed, so the rows are the donor count and their totals the raised total.
 */
function donorsOf(campaign: CampaignRow, rows: readonly GiftExportRow[]): Donor[] {
  const counting = rows.filter(giftCounts).sort((a, b) => (a.successSeq ?? 0) - (b.successSeq ?? 0));
  const donors = new Map<string, Donor>();
  for (const g of counting) {
    const net = money((g.campaignAmount ?? 0) - g.refundedCampaignAmount, campaign.currency);
    const d = donors.get(g.donorKey);
    if (d === undefined) {
      donors.set(g.donorKey, {
        name: g.donorName,
        email: g.donorEmail,
        anonymous: g.anonymous,
        gifts: 1,
        total: net,
        first: g.succeededAt,
        last: g.succeededAt,
      });
    } else {
      // The latest gift's name and e-mail: people correct typos as they give again.
      d.name = g.donorName;
      d.email = g.donorEmail;
      // One anonymous gift hides the name from organizers: a named row with a
      // total would tell them what the anonymous gift was.
      d.anonymous ||= g.anonymous;
      d.gifts += 1;
      d.total = sumMoney([d.total, net], campaign.currency);
      d.last = g.succeededAt;
    }
  }
  return [...donors.values()];
}

export function donorsCsv(s: Services, slug: string, audience: ExportAudience): CsvFile {
  const campaign = getCampaign(s, slug);
  const admin = audience === 'admin';
  const columns: Column<Donor>[] = [
    ['donor name', (d) => (admin || !d.anonymous ? d.name : ANONYMOUS_DONOR)],
    ...(admin ? [['donor e-mail', (d) => d.email] satisfies Column<Donor>] : []),
    ['anonymous', (d) => yesNo(d.anonymous)],
    ['gifts', (d) => d.gifts],
    ['total', (d) => amount(d.total)],
    ['currency', (d) => d.total.currency],
    ['first gift', (d) => iso(d.first)],
    ['last gift', (d) => iso(d.last)],
  ];
  return {
    filename: filename(s, campaign.slug, 'donors'),
    csv: table(columns, donorsOf(campaign, giftsForExport(s.db, campaign.id))),
  };
}

interface PledgeLine {
  row: PledgeRow;
  view: PublicPledge;
}

/**
 * The campaign's match pledges in application order, proposed and declined
 * ones included. The ratio is written as two numbers: a spreadsheet reads the
 * text "2:1" as the time 02:01.
 */
export function pledgesCsv(s: Services, slug: string, audience: ExportAudience): CsvFile {
  const campaign = getCampaign(s, slug);
  const admin = audience === 'admin';
  const columns: Column<PledgeLine>[] = [
    ['id', (p) => p.row.id],
    ['sponsor', (p) => (admin || !p.row.anonymous ? p.row.sponsorName : ANONYMOUS_SPONSOR)],
    ...(admin ? [['sponsor e-mail', (p) => p.row.sponsorEmail] satisfies Column<PledgeLine>] : []),
    ['anonymous', (p) => yesNo(p.row.anonymous)],
    ['ratio sponsor', (p) => p.row.ratioSponsor],
    ['ratio donor', (p) => p.row.ratioDonor],
    ['cap', (p) => amount(p.view.cap)],
    ['matched', (p) => amount(p.view.allocated)],
    ['remaining', (p) => amount(p.view.remaining)],
    ['currency', () => campaign.currency],
    ['status', (p) => p.view.status],
    ['starts', (p) => iso(p.row.startsAt)],
    ['ends', (p) => iso(p.row.endsAt)],
    ['stopped', (p) => iso(p.row.stoppedAt)],
  ];
  const lines = pledgesOfCampaign(s.db, campaign.id).map((row) => ({ row, view: describePledge(s, row) }));
  return { filename: filename(s, campaign.slug, 'match-pledges'), csv: table(columns, lines) };
}

/**
 * A sponsor's statement: one line per gift the pledge matched, then the
 * total, which is what the sponsor owes. Donors appear as on the statement
 * page: by name or "Anonymous", never by e-mail.
 */
export function pledgeStatementCsv(s: Services, pledgeId: string): CsvFile {
  const st = pledgeStatement(s, pledgeId);
  const c = st.campaign.currency;
  const matched = sumMoney(
    st.lines.map((l) => l.matched),
    c,
  );
  // The lines and the pledge's cached total come from the same ledger; a
  // statement whose lines do not add up to what it says is owed must not ship.
  if (matched.amount !== st.owed.amount) {
    throw new Error(`pledge ${pledgeId}: statement lines sum to ${matched.amount}, pledge says ${st.owed.amount}`);
  }
  const header = ['date', 'donor', 'amount', 'currency', 'campaign value', 'matched', 'campaign currency'];
  const rows: Cell[][] = st.lines.map((l) => [
    iso(l.at),
    l.donor,
    amount(l.gift),
    l.gift.currency,
    amount(l.giftValue),
    amount(l.matched),
    c,
  ]);
  const value = sumMoney(
    st.lines.map((l) => l.giftValue),
    c,
  );
  rows.push([null, 'Total', null, null, amount(value), amount(st.owed), c]);
  return { filename: filename(s, st.campaign.slug, 'match-statement', st.pledge.id), csv: toCsv(header, rows) };
}
