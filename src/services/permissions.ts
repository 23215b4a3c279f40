// Who may touch what, as plain rules the web layer's one access hook applies:
// admins everything; organizers the campaigns they created or were assigned
// to; sponsors their own pledges. Donors have no accounts.
import { campaignsOfOrganizer, findCampaignById, findCampaignBySlug, isOrganizerOf, listCampaigns, type CampaignRow } from '../db/campaigns.ts';
import { findEventById, findEventBySlug, type EventRow } from '../db/events.ts';
import { findGift } from '../db/gifts.ts';
import { findOrder } from '../db/orders.ts';
import { findPledge } from '../db/pledges.ts';
import { findRaffle } from '../db/raffles.ts';
import type { UserRow } from '../db/users.ts';
import type { Services } from './context.ts';

export type Ownership = 'campaign' | 'pledge' | 'gift' | 'event' | 'order' | 'raffle';

function managesCampaign(s: Services, user: UserRow, campaignId: string): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'organizer' && isOrganizerOf(s.db, campaignId, user.id);
}

/**
 * Whether the user may act on the record a route names. Unknown records are
 * allowed through so the route answers its own clear 404.
 */
export function mayAccess(s: Services, user: UserRow, kind: Ownership, key: string): boolean {
  if (user.role === 'admin') return true;
  switch (kind) {
    case 'campaign': {
      const c = findCampaignBySlug(s.db, key);
      return !c || managesCampaign(s, user, c.id);
    }
    case 'gift': {
      const g = findGift(s.db, key);
      return !g || managesCampaign(s, user, g.campaignId);
    }
    case 'event': {
      const e = findEventBySlug(s.db, key);
      return !e || managesEvent(s, user, e);
    }
    case 'order': {
      const o = findOrder(s.db, key);
      const e = o && findEventById(s.db, o.eventId);
      return !e || managesEvent(s, user, e);
    }
    case 'raffle': {
      const r = findRaffle(s.db, key);
      if (!r) return true;
      const e = r.eventId === null ? undefined : findEventById(s.db, r.eventId);
      return e ? managesEvent(s, user, e) : r.campaignId !== null && managesCampaign(s, user, r.campaignId);
    }
    case 'pledge': {
      const p = findPledge(s.db, key);
      if (!p) return true;
      if (user.role === 'sponsor') return p.sponsorUserId === user.id;
      return managesCampaign(s, user, p.campaignId);
    }
  }
}

/** Organizers run the events they created and those raising money for their campaigns. */
export function managesEvent(s: Services, user: UserRow, event: Pick<EventRow, 'createdBy' | 'campaignId'>): boolean {
  if (user.role === 'admin') return true;
  if (user.role !== 'organizer') return false;
  return event.createdBy === user.id || (event.campaignId !== null && isOrganizerOf(s.db, event.campaignId, user.id));
}

/** The campaigns a user runs: all for an admin, assigned ones for an organizer. */
export function campaignsManagedBy(s: Services, user: UserRow): CampaignRow[] {
  if (user.role === 'admin') return listCampaigns(s.db);
  if (user.role === 'organizer') return campaignsOfOrganizer(s.db, user.id);
  return [];
}

export function managesCampaignId(s: Services, user: UserRow, campaignId: string): boolean {
  return findCampaignById(s.db, campaignId) !== undefined && managesCampaign(s, user, campaignId);
}
