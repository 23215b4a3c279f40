// The database schema (drizzle, SQLite). Money columns are integers in minor
// units; times are integer milliseconds since the epoch. The schema enforces
// what it can (UNIQUE, CHECK, foreign keys) so a bug in a service cannot
// quietly store an impossible row.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer('created_at').notNull();

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    story: text('story').notNull().default(''),
    currency: text('currency').notNull(),
    goal: integer('goal').notNull(),
    impactUnit: text('impact_unit'),
    impactUnitCost: integer('impact_unit_cost'),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    status: text('status', { enum: ['draft', 'published', 'closed'] }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('campaigns_slug_unique').on(t.slug),
    check('campaigns_goal_positive', sql`${t.goal} > 0`),
    check('campaigns_status_valid', sql`${t.status} in ('draft','published','closed')`),
    check('campaigns_impact_pair', sql`(${t.impactUnit} is null) = (${t.impactUnitCost} is null)`),
    check('campaigns_impact_cost_positive', sql`${t.impactUnitCost} is null or ${t.impactUnitCost} > 0`),
  ],
);

/** Cached totals, updated in the same transaction as the ledger entries they sum. */
export const campaignTotals = sqliteTable(
  'campaign_totals',
  {
    campaignId: text('campaign_id').primaryKey().references(() => campaigns.id),
    raised: integer('raised').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    donorCount: integer('donor_count').notNull().default(0),
    giftCount: integer('gift_count').notNull().default(0),
    /** Ticket revenue net of refunds (campaign currency); `raised` counts gifts only. */
    tickets: integer('tickets').notNull().default(0),
    /** Raffle proceeds net of refunds (campaign currency). */
    raffles: integer('raffles').notNull().default(0),
  },
  (t) => [
    check('totals_raised_nonneg', sql`${t.raised} >= 0`),
    check('totals_matched_nonneg', sql`${t.matched} >= 0`),
  ],
);

export const exchangeRates = sqliteTable(
  'exchange_rates',
  {
    id: text('id').primaryKey(),
    base: text('base').notNull(),
    quote: text('quote').notNull(),
    rate: text('rate').notNull(),
    effectiveAt: integer('effective_at').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('exchange_rates_lookup').on(t.base, t.quote, t.effectiveAt),
    check('exchange_rates_distinct', sql`${t.base} <> ${t.quote}`),
  ],
);

export const giftStatuses = [
  'pending',
  'succeeded',
  'failed',
  'expired',
  'refunded',
  'partially_refunded',
  'disputed',
] as const;

export const gifts = sqliteTable(
  'gifts',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    /** Value in the campaign currency, frozen when the gift succeeded. */
    campaignAmount: integer('campaign_amount'),
    /** The rate used (1 gift currency = rate campaign currency), null when no conversion. */
    rate: text('rate'),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    refundedCampaignAmount: integer('refunded_campaign_amount').notNull().default(0),
    /**
     * What the donor added to cover the card processor's fee, in the gift
     * currency: charged with the gift but not part of it (never raised, never
     * matched).
     */
    feeCover: integer('fee_cover').notNull().default(0),
    /** How much of the fee cover went back to the donor with refunds. */
    feeCoverRefunded: integer('fee_cover_refunded').notNull().default(0),
    donorName: text('donor_name').notNull(),
    donorEmail: text('donor_email'),
    /** Identity for counting donors: the lower-cased e-mail, or the gift's own id. */
    donorKey: text('donor_key').notNull(),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    showAmount: integer('show_amount', { mode: 'boolean' }).notNull().default(true),
    comment: text('comment'),
    source: text('source', { enum: ['online', 'offline', 'event'] }).notNull(),
    method: text('method').notNull(),
    status: text('status', { enum: giftStatuses }).notNull(),
    eventId: text('event_id'),
    note: text('note'),
    receivedAt: integer('received_at'),
    /** Replay order for matching: assigned when the gift succeeds. */
    successSeq: integer('success_seq'),
    succeededAt: integer('succeeded_at'),
    expiresAt: integer('expires_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('gifts_success_seq_unique').on(t.successSeq),
    index('gifts_campaign_success').on(t.campaignId, t.successSeq),
    index('gifts_campaign_donor').on(t.campaignId, t.donorKey),
    index('gifts_pending_expiry').on(t.status, t.expiresAt),
    check('gifts_amount_positive', sql`${t.amount} > 0`),
    check('gifts_campaign_amount_nonneg', sql`${t.campaignAmount} is null or ${t.campaignAmount} >= 0`),
    check('gifts_refund_bounds', sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.amount}`),
    check(
      'gifts_refund_campaign_bounds',
      sql`${t.refundedCampaignAmount} >= 0 and ${t.refundedCampaignAmount} <= coalesce(${t.campaignAmount}, 0)`,
    ),
    check('gifts_source_valid', sql`${t.source} in ('online','offline','event')`),
    check(
      'gifts_status_valid',
      sql`${t.status} in ('pending','succeeded','failed','expired','refunded','partially_refunded','disputed')`,
    ),
  ],
);

export const giftRefunds = sqliteTable(
  'gift_refunds',
  {
    id: text('id').primaryKey(),
    giftId: text('gift_id').notNull().references(() => gifts.id),
    amount: integer('amount').notNull(),
    campaignAmount: integer('campaign_amount').notNull(),
    reason: text('reason'),
    /** The provider's id of the refund (a Stripe re_…): one refund, whether our call or its webhook records it first. */
    providerRefund: text('provider_refund'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('gift_refunds_gift').on(t.giftId),
    uniqueIndex('gift_refunds_provider_refund').on(t.providerRefund),
    check('gift_refunds_amount_positive', sql`${t.amount} > 0`),
    check('gift_refunds_campaign_amount_nonneg', sql`${t.campaignAmount} >= 0`),
  ],
);

export const pledgeStatuses = ['proposed', 'active', 'paused', 'closed', 'declined'] as const;

export const matchPledges = sqliteTable(
  'match_pledges',
  {
    id: text('id').primaryKey(),
    /** Creation order: the tie-break after priority. */
    seq: integer('seq').notNull(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id),
    sponsorName: text('sponsor_name').notNull(),
    sponsorEmail: text('sponsor_email'),
    sponsorUserId: text('sponsor_user_id'),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    publicMessage: text('public_message'),
    ratioSponsor: integer('ratio_sponsor').notNull(),
    ratioDonor: integer('ratio_donor').notNull(),
    cap: integer('cap').notNull(),
    capUnits: integer('cap_units'),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    stoppedAt: integer('stopped_at'),
    minGift: integer('min_gift'),
    maxPerGift: integer('max_per_gift'),
    maxPerDonor: integer('max_per_donor'),
    /** JSON array of gift sources that count, null = all. */
    sources: text('sources'),
    priority: integer('priority').notNull().default(100),
    stacking: integer('stacking', { mode: 'boolean' }).notNull().default(false),
    unlockKind: text('unlock_kind', { enum: ['raised', 'donors'] }),
    unlockThreshold: integer('unlock_threshold'),
    status: text('status', { enum: pledgeStatuses }).notNull(),
    /** Cached: what the pledge has matched; equals the sum of its ledger entries. */
    allocated: integer('allocated').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('match_pledges_seq_unique').on(t.seq),
    index('match_pledges_campaign').on(t.campaignId),
    check('match_pledges_cap_positive', sql`${t.cap} > 0`),
    check('match_pledges_ratio_positive', sql`${t.ratioSponsor} > 0 and ${t.ratioDonor} > 0`),
    check('match_pledges_allocated_bounds', sql`${t.allocated} >= 0 and ${t.allocated} <= ${t.cap}`),
    check(
      'match_pledges_status_valid',
      sql`${t.status} in ('proposed','active','paused','closed','declined')`,
    ),
    check('match_pledges_unlock_pair', sql`(${t.unlockKind} is null) = (${t.unlockThreshold} is null)`),
  ],
);

/** Per-gift match allocations: rewritten by a replay; every change is also in the ledger. */
export const matchAllocations = sqliteTable(
  'match_allocations',
  {
    giftId: text('gift_id').notNull().references(() => gifts.id),
    pledgeId: text('pledge_id').notNull().references(() => matchPledges.id),
    amount: integer('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.giftId, t.pledgeId] }),
    index('match_allocations_pledge').on(t.pledgeId),
    check('match_allocations_positive', sql`${t.amount} > 0`),
  ],
);

/** Ticket and raffle entries are negative when an order or entry is refunded or cancelled. */
export const ledgerKinds = ['gift', 'refund', 'match', 'ticket', 'raffle'] as const;

/** Append-only: rows are inserted, never updated or deleted (triggers enforce it). */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id),
    kind: text('kind', { enum: ledgerKinds }).notNull(),
    amount: integer('amount').notNull(),
    giftId: text('gift_id').references(() => gifts.id),
    pledgeId: text('pledge_id').references(() => matchPledges.id),
    refundId: text('refund_id').references(() => giftRefunds.id),
    orderId: text('order_id').references(() => orders.id),
    raffleEntryId: text('raffle_entry_id').references((): AnySQLiteColumn => raffleEntries.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_campaign').on(t.campaignId, t.kind),
    index('ledger_pledge').on(t.pledgeId),
    index('ledger_order').on(t.orderId),
    check('ledger_amount_nonzero', sql`${t.amount} <> 0`),
    check('ledger_kind_valid', sql`${t.kind} in ('gift','refund','match','ticket','raffle')`),
  ],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'organizer', 'sponsor'] }).notNull(),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
    /** Failed password attempts since the last success; reaching the limit locks the account for a while. */
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: integer('locked_until'),
    /** A disabled account cannot log in and its sessions and tokens stop working. */
    disabledAt: integer('disabled_at'),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_valid', sql`${t.role} in ('admin','organizer','sponsor')`),
  ],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id),
    name: text('name').notNull(),
    /** SHA-256 of the token: the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
);

/** A payment started with a provider: the link between its checkout and our gift. */
export const checkouts = sqliteTable(
  'checkouts',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    /** What the checkout pays for: a gift, a ticket order, raffle tickets or a sponsor's match payment (exactly one). */
    giftId: text('gift_id').references(() => gifts.id),
    orderId: text('order_id').references(() => orders.id),
    raffleEntryId: text('raffle_entry_id').references((): AnySQLiteColumn => raffleEntries.id),
    pledgePaymentId: text('pledge_payment_id').references((): AnySQLiteColumn => pledgePayments.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['open', 'paid', 'declined', 'expired'] }).notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: createdAt(),
    completedAt: integer('completed_at'),
    /** The provider's own id for this checkout (a Stripe Checkout Session). */
    providerRef: text('provider_ref'),
    /** The provider's id of the payment once one exists (a Stripe PaymentIntent): refunds and disputes name it. */
    providerPayment: text('provider_payment'),
  },
  // Partial indexes: a checkout has one subject of four, and no provider ids
  // until the provider gives them, so indexing the empty columns as well
  // filled five indexes with NULLs, written on every checkout. Lookups are
  // by equality, which SQLite knows excludes NULL, so they still use them.
  // The two listings by provider alone (reconciliation, refunds awaiting the
  // provider) read the table, as they in effect did before: an installation
  // has one provider, so its prefix of the index picked out every row.
  (t) => [
    index('checkouts_gift').on(t.giftId).where(sql`${t.giftId} is not null`),
    index('checkouts_provider_ref').on(t.provider, t.providerRef).where(sql`${t.providerRef} is not null`),
    index('checkouts_provider_payment').on(t.provider, t.providerPayment).where(sql`${t.providerPayment} is not null`),
    index('checkouts_order').on(t.orderId).where(sql`${t.orderId} is not null`),
    index('checkouts_raffle_entry').on(t.raffleEntryId).where(sql`${t.raffleEntryId} is not null`),
    index('checkouts_pledge_payment').on(t.pledgePaymentId).where(sql`${t.pledgePaymentId} is not null`),
    check(
      'checkouts_one_subject',
      sql`(${t.giftId} is not null) + (${t.orderId} is not null) + (${t.raffleEntryId} is not null) + (${t.pledgePaymentId} is not null) = 1`,
    ),
  ],
);

/** Provider events already processed: the same event delivered ten times counts once. */
export const paymentEvents = sqliteTable(
  'payment_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    processedAt: integer('processed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

/** First answers to money POSTs, replayed for a repeated Idempotency-Key or form token. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Append-only record of money- and permission-relevant actions. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    actorUserId: text('actor_user_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    before: text('before'),
    after: text('after'),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_subject').on(t.subjectType, t.subjectId)],
);

/**
 * Browser sessions, kept in the database so they can be revoked, survive a
 * restart and work across several app instances. The cookie holds a random
 * token; only its SHA-256 is stored.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    /** A public handle for the session (listing and revoking it), never the token. */
    id: text('id').notNull(),
    userId: text('user_id').notNull().references(() => users.id),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('sessions_id_unique').on(t.id), index('sessions_user').on(t.userId)],
);

/** One-time links sent by e-mail: invitations, password resets and the first admin's setup. */
export const authLinks = sqliteTable(
  'auth_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    id: text('id').notNull(),
    kind: text('kind', { enum: ['invitation', 'reset', 'setup'] }).notNull(),
    email: text('email'),
    name: text('name'),
    role: text('role', { enum: ['admin', 'organizer', 'sponsor'] }),
    userId: text('user_id').references(() => users.id),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    uniqueIndex('auth_links_id_unique').on(t.id),
    check('auth_links_kind_valid', sql`${t.kind} in ('invitation','reset','setup')`),
  ],
);

/** Organizers assigned to a campaign (its creator is assigned when it is created). */
export const campaignOrganizers = sqliteTable(
  'campaign_organizers',
  {
    campaignId: text('campaign_id').notNull().references(() => campaigns.id),
    userId: text('user_id').notNull().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] }), index('campaign_organizers_user').on(t.userId)],
);

/**
 * Every e-mail is written here in the transaction that causes it and sent
 * after commit when SMTP is configured; without SMTP it stays here for admins
 * to read, so invitations and resets work on a fresh install.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    /** JSON: [{filename, contentType, content (base64), cid?}] — a ticket's QR code, an event's .ics. */
    attachments: text('attachments').notNull().default('[]'),
    /** What the message is for ("invitation", "reset"), for the console's list. */
    kind: text('kind').notNull(),
    createdAt: createdAt(),
    sentAt: integer('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    /** Set while one app instance is sending it, so two instances never both do. */
    claimedUntil: integer('claimed_until'),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_unsent').on(t.sentAt, t.createdAt)],
);

/** Installation settings that must be shared by every app instance (the cookie-signing secret). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const eventKinds = ['screening', 'seminar', 'social', 'run', 'other'] as const;
export const eventStatuses = ['draft', 'published', 'cancelled'] as const;

/** A tour: several dates, often in several cities, under one page and one feed. */
export const eventSeries = sqliteTable(
  'event_series',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('event_series_slug_unique').on(t.slug)],
);

export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    kind: text('kind', { enum: eventKinds }).notNull(),
    status: text('status', { enum: eventStatuses }).notNull(),
    /** IANA zone the event happens in; start and end are instants (UTC ms). */
    timezone: text('timezone').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    venueName: text('venue_name'),
    venueAddress: text('venue_address'),
    venueCity: text('venue_city'),
    venueCountry: text('venue_country'),
    onlineUrl: text('online_url'),
    seriesId: text('series_id').references(() => eventSeries.id),
    /** Where the proceeds go; ticket revenue enters this campaign's ledger. */
    campaignId: text('campaign_id').references(() => campaigns.id),
    /** Currency of ticket prices. */
    currency: text('currency').notNull(),
    /** Seats for the whole event, across all ticket types; null = only the types' quantities. */
    capacity: integer('capacity'),
    /** JSON: [{name, url?}] co-hosting organisations. */
    hosts: text('hosts').notNull().default('[]'),
    /** JSON: [{name, bio?}]. */
    speakers: text('speakers').notNull().default('[]'),
    /** iCalendar SEQUENCE: bumped on every change a calendar should pick up. */
    sequence: integer('sequence').notNull().default(0),
    cancelledAt: integer('cancelled_at'),
    /** After a cancellation: until then, ticket holders may turn their ticket price into a gift instead of a refund. */
    giftOfferUntil: integer('gift_offer_until'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('events_slug_unique').on(t.slug),
    index('events_start').on(t.status, t.startsAt),
    index('events_series').on(t.seriesId),
    check('events_kind_valid', sql`${t.kind} in ('screening','seminar','social','run','other')`),
    check('events_status_valid', sql`${t.status} in ('draft','published','cancelled')`),
    check('events_times', sql`${t.endsAt} > ${t.startsAt}`),
    check('events_capacity_positive', sql`${t.capacity} is null or ${t.capacity} > 0`),
  ],
);

export const ticketTypes = sqliteTable(
  'ticket_types',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull().references(() => events.id),
    name: text('name').notNull(),
    description: text('description'),
    /** In the event's currency; 0 is a free RSVP. With `minPrice` set, the suggested price. */
    price: integer('price').notNull(),
    /** Pay what you want, at least this much. */
    minPrice: integer('min_price'),
    quantity: integer('quantity').notNull(),
    salesStart: integer('sales_start'),
    salesEnd: integer('sales_end'),
    minPerOrder: integer('min_per_order').notNull().default(1),
    maxPerOrder: integer('max_per_order').notNull().default(10),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('ticket_types_event').on(t.eventId),
    check('ticket_types_price_nonneg', sql`${t.price} >= 0`),
    check('ticket_types_min_price', sql`${t.minPrice} is null or (${t.minPrice} >= 0 and ${t.minPrice} <= ${t.price})`),
    check('ticket_types_quantity_positive', sql`${t.quantity} > 0`),
    check('ticket_types_order_limits', sql`${t.minPerOrder} >= 1 and ${t.maxPerOrder} >= ${t.minPerOrder}`),
  ],
);

export const orderStatuses = ['pending', 'paid', 'expired', 'failed', 'cancelled', 'refunded', 'partially_refunded'] as const;

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull().references(() => events.id),
    status: text('status', { enum: orderStatuses }).notNull(),
    /** online (guest checkout) or door (cash at the event, entered by an organizer). */
    source: text('source', { enum: ['online', 'door'] }).notNull(),
    method: text('method').notNull(),
    buyerName: text('buyer_name').notNull(),
    buyerEmail: text('buyer_email'),
    currency: text('currency').notNull(),
    /** The tickets' price, in the event currency. */
    ticketsTotal: integer('tickets_total').notNull(),
    /** A donation added to the order; it becomes a gift to the event's campaign. */
    donation: integer('donation').notNull().default(0),
    donationGiftId: text('donation_gift_id').references(() => gifts.id),
    /** Whether the donation may show under the buyer's name (anonymous unless they said so). */
    donationPublic: integer('donation_public', { mode: 'boolean' }).notNull().default(false),
    /** When the event was cancelled and the holder gave the ticket price instead of taking it back. */
    convertedGiftId: text('converted_gift_id').references(() => gifts.id),
    /** Ticket revenue in the campaign currency, frozen when paid. */
    campaignAmount: integer('campaign_amount'),
    rate: text('rate'),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    refundedCampaignAmount: integer('refunded_campaign_amount').notNull().default(0),
    /** Seats are held until then while pending. */
    expiresAt: integer('expires_at'),
    paidAt: integer('paid_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('orders_event_status').on(t.eventId, t.status, t.expiresAt),
    index('orders_pending_expiry').on(t.status, t.expiresAt),
    check('orders_totals_nonneg', sql`${t.ticketsTotal} >= 0 and ${t.donation} >= 0`),
    check('orders_refund_bounds', sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.ticketsTotal}`),
    check(
      'orders_status_valid',
      sql`${t.status} in ('pending','paid','expired','failed','cancelled','refunded','partially_refunded')`,
    ),
  ],
);

export const orderItems = sqliteTable(
  'order_items',
  {
    orderId: text('order_id').notNull().references(() => orders.id),
    ticketTypeId: text('ticket_type_id').notNull().references(() => ticketTypes.id),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    /** Seats of this line refunded on their own (a partial refund): they no longer count as taken. */
    refundedQuantity: integer('refunded_quantity').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.ticketTypeId] }),
    index('order_items_type').on(t.ticketTypeId),
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
    check('order_items_price_nonneg', sql`${t.unitPrice} >= 0`),
  ],
);

/** One seat: an unguessable code (shown as a QR code) that can be checked in once. */
export const tickets = sqliteTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    orderId: text('order_id').notNull().references(() => orders.id),
    ticketTypeId: text('ticket_type_id').notNull().references(() => ticketTypes.id),
    eventId: text('event_id').notNull().references(() => events.id),
    status: text('status', { enum: ['valid', 'void'] }).notNull(),
    checkedInAt: integer('checked_in_at'),
    checkedInBy: text('checked_in_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tickets_code_unique').on(t.code),
    index('tickets_order').on(t.orderId),
    index('tickets_event').on(t.eventId),
  ],
);

/** People waiting for a sold-out event; freed seats are offered in order. */
export const waitlist = sqliteTable(
  'waitlist',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull().references(() => events.id),
    ticketTypeId: text('ticket_type_id').references(() => ticketTypes.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    quantity: integer('quantity').notNull(),
    status: text('status', { enum: ['waiting', 'offered', 'claimed', 'lapsed', 'left'] }).notNull(),
    /** SHA-256 of the claim link's token while an offer is open. */
    offerTokenHash: text('offer_token_hash'),
    offerExpiresAt: integer('offer_expires_at'),
    /** The order a claim created, holding the offered seats. */
    orderId: text('order_id').references(() => orders.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('waitlist_event').on(t.eventId, t.status, t.createdAt),
    uniqueIndex('waitlist_offer_token').on(t.offerTokenHash),
    check('waitlist_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

/**
 * A raffle at an event (or for a campaign): paid tickets sold in bundles, or a
 * free prize draw. Closing freezes the pool and commits to a secret seed; the
 * draw reveals it (domain/raffle-draw.ts, docs/raffle-draw.md).
 */
export const raffles = sqliteTable(
  'raffles',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').references(() => events.id),
    /** Where the proceeds go (the event's campaign, or the campaign the raffle is for). */
    campaignId: text('campaign_id').references(() => campaigns.id),
    title: text('title').notNull(),
    rules: text('rules').notNull().default(''),
    /** Where the raffle is held, for what the law asks: KR, US-CA, CA-BC, …; "other" elsewhere. */
    jurisdiction: text('jurisdiction').notNull(),
    licence: text('licence'),
    authority: text('authority'),
    ageLimit: integer('age_limit'),
    drawAt: integer('draw_at'),
    drawPlace: text('draw_place'),
    /** Days a winner has to claim a prize after the draw. */
    claimDays: integer('claim_days').notNull().default(30),
    /** paid: tickets sold; checked_in: every checked-in ticket holder of the event; signup: a free sign-up. */
    entry: text('entry', { enum: ['paid', 'checked_in', 'signup'] }).notNull(),
    currency: text('currency').notNull(),
    /** JSON [{quantity, price}] by quantity; a single ticket is the bundle of 1. Empty for free draws. */
    bundles: text('bundles').notNull().default('[]'),
    maxTickets: integer('max_tickets'),
    salesStart: integer('sales_start'),
    salesEnd: integer('sales_end'),
    onePrizePerPerson: integer('one_prize_per_person', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: ['draft', 'open', 'closed', 'drawn', 'cancelled'] }).notNull(),
    /** Lowercase hex SHA-256 of the seed, public from closing on. */
    commitment: text('commitment'),
    /** Lowercase hex seed: secret until the draw. */
    seed: text('seed'),
    /** JSON ascending ticket numbers frozen at closing. */
    pool: text('pool'),
    /** JSON groups of ticket numbers with the same holder (for one prize per person). */
    sameHolder: text('same_holder'),
    closedAt: integer('closed_at'),
    drawnAt: integer('drawn_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('raffles_event').on(t.eventId),
    index('raffles_campaign').on(t.campaignId),
    check('raffles_belongs', sql`${t.eventId} is not null or ${t.campaignId} is not null`),
    check('raffles_status_valid', sql`${t.status} in ('draft','open','closed','drawn','cancelled')`),
    check('raffles_entry_valid', sql`${t.entry} in ('paid','checked_in','signup')`),
    check('raffles_paid_has_campaign', sql`${t.entry} <> 'paid' or ${t.campaignId} is not null`),
    check('raffles_max_positive', sql`${t.maxTickets} is null or ${t.maxTickets} > 0`),
    check('raffles_claim_days_positive', sql`${t.claimDays} > 0`),
    check('raffles_age_limit', sql`${t.ageLimit} is null or (${t.ageLimit} > 0 and ${t.ageLimit} < 100)`),
  ],
);

export const rafflePrizes = sqliteTable(
  'raffle_prizes',
  {
    raffleId: text('raffle_id').notNull().references(() => raffles.id),
    /** 0 for the first prize: the draw's prize index. */
    position: integer('position').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    donor: text('donor'),
    /** What the prize is worth, in the raffle's currency. */
    value: integer('value'),
  },
  (t) => [primaryKey({ columns: [t.raffleId, t.position] }), check('raffle_prizes_value_nonneg', sql`${t.value} is null or ${t.value} >= 0`)],
);

/** One purchase (or free entry): a bundle of tickets for one person. */
export const raffleEntries = sqliteTable(
  'raffle_entries',
  {
    id: text('id').primaryKey(),
    raffleId: text('raffle_id').notNull().references(() => raffles.id),
    source: text('source', { enum: ['online', 'door', 'free'] }).notNull(),
    method: text('method').notNull(),
    buyerName: text('buyer_name').notNull(),
    buyerEmail: text('buyer_email'),
    /** Who holds the tickets, for one prize per person: the e-mail, or the entry itself. */
    holderKey: text('holder_key').notNull(),
    quantity: integer('quantity').notNull(),
    /** The bundle's price, in the raffle currency. */
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['pending', 'paid', 'expired', 'failed', 'refunded'] }).notNull(),
    /** Whether a winning ticket may show the buyer's first name and initial. */
    publicName: integer('public_name', { mode: 'boolean' }).notNull().default(false),
    /** The buyer confirmed the age limit and the rules. */
    confirmedAt: integer('confirmed_at'),
    /** The proceeds in the campaign currency, frozen when paid. */
    campaignAmount: integer('campaign_amount'),
    rate: text('rate'),
    /** For a draw among checked-in ticket holders: the event ticket that entered. */
    eventTicketId: text('event_ticket_id').references(() => tickets.id),
    /** Its place in the campaign's matching order, shared with gifts' success_seq (paid entries only). */
    matchSeq: integer('match_seq'),
    expiresAt: integer('expires_at'),
    paidAt: integer('paid_at'),
    refundedAt: integer('refunded_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('raffle_entries_raffle').on(t.raffleId, t.status, t.expiresAt),
    index('raffle_entries_pending_expiry').on(t.status, t.expiresAt),
    uniqueIndex('raffle_entries_event_ticket').on(t.raffleId, t.eventTicketId),
    uniqueIndex('raffle_entries_match_seq').on(t.matchSeq),
    check('raffle_entries_quantity_positive', sql`${t.quantity} > 0`),
    check('raffle_entries_amount_nonneg', sql`${t.amount} >= 0`),
    check('raffle_entries_status_valid', sql`${t.status} in ('pending','paid','expired','failed','refunded')`),
  ],
);

/** A numbered raffle ticket: numbers run from 1 in the order tickets were paid, and are never reused. */
export const raffleTickets = sqliteTable(
  'raffle_tickets',
  {
    raffleId: text('raffle_id').notNull().references(() => raffles.id),
    number: integer('number').notNull(),
    entryId: text('entry_id').notNull().references(() => raffleEntries.id),
    status: text('status', { enum: ['valid', 'void'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.raffleId, t.number] }), index('raffle_tickets_entry').on(t.entryId), check('raffle_tickets_number_positive', sql`${t.number} > 0`)],
);

/** Every draw of a raffle in order: the first of each prize, then redraws. */
export const raffleDraws = sqliteTable(
  'raffle_draws',
  {
    raffleId: text('raffle_id').notNull().references(() => raffles.id),
    seq: integer('seq').notNull(),
    prize: integer('prize').notNull(),
    /** Null when no ticket could win the prize any more. */
    ticketNumber: integer('ticket_number'),
    attempt: integer('attempt').notNull(),
    status: text('status', { enum: ['won', 'claimed', 'forfeited', 'unawarded'] }).notNull(),
    claimedAt: integer('claimed_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.raffleId, t.seq] }), check('raffle_draws_status_valid', sql`${t.status} in ('won','claimed','forfeited','unawarded')`)],
);

/**
 * What a match pledge adds for raffle proceeds: only pledges whose sources
 * name "raffle" match them (raffle tickets are not gifts). Kept apart from
 * gift allocations; the replay writes both.
 */
export const raffleMatchAllocations = sqliteTable(
  'raffle_match_allocations',
  {
    entryId: text('entry_id').notNull().references(() => raffleEntries.id),
    pledgeId: text('pledge_id').notNull().references(() => matchPledges.id),
    amount: integer('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.pledgeId] }),
    index('raffle_match_allocations_pledge').on(t.pledgeId),
    check('raffle_match_allocations_positive', sql`${t.amount} > 0`),
  ],
);

/**
 * Who started a public payment, for the card-testing defences: keyed hashes of
 * the address and the e-mail, never the values themselves (donors may be in
 * danger). Whether the payment failed is read from its checkout.
 */
export const paymentAttempts = sqliteTable(
  'payment_attempts',
  {
    id: text('id').primaryKey(),
    ipHash: text('ip_hash').notNull(),
    /** Null when the buyer gave no e-mail (a raffle entry by API may not). */
    emailHash: text('email_hash'),
    kind: text('kind', { enum: ['gift', 'order', 'raffle'] }).notNull(),
    /** Set once the checkout exists; a start refused by the service has none. */
    checkoutId: text('checkout_id').references(() => checkouts.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('payment_attempts_ip').on(t.ipHash, t.createdAt),
    index('payment_attempts_email').on(t.emailHash, t.createdAt),
    check('payment_attempts_kind_valid', sql`${t.kind} in ('gift','order','raffle')`),
  ],
);

/**
 * Refunds a provider made that Lantern has applied to an order or a raffle
 * entry (gift refunds carry the provider's id themselves): a webhook reporting
 * one of these changes nothing.
 */
export const providerRefunds = sqliteTable(
  'provider_refunds',
  {
    provider: text('provider').notNull(),
    refundId: text('refund_id').notNull(),
    checkoutId: text('checkout_id').notNull().references(() => checkouts.id),
    amount: integer('amount').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.refundId] }), index('provider_refunds_checkout').on(t.checkoutId)],
);

export const pledgePaymentStatuses = ['pending', 'paid', 'failed', 'expired', 'refunded'] as const;

/**
 * A sponsor paying what their pledge came to. The matched money is already in
 * the campaign's ledger (as `match`); this records that the promise was kept,
 * so it never changes a campaign's totals.
 */
export const pledgePayments = sqliteTable(
  'pledge_payments',
  {
    id: text('id').primaryKey(),
    pledgeId: text('pledge_id').notNull().references(() => matchPledges.id),
    /** In the pledge's campaign currency. */
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    /** card (through the payment provider), or transfer/cheque recorded by an admin. */
    method: text('method').notNull(),
    status: text('status', { enum: pledgePaymentStatuses }).notNull(),
    paidByUserId: text('paid_by_user_id').references(() => users.id),
    expiresAt: integer('expires_at'),
    paidAt: integer('paid_at'),
    refundedAt: integer('refunded_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('pledge_payments_pledge').on(t.pledgeId, t.status),
    check('pledge_payments_amount_positive', sql`${t.amount} > 0`),
    check('pledge_payments_status_valid', sql`${t.status} in ('pending','paid','failed','expired','refunded')`),
  ],
);
