// Public pages that are the same for every visitor who is not logged in but
// for their one-time form token and CSRF token (the campaign page, an event
// page). In a rush every visitor loads them, and a render costs about a
// millisecond: each is rendered once per change of the database, or of the
// clock (a moment its maker names), with placeholders where the tokens go,
// and the tokens are filled in per view. Staff see their own menu, so their
// pages are rendered for them each time (reply.page).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { newSecret } from '../db/ids.ts';
import type { Locale } from '../i18n.ts';
import { withProps } from '../objects.ts';
import { maxCacheAgeMs, ReadCache } from '../services/read-cache.ts';

/** Where a page made by VisitorPages puts its form token: pass it as the form's token. */
export const formTokenPlaceholder = 'lantern-form-token-placeholder';
const csrfPlaceholder = 'lantern-csrf-placeholder';

export interface PageMade<M> {
  /** The template's data. */
  data: Record<string, unknown>;
  /** When the clock alone changes the page (Infinity: never); it is made again then. */
  changesAt: number;
  /** What the route wants to know about the page without reading it. */
  about: M;
}

export class VisitorPages<M = undefined> {
  private readonly cache = new ReadCache<{ html: string; about: M }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly template: string,
  ) {}

  /**
   * The page for `key` in `locale`, made by `make` when the cache has none
   * under the database's version (make may throw, a 404 say: nothing is kept).
   */
  async get(key: string, locale: Locale, make: () => PageMade<M>): Promise<{ html: string; about: M }> {
    const svc = this.app.services;
    const cacheKey = `${key}|${locale}`;
    const now = svc.now();
    const version = svc.db.version();
    let page = this.cache.get(cacheKey, version, now);
    if (page === undefined) {
      const { data, changesAt, about } = make();
      page = { html: await this.app.renderPage(this.template, withProps(data, { csrf: () => csrfPlaceholder }), locale), about };
      this.cache.set(cacheKey, version, Math.min(changesAt, now + maxCacheAgeMs), page);
    }
    return page;
  }

  /** Sends a page from get() with this visitor's tokens filled in. */
  send(reply: FastifyReply, html: string): FastifyReply {
    // Only a page with a form sets the CSRF cookie, as reply.page does.
    const withCsrf = html.includes(csrfPlaceholder) ? html.replaceAll(csrfPlaceholder, reply.generateCsrf()) : html;
    return reply.type('text/html; charset=utf-8').header('vary', 'accept-language').send(withCsrf.replace(formTokenPlaceholder, newSecret(18)));
  }
}
