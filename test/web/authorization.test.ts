// The authorization table: every route of the app, called as an anonymous
// client, a guest browser (cookies and a CSRF token, no account), a sponsor,
// an organizer and an admin, answers the status written here. A route the
// table does not list fails the test, so a new route cannot skip this review.
import t from 'tap';
import { setCampaignOrganizer } from '../../src/services/accounts.ts';
import { createPledge, decidePledge } from '../../src/services/pledges.ts';
import { login } from '../../src/services/sessions.ts';
import { buildTestApp, createRescueFund, testActor, testPassword, type TestApp } from '../helper.ts';
import { FormClient } from './form-client.ts';

t.setTimeout(180_000);

type Who = 'anonymous' | 'guest' | 'sponsor' | 'organizer' | 'admin';
const everyone: readonly Who[] = ['anonymous', 'guest', 'sponsor', 'organizer', 'admin'];

interface Row {
  method: 'GET' | 'POST' | 'PATCH';
  /** The route pattern, as registered. */
  route: string;
  /** The concrete URL called. */
  url: string;
  body?: Record<string, unknown>;
  /** Expected status for each caller, in the order of `everyone`. */
  expect: readonly [number, number, number, number, number];
  /** Calls that end the session run on a fresh login of their own. */
  fresh?: boolean;
}

interface Ids {
  gift: string;
  pledge: string;
  sponsorPledge: string;
  checkout: string;
}

// Statuses: 200 shown, 303 redirected (to log in for a GET without a session,
// or after a form that worked), 400 refused input, 401 log in first, 403 not
// allowed (or, for a form without a valid CSRF token, refused), 404 unknown.
function table(ids: Ids): Row[] {
  const login303 = 303;
  return [
    // Public pages and forms.
    { method: 'GET', route: '/', url: '/', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/campaigns/:slug', url: '/campaigns/rescue-fund', expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/campaigns/:slug/donate', url: '/campaigns/rescue-fund/donate', expect: [403, 400, 400, 400, 400] },
    { method: 'GET', route: '/gifts/:id/thank-you', url: `/gifts/${ids.gift}/thank-you`, expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/test-checkout/:id', url: `/test-checkout/${ids.checkout}`, expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/test-checkout/:id/:outcome', url: `/test-checkout/${ids.checkout}/nothing`, expect: [403, 404, 404, 404, 404] },
    // Accounts.
    { method: 'GET', route: '/login', url: '/login', expect: [200, 200, 303, 303, 303] },
    { method: 'POST', route: '/login', url: '/login', expect: [403, 400, 400, 400, 400] },
    { method: 'GET', route: '/password-reset', url: '/password-reset', expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/password-reset', url: '/password-reset', expect: [403, 400, 400, 400, 400] },
    { method: 'GET', route: '/password-reset/:token', url: '/password-reset/not-a-token', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/password-reset/:token', url: '/password-reset/not-a-token', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/invitations/:token', url: '/invitations/not-a-token', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/invitations/:token', url: '/invitations/not-a-token', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/setup/:token', url: '/setup/not-a-token', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/setup/:token', url: '/setup/not-a-token', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/account', url: '/account', expect: [login303, login303, 200, 200, 200] },
    { method: 'POST', route: '/account/password', url: '/account/password', expect: [401, 401, 400, 400, 400] },
    { method: 'POST', route: '/account/sessions/:id/end', url: '/account/sessions/sess_unknown/end', expect: [401, 401, 404, 404, 404] },
    // The JSON API: Bearer tokens only (a guest's cookies count for nothing).
    { method: 'GET', route: '/api/v1/campaigns', url: '/api/v1/campaigns', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/api/v1/campaigns/:slug', url: '/api/v1/campaigns/rescue-fund', expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/api/v1/campaigns/:slug/donations', url: '/api/v1/campaigns/rescue-fund/donations', body: {}, expect: [400, 400, 400, 400, 400] },
    { method: 'POST', route: '/api/v1/campaigns', url: '/api/v1/campaigns', body: {}, expect: [401, 401, 403, 400, 400] },
    { method: 'PATCH', route: '/api/v1/campaigns/:slug', url: '/api/v1/campaigns/rescue-fund', body: {}, expect: [401, 401, 403, 200, 200] },
    { method: 'PATCH', route: '/api/v1/campaigns/:slug', url: '/api/v1/campaigns/other', body: {}, expect: [401, 401, 403, 403, 200] },
    { method: 'POST', route: '/api/v1/exchange-rates', url: '/api/v1/exchange-rates', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/api/v1/campaigns/:slug/match-pledges', url: '/api/v1/campaigns/rescue-fund/match-pledges', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/api/v1/match-pledges/:id/statement', url: `/api/v1/match-pledges/${ids.sponsorPledge}/statement`, expect: [401, 401, 200, 403, 200] },
    { method: 'GET', route: '/api/v1/match-pledges/:id/statement', url: `/api/v1/match-pledges/${ids.pledge}/statement`, expect: [401, 401, 403, 403, 200] },
    { method: 'POST', route: '/api/v1/campaigns/:slug/gifts', url: '/api/v1/campaigns/rescue-fund/gifts', body: {}, expect: [401, 401, 403, 400, 400] },
    { method: 'POST', route: '/api/v1/campaigns/:slug/gifts', url: '/api/v1/campaigns/other/gifts', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/api/v1/campaigns/:slug/gifts', url: '/api/v1/campaigns/rescue-fund/gifts', expect: [401, 401, 403, 200, 200] },
    { method: 'GET', route: '/api/v1/campaigns/:slug/gifts', url: '/api/v1/campaigns/other/gifts', expect: [401, 401, 403, 403, 200] },
    { method: 'POST', route: '/api/v1/gifts/:id/refunds', url: `/api/v1/gifts/${ids.gift}/refunds`, body: { amount: 'all' }, expect: [401, 401, 403, 403, 400] },
    // The console.
    { method: 'GET', route: '/admin', url: '/admin', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns', url: '/admin/campaigns', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/new', url: '/admin/campaigns/new', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/campaigns', url: '/admin/campaigns', expect: [401, 401, 403, 400, 400] },
    { method: 'GET', route: '/admin/campaigns/:slug', url: '/admin/campaigns/rescue-fund', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug', url: '/admin/campaigns/other', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/edit', url: '/admin/campaigns/rescue-fund/edit', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/campaigns/:slug/edit', url: '/admin/campaigns/rescue-fund/edit', expect: [401, 401, 403, 400, 400] },
    { method: 'POST', route: '/admin/campaigns/:slug/edit', url: '/admin/campaigns/other/edit', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/campaigns/:slug/publish', url: '/admin/campaigns/spare/publish', expect: [401, 401, 403, 303, 303] },
    { method: 'POST', route: '/admin/campaigns/:slug/reopen', url: '/admin/campaigns/spare/reopen', expect: [401, 401, 403, 303, 303] },
    { method: 'POST', route: '/admin/campaigns/:slug/close', url: '/admin/campaigns/other/close', expect: [401, 401, 403, 403, 303] },
    { method: 'POST', route: '/admin/campaigns/:slug/close', url: '/admin/campaigns/spare/close', expect: [401, 401, 403, 303, 303] },
    { method: 'POST', route: '/admin/campaigns/:slug/organizers', url: '/admin/campaigns/rescue-fund/organizers', body: { email: 'nobody@example.test' }, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/campaigns/:slug/gifts', url: '/admin/campaigns/rescue-fund/gifts', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/cash-box', url: '/admin/campaigns/rescue-fund/cash-box', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/cash-box', url: '/admin/campaigns/other/cash-box', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/campaigns/:slug/cash-box', url: '/admin/campaigns/rescue-fund/cash-box', expect: [401, 401, 403, 400, 400] },
    { method: 'GET', route: '/admin/gifts/:id', url: `/admin/gifts/${ids.gift}`, expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/gifts/:id/refund', url: `/admin/gifts/${ids.gift}/refund`, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/campaigns/:slug/export/gifts.csv', url: '/admin/campaigns/rescue-fund/export/gifts.csv', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/export/donors.csv', url: '/admin/campaigns/rescue-fund/export/donors.csv', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/export/pledges.csv', url: '/admin/campaigns/other/export/pledges.csv', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/pledges', url: '/admin/campaigns/rescue-fund/pledges', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/pledges', url: '/admin/campaigns/other/pledges', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/campaigns/:slug/pledges', url: '/admin/campaigns/rescue-fund/pledges', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/pledges/:id/approve', url: `/admin/pledges/${ids.pledge}/approve`, expect: [401, 401, 403, 403, 409] },
    { method: 'POST', route: '/admin/pledges/:id/decline', url: `/admin/pledges/${ids.pledge}/decline`, expect: [401, 401, 403, 403, 409] },
    { method: 'POST', route: '/admin/pledges/:id/pause', url: `/admin/pledges/${ids.pledge}/pause`, expect: [401, 401, 403, 403, 303] },
    { method: 'POST', route: '/admin/pledges/:id/resume', url: `/admin/pledges/${ids.pledge}/resume`, expect: [401, 401, 403, 403, 303] },
    { method: 'POST', route: '/admin/pledges/:id/close', url: `/admin/pledges/${ids.sponsorPledge}/close`, expect: [401, 401, 403, 403, 303] },
    { method: 'GET', route: '/admin/rates', url: '/admin/rates', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/rates', url: '/admin/rates', expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/users', url: '/admin/users', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/users/:id/role', url: '/admin/users/user_unknown/role', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/users/:id/disable', url: '/admin/users/user_unknown/disable', expect: [401, 401, 403, 403, 404] },
    { method: 'POST', route: '/admin/users/:id/enable', url: '/admin/users/user_unknown/enable', expect: [401, 401, 403, 403, 404] },
    { method: 'POST', route: '/admin/invitations', url: '/admin/invitations', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/invitations/:id/withdraw', url: '/admin/invitations/link_unknown/withdraw', expect: [401, 401, 403, 403, 404] },
    { method: 'GET', route: '/admin/tokens', url: '/admin/tokens', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/tokens', url: '/admin/tokens', expect: [401, 401, 403, 400, 400] },
    { method: 'POST', route: '/admin/tokens/:id/revoke', url: '/admin/tokens/tok_unknown/revoke', expect: [401, 401, 403, 404, 404] },
    { method: 'GET', route: '/admin/audit', url: '/admin/audit', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/outbox', url: '/admin/outbox', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/outbox/:id', url: '/admin/outbox/mail_unknown', expect: [login303, login303, 403, 403, 404] },
    // Events: the organizer creates table-night for the campaign they run (the admin then finds the slug taken); only the admin may create table-other for "other".
    { method: 'GET', route: '/events.ics', url: '/events.ics', expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/api/v1/events', url: '/api/v1/events', body: { slug: 'table-night', title: 'Table night', kind: 'social', timezone: 'Asia/Seoul', startsAt: '2026-12-05T19:00', endsAt: '2026-12-05T22:00', venue: { name: 'Pub', address: '1 Road', city: 'Seoul', country: 'KR' }, campaignSlug: 'rescue-fund', status: 'published' }, expect: [401, 401, 403, 201, 409] },
    { method: 'POST', route: '/api/v1/events', url: '/api/v1/events', body: { slug: 'table-other', title: 'Other night', kind: 'social', timezone: 'Asia/Seoul', startsAt: '2026-12-06T19:00', endsAt: '2026-12-06T22:00', venue: { name: 'Pub', address: '1 Road', city: 'Seoul', country: 'KR' }, campaignSlug: 'other', status: 'published' }, expect: [401, 401, 403, 403, 201] },
    { method: 'GET', route: '/api/v1/events', url: '/api/v1/events', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/api/v1/events/:slug', url: '/api/v1/events/table-night', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/api/v1/events/:slug', url: '/api/v1/events/no-such-event', expect: [404, 404, 404, 404, 404] },
    { method: 'PATCH', route: '/api/v1/events/:slug', url: '/api/v1/events/table-night', body: {}, expect: [401, 401, 403, 200, 200] },
    { method: 'PATCH', route: '/api/v1/events/:slug', url: '/api/v1/events/table-other', body: {}, expect: [401, 401, 403, 403, 200] },
    { method: 'POST', route: '/api/v1/events/:slug/ticket-types', url: '/api/v1/events/table-night/ticket-types', body: { name: 'RSVP', price: { amount: 0, currency: 'USD' }, quantity: 10 }, expect: [401, 401, 403, 201, 201] },
    { method: 'POST', route: '/api/v1/events/:slug/ticket-types', url: '/api/v1/events/table-other/ticket-types', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/events/:slug.ics', url: '/events/table-night.ics', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/events/:slug.ics', url: '/events/no-such-event.ics', expect: [404, 404, 404, 404, 404] },
    { method: 'GET', route: '/series/:slug.ics', url: '/series/no-such-series.ics', expect: [404, 404, 404, 404, 404] },
    // Orders and check-in.
    { method: 'POST', route: '/api/v1/events/:slug/orders', url: '/api/v1/events/table-night/orders', body: {}, expect: [400, 400, 400, 400, 400] },
    { method: 'POST', route: '/api/v1/events/:slug/door-sales', url: '/api/v1/events/table-night/door-sales', body: {}, expect: [401, 401, 403, 400, 400] },
    { method: 'POST', route: '/api/v1/events/:slug/door-sales', url: '/api/v1/events/table-other/door-sales', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/api/v1/events/:slug/check-ins', url: '/api/v1/events/table-night/check-ins', body: { code: 'AAAA-AAAA-AAAA-AAAA' }, expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/api/v1/events/:slug/check-ins', url: '/api/v1/events/table-other/check-ins', body: { code: 'AAAA-AAAA-AAAA-AAAA' }, expect: [401, 401, 403, 403, 404] },
    { method: 'GET', route: '/api/v1/orders/:id', url: '/api/v1/orders/ord_unknown', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/api/v1/events/:slug/cancellation', url: '/api/v1/events/table-other/cancellation', body: { offerGiftUntil: '2020-01-01T00:00:00Z' }, expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/api/v1/events/:slug/cancellation', url: '/api/v1/events/no-such-event/cancellation', body: {}, expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/api/v1/events/:slug/waitlist', url: '/api/v1/events/table-night/waitlist', body: {}, expect: [400, 400, 400, 400, 400] },
    { method: 'POST', route: '/events/:slug/waitlist', url: '/events/no-such-event/waitlist', expect: [403, 404, 404, 404, 404] },
    // Raffles (API).
    { method: 'POST', route: '/api/v1/events/:slug/raffles', url: '/api/v1/events/table-night/raffles', body: {}, expect: [401, 401, 403, 400, 400] },
    { method: 'POST', route: '/api/v1/events/:slug/raffles', url: '/api/v1/events/table-other/raffles', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/api/v1/campaigns/:slug/raffles', url: '/api/v1/campaigns/other/raffles', body: {}, expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/api/v1/raffles/:id', url: '/api/v1/raffles/raf_unknown', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/api/v1/raffles/:id/entries', url: '/api/v1/raffles/raf_unknown/entries', body: {}, expect: [400, 400, 400, 400, 400] },
    { method: 'POST', route: '/api/v1/raffles/:id/entries', url: '/api/v1/raffles/raf_unknown/entries', body: { buyer: { name: 'A', email: 'a@example.org' }, quantity: 1 }, expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/api/v1/raffles/:id/close', url: '/api/v1/raffles/raf_unknown/close', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/api/v1/raffles/:id/draw', url: '/api/v1/raffles/raf_unknown/draw', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/api/v1/raffles/:id/prizes/:i/redraw', url: '/api/v1/raffles/raf_unknown/prizes/0/redraw', expect: [401, 401, 403, 404, 404] },
    // Raffles (pages).
    { method: 'GET', route: '/raffles/:id', url: '/raffles/raf_unknown', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/raffles/:id/entries', url: '/raffles/raf_unknown/entries', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/raffle-entries/:id', url: '/raffle-entries/rfe_unknown', expect: [404, 404, 404, 404, 404] },
    { method: 'GET', route: '/docs/raffle-draw', url: '/docs/raffle-draw', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/raffles/new', url: '/admin/campaigns/rescue-fund/raffles/new', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/campaigns/:slug/raffles/new', url: '/admin/campaigns/other/raffles/new', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/campaigns/:slug/raffles/new', url: '/admin/campaigns/other/raffles/new', expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/events/:slug/raffles/new', url: '/admin/events/table-night/raffles/new', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/events/:slug/raffles/new', url: '/admin/events/table-other/raffles/new', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/events/:slug/raffles/new', url: '/admin/events/table-other/raffles/new', expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/raffles/:id', url: '/admin/raffles/raf_unknown', expect: [login303, login303, 403, 404, 404] },
    { method: 'GET', route: '/admin/raffles/:id/edit', url: '/admin/raffles/raf_unknown/edit', expect: [login303, login303, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/edit', url: '/admin/raffles/raf_unknown/edit', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/open', url: '/admin/raffles/raf_unknown/open', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/door-sales', url: '/admin/raffles/raf_unknown/door-sales', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/entries/:entryId/refund', url: '/admin/raffles/raf_unknown/entries/rfe_unknown/refund', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/close', url: '/admin/raffles/raf_unknown/close', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/draw', url: '/admin/raffles/raf_unknown/draw', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/prizes/:i/claim', url: '/admin/raffles/raf_unknown/prizes/0/claim', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/raffles/:id/prizes/:i/redraw', url: '/admin/raffles/raf_unknown/prizes/0/redraw', expect: [401, 401, 403, 404, 404] },
    { method: 'GET', route: '/admin/raffles/:id/projector', url: '/admin/raffles/raf_unknown/projector', expect: [login303, login303, 403, 404, 404] },
    { method: 'GET', route: '/waitlist/:token', url: '/waitlist/not-a-token', expect: [404, 404, 404, 404, 404] },
    { method: 'POST', route: '/waitlist/:token', url: '/waitlist/not-a-token', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/events', url: '/events', expect: [200, 200, 200, 200, 200] },
    { method: 'GET', route: '/events/:slug', url: '/events/table-night', expect: [200, 200, 200, 200, 200] },
    { method: 'POST', route: '/events/:slug/tickets', url: '/events/no-such-event/tickets', expect: [403, 404, 404, 404, 404] },
    { method: 'GET', route: '/orders/:id', url: '/orders/ord_unknown', expect: [404, 404, 404, 404, 404] },
    { method: 'GET', route: '/series/:slug', url: '/series/no-such-series', expect: [404, 404, 404, 404, 404] },
    // A ticket holder's choice after a cancellation: the order's unguessable id is the key.
    { method: 'POST', route: '/orders/:id/give', url: '/orders/ord_unknown/give', expect: [403, 404, 404, 404, 404] },
    { method: 'POST', route: '/orders/:id/refund', url: '/orders/ord_unknown/refund', expect: [403, 404, 404, 404, 404] },
    { method: 'POST', route: '/api/v1/orders/:id/refunds', url: '/api/v1/orders/ord_unknown/refunds', body: {}, expect: [401, 401, 403, 403, 404] },
    // Console events: table-night is the organizer's (their campaign), table-other is not; no row changes either.
    { method: 'GET', route: '/admin/events', url: '/admin/events', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/events/new', url: '/admin/events/new', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/events/new', url: '/admin/events/new', expect: [401, 401, 403, 400, 400] },
    { method: 'GET', route: '/admin/events/:slug', url: '/admin/events/table-night', expect: [login303, login303, 403, 200, 200] },
    { method: 'GET', route: '/admin/events/:slug', url: '/admin/events/table-other', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/events/:slug', url: '/admin/events/no-such-event', expect: [login303, login303, 403, 404, 404] },
    { method: 'GET', route: '/admin/events/:slug/edit', url: '/admin/events/table-night/edit', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/events/:slug/edit', url: '/admin/events/table-other/edit', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/events/:slug/publish', url: '/admin/events/table-night/publish', expect: [401, 401, 403, 303, 303] },
    { method: 'POST', route: '/admin/events/:slug/ticket-types', url: '/admin/events/table-other/ticket-types', expect: [401, 401, 403, 403, 400] },
    { method: 'POST', route: '/admin/events/:slug/ticket-types/:id', url: '/admin/events/table-night/ticket-types/tt_unknown', expect: [401, 401, 403, 404, 404] },
    { method: 'POST', route: '/admin/events/:slug/door-sale', url: '/admin/events/table-other/door-sale', expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/events/:slug/attendees', url: '/admin/events/table-other/attendees', expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/admin/events/:slug/attendees.csv', url: '/admin/events/table-night/attendees.csv', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/orders/:id/refund', url: '/admin/orders/ord_unknown/refund', expect: [401, 401, 403, 403, 404] },
    { method: 'GET', route: '/admin/events/:slug/check-in', url: '/admin/events/table-night/check-in', expect: [login303, login303, 403, 200, 200] },
    { method: 'POST', route: '/admin/events/:slug/check-in', url: '/admin/events/table-other/check-in', expect: [401, 401, 403, 403, 400] },
    { method: 'GET', route: '/admin/events/:slug/check-in/counts', url: '/admin/events/table-other/check-in/counts', expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/admin/events/:slug/cancel', url: '/admin/events/table-night/cancel', body: { reason: 'x'.repeat(501) }, expect: [401, 401, 403, 400, 400] },
    // The sponsor portal.
    { method: 'GET', route: '/sponsor', url: '/sponsor', expect: [login303, login303, 200, 403, 403] },
    { method: 'GET', route: '/sponsor/pledges/new', url: '/sponsor/pledges/new', expect: [login303, login303, 200, 403, 403] },
    { method: 'POST', route: '/sponsor/pledges', url: '/sponsor/pledges', expect: [401, 401, 400, 403, 403] },
    { method: 'GET', route: '/sponsor/pledges/:id', url: `/sponsor/pledges/${ids.sponsorPledge}`, expect: [login303, login303, 200, 403, 200] },
    { method: 'GET', route: '/sponsor/pledges/:id', url: `/sponsor/pledges/${ids.pledge}`, expect: [login303, login303, 403, 403, 200] },
    { method: 'GET', route: '/sponsor/pledges/:id/statement.csv', url: `/sponsor/pledges/${ids.sponsorPledge}/statement.csv`, expect: [login303, login303, 200, 403, 200] },
    { method: 'GET', route: '/sponsor/pledges/:id/print', url: `/sponsor/pledges/${ids.pledge}/print`, expect: [login303, login303, 403, 403, 200] },
    { method: 'POST', route: '/sponsor/pledges/:id/payments', url: `/sponsor/pledges/${ids.sponsorPledge}/payments`, expect: [401, 401, 400, 403, 403] },
    { method: 'POST', route: '/sponsor/pledges/:id/payments', url: `/sponsor/pledges/${ids.pledge}/payments`, expect: [401, 401, 403, 403, 403] },
    { method: 'POST', route: '/admin/pledges/:id/payments', url: `/admin/pledges/${ids.pledge}/payments`, expect: [401, 401, 403, 403, 400] },
    // Ending sessions: last, each on a login of its own.
    { method: 'POST', route: '/logout', url: '/logout', fresh: true, expect: [403, 303, 303, 303, 303] },
    { method: 'POST', route: '/account/logout-everywhere', url: '/account/logout-everywhere', fresh: true, expect: [401, 401, 303, 303, 303] },
  ];
}

/** Routes that are not part of the product's permissions: static files, API docs, health checks. */
const infrastructure = /^\/(assets|api\/docs)(\/|$)|^\/(healthz|readyz)$/;

async function seed(ta: TestApp): Promise<Ids> {
  await createRescueFund(ta);
  for (const slug of ['other', 'spare']) {
    const res = await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: ta.auth('admin'), payload: { slug, title: slug, currency: 'USD', goal: { amount: 100_000, currency: 'USD' }, status: slug === 'spare' ? 'draft' : 'published' } });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  await setCampaignOrganizer(ta.services, testActor, 'spare', 'organizer@example.test', true);
  const pledge = (await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/match-pledges', headers: ta.auth('admin'), payload: { sponsor: { name: 'Harbour Light' }, anonymous: true, ratio: '1:1', capUnits: 50 } })).json() as { id: string };
  const sponsorUser = (await login(ta.services, 'sponsor@example.test', testPassword, { ip: null, userAgent: null })).user;
  const own = await createPledge(ta.services, { userId: sponsorUser.id, label: sponsorUser.email, role: 'sponsor', ip: null }, 'rescue-fund', { sponsor: { name: 'Sun Bakery' }, anonymous: false, ratio: '1:2', cap: { amount: 50_000, currency: 'USD' } }, 'proposed');
  await decidePledge(ta.services, testActor, own.id, 'approve');
  const gift = (await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/gifts', headers: ta.auth('admin'), payload: { amount: { amount: 10_000, currency: 'USD' }, donor: { name: 'Mina' }, method: 'cash' } })).json() as { id: string };
  const donation = (await ta.app.inject({ method: 'POST', url: '/api/v1/campaigns/rescue-fund/donations', payload: { amount: { amount: 2_500, currency: 'USD' }, donor: { name: 'Ada', email: 'ada@example.org' } } })).json() as { checkoutUrl: string };
  return { gift: gift.id, pledge: pledge.id, sponsorPledge: own.id, checkout: new URL(donation.checkoutUrl).pathname.split('/').pop() ?? '' };
}

t.test('every route answers each kind of caller as the table says', async (t) => {
  const ta = await buildTestApp(t, { passwords: true });
  const ids = await seed(ta);
  const rows = table(ids);

  const listed = new Set(rows.map((r) => `${r.method} ${r.route}`));
  const unlisted = ta.app.accessTable.filter((r) => !infrastructure.test(r.url) && !listed.has(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`);
  t.same(unlisted, [], 'every route of the app is in the table');

  const browsers = new Map<Who, FormClient>();
  const browserFor = async (who: Who, fresh = false): Promise<FormClient> => {
    const known = browsers.get(who);
    if (known && !fresh) return known;
    const b = new FormClient(ta.app);
    if (who === 'anonymous') return b;
    await b.get('/login');
    if (who !== 'guest') await b.login(`${who}@example.test`, testPassword);
    await b.get('/password-reset');
    if (!fresh) browsers.set(who, b);
    return b;
  };

  for (const row of rows) {
    for (const [i, who] of everyone.entries()) {
      const expected = row.expect[i];
      const api = row.url.startsWith('/api/');
      let status: number;
      if (api) {
        const headers = who === 'anonymous' || who === 'guest' ? {} : ta.auth(who);
        const res = await ta.app.inject({ method: row.method, url: row.url, headers, ...(row.method !== 'GET' && { payload: row.body ?? {} }) });
        status = res.statusCode;
      } else {
        const b = await browserFor(who, row.fresh);
        if (row.method === 'GET') status = (await b.get(row.url)).statusCode;
        else if (who === 'anonymous') {
          status = (await ta.app.inject({ method: row.method, url: row.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode;
        } else status = (await b.post(row.url, Object.fromEntries(Object.entries(row.body ?? {}).map(([k, v]) => [k, String(v)])))).statusCode;
      }
      t.equal(status, expected, `${row.method} ${row.url} as ${who}`);
    }
  }
});
