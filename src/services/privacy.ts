// Who on the staff may see whose personal data, in one place for the console
// pages and the staff API (the CSV exports in exports.ts apply the same rule):
// donors' and sponsors' e-mail addresses only to admins; someone anonymous in
// public stays anonymous for organizers too, who enter cash and run events
// but decide nothing that needs the real name (approving a pledge is an
// admin's decision). Admins see everything, marked where the public does not.
export type Audience = 'admin' | 'organizer';

export const ANONYMOUS_DONOR = 'Anonymous';
export const ANONYMOUS_SPONSOR = 'Anonymous sponsor';

/** Admins see everything; every other staff role sees what an organizer sees. */
export function audienceOf(role: string | undefined): Audience {
  return role === 'admin' ? 'admin' : 'organizer';
}

/** A donor or sponsor as one audience may see them. */
export interface PersonShown {
  /** The real name, or "Anonymous" / "Anonymous sponsor" when this audience may not see it. */
  name: string;
  /** Only for admins (and only when one was given); always null for organizers. */
  email: string | null;
  /** `name` is a stand-in label, not a person's name: pages translate it. */
  withheld: boolean;
  /** `name` is real but the public never sees it: the console marks it so. */
  hiddenInPublic: boolean;
}

interface DonorFields {
  donorName: string;
  donorEmail: string | null;
  anonymous: boolean;
}

interface SponsorFields {
  sponsorName: string;
  sponsorEmail: string | null;
  anonymous: boolean;
}

function shown(name: string, email: string | null, anonymous: boolean, audience: Audience, standIn: string): PersonShown {
  if (audience === 'admin') return { name, email, withheld: false, hiddenInPublic: anonymous };
  return anonymous ? { name: standIn, email: null, withheld: true, hiddenInPublic: false } : { name, email: null, withheld: false, hiddenInPublic: false };
}

export function donorFor(gift: DonorFields, audience: Audience): PersonShown {
  return shown(gift.donorName, gift.donorEmail, gift.anonymous, audience, ANONYMOUS_DONOR);
}

/** `sponsorEmail` is whichever address the caller knows the sponsor by (their account's or the one given). */
export function sponsorFor(pledge: SponsorFields, audience: Audience): PersonShown {
  return shown(pledge.sponsorName, pledge.sponsorEmail, pledge.anonymous, audience, ANONYMOUS_SPONSOR);
}

/**
 * A gift as a page for this audience may hold it: `donor` added, and the raw
 * name and e-mail replaced by what `donor` shows, so nothing hidden reaches
 * the template at all.
 */
export function giftFor<G extends DonorFields>(gift: G, audience: Audience): G & { donor: PersonShown } {
  const donor = donorFor(gift, audience);
  // Object.assign rather than a spread, which is slow here (see objects.ts); withProps's Omit type would not be a G.
  return Object.assign({}, gift, { donorName: donor.name, donorEmail: donor.email, donor });
}

/** A pledge row as a page for this audience may hold it, like giftFor. */
export function pledgeFor<P extends SponsorFields>(pledge: P, audience: Audience): P & { sponsor: PersonShown } {
  const sponsor = sponsorFor(pledge, audience);
  return Object.assign({}, pledge, { sponsorName: sponsor.name, sponsorEmail: sponsor.email, sponsor });
}
