// The sponsor portal's use cases: a sponsor's own pledges, proposing a pledge
// (which tells every administrator, since it matches nothing until one of
// them approves it), and the statement the portal shows and prints.
import { DomainError, ValidationError } from '../domain/errors.ts';
import { formatRatio } from '../domain/matching.ts';
import { formatMoney, money, sumMoney, type Money } from '../domain/money.ts';
import { findCampaignById, findCampaignBySlug, type CampaignRow } from '../db/campaigns.ts';
import type { PledgeRow } from '../db/pledges.ts';
import { pledgesOfSponsorUser, type SponsorPledgeRow } from '../db/sponsor.ts';
import { findUserById, listUsers } from '../db/users.ts';
import { describePledge, listPublicCampaigns, type PublicPledge } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { queueMail } from './mail.ts';
import { pledgeAccount, type PledgeAccount } from './pledge-payments.ts';
import { createPledge, pledgeStatement, type PledgeStatement } from './pledges.ts';

export interface SponsorPledge extends SponsorPledgeRow {
  view: PublicPledge;
  account: PledgeAccount;
}

/** The pledges this sponsor account made, newest first, with what each has matched and what is left to pay. */
export function sponsorPledges(s: Services, userId: string): SponsorPledge[] {
  return pledgesOfSponsorUser(s.db, userId).map((row) => ({ ...row, view: describePledge(s, row.pledge), account: pledgeAccount(s, row.pledge, row.campaign.currency) }));
}

/** The campaigns a sponsor may propose a pledge on: published ones only. */
export function proposableCampaigns(s: Services): CampaignRow[] {
  return listPublicCampaigns(s);
}

export interface Proposal {
  /** The name shown on the campaign page unless anonymous. */
  sponsorName: string;
  anonymous: boolean;
  message: string | null;
  ratio: string;
  cap?: Money;
  capUnits?: number;
  startsAt: number | null;
  endsAt: number | null;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A sponsor proposes a pledge on a published campaign. It is stored as
 * `proposed` (it matches nothing) and every active administrator gets an
 * e-mail asking them to review it.
 */
export async function proposePledge(s: Services, actor: Actor, slug: string, p: Proposal): Promise<PledgeRow> {
  const user = actor.role === 'sponsor' && actor.userId ? findUserById(s.db, actor.userId) : undefined;
  if (!user) throw new DomainError('forbidden', 'Only a sponsor account can propose a pledge.');
  // A draft is not public: it gets the same answer as a campaign that does not exist.
  const campaign = findCampaignBySlug(s.db, slug);
  if (!campaign || campaign.status !== 'published') {
    throw ValidationError.field('campaign', 'This campaign does not take new pledges; choose a published campaign');
  }
  let queued = 0;
  // The notice is queued in the pledge's own transaction: no proposal goes unannounced.
  const notify = (pledge: PledgeRow, c: CampaignRow) => {
    const data = {
      sponsorName: pledge.sponsorName,
      sponsorEmail: user.email,
      anonymous: pledge.anonymous,
      campaign: c.title,
      ratio: formatRatio({ sponsor: pledge.ratioSponsor, donor: pledge.ratioDonor }),
      cap: formatMoney(money(pledge.cap, c.currency)),
      capUnits: pledge.capUnits === null ? null : `${pledge.capUnits.toLocaleString('en')} × ${c.impactUnit ?? ''}`.trim(),
      starts: p.startsAt === null ? null : isoDay(p.startsAt),
      ends: p.endsAt === null ? null : isoDay(p.endsAt),
      message: pledge.publicMessage,
      link: `${s.config.baseUrl}/admin/campaigns/${c.slug}/pledges`,
    };
    const admins = listUsers(s.db).filter((u) => u.role === 'admin' && u.disabledAt === null);
    for (const admin of admins) {
      queueMail(s, {
        to: admin.email,
        kind: 'pledge_proposal',
        template: 'pledge-proposed',
        subject: 'A sponsor proposed a matching pledge',
        data: { ...data, name: admin.name },
      });
    }
    queued = admins.length;
  };
  const pledge = await createPledge(
    s,
    actor,
    slug,
    {
      sponsor: { name: p.sponsorName, email: user.email },
      anonymous: p.anonymous,
      message: p.message,
      ratio: p.ratio,
      ...(p.cap && { cap: p.cap }),
      ...(p.capUnits !== undefined && { capUnits: p.capUnits }),
      startsAt: p.startsAt,
      endsAt: p.endsAt,
    },
    'proposed',
    notify,
  );
  if (queued > 0) s.mailer.kick();
  return pledge;
}

export interface SponsorStatement extends PledgeStatement {
  /** The campaign's impact unit, to show a cap given in units. */
  impactUnit: string | null;
  /** The matched gifts' value in the campaign currency. */
  giftsValue: Money;
  /** What the pledge came to, what the sponsor paid and what is left. */
  account: PledgeAccount;
  /** When the statement was drawn up. */
  asOf: number;
}

/** The statement of one pledge as the portal shows it: no donor e-mail, anonymous donors as "Anonymous". */
export function sponsorStatement(s: Services, pledgeId: string): SponsorStatement {
  const st = pledgeStatement(s, pledgeId);
  const campaign = findCampaignById(s.db, st.pledge.campaignId);
  return {
    ...st,
    impactUnit: campaign?.impactUnit ?? null,
    giftsValue: sumMoney(
      st.lines.map((l) => l.giftValue),
      st.campaign.currency,
    ),
    account: pledgeAccount(s, st.pledge, st.campaign.currency),
    asOf: s.now(),
  };
}
