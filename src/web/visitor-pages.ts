// Public pages that are the same for every visitor who is not logged in but
// for their one-time form token and CSRF token, if they have a form (the home
// page, a campaign, the event list, an event, a series). In a rush every
// visitor loads them, and a render costs up to a millisecond and more: each
// is rendered once per change of the database, or of the clock (a moment its
// maker names), with placeholders where the tokens go, and the tokens are
// filled in per view. Staff see their own menu, so their pages are rendered
// for them each time (reply.page).
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

/**
 * A page made for visitors, kept as UTF-8 bytes cut at its token holes: a
 * view joins the pieces around its own tokens. Sent as a string, the page
 * (several KB) was searched three times for the placeholders, measured for
 * its Content-Length and encoded again on every view: about a fifth of what
 * a view of the campaign page cost.
 */
export interface VisitorPage {
  /** One more than holes: the bytes before, between and after them. */
  readonly pieces: readonly Buffer[];
  readonly holes: readonly ('csrf' | 'form')[];
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const holePattern = new RegExp(`${escaped(formTokenPlaceholder)}|${escaped(csrfPlaceholder)}`, 'g');

function cut(html: string): VisitorPage {
  const pieces: Buffer[] = [];
  const holes: ('csrf' | 'form')[] = [];
  let from = 0;
  for (const m of html.matchAll(holePattern)) {
    pieces.push(Buffer.from(html.slice(from, m.index), 'utf8'));
    holes.push(m[0] === csrfPlaceholder ? 'csrf' : 'form');
    from = m.index + m[0].length;
  }
  pieces.push(Buffer.from(html.slice(from), 'utf8'));
  return { pieces, holes };
}

export class VisitorPages<M = undefined> {
  private readonly cache = new ReadCache<{ page: VisitorPage; about: M }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly template: string,
  ) {}

  /**
   * The page for `key` in `locale`, made by `make` when the cache has none
   * under the database's version (make may throw, a 404 say: nothing is kept).
   */
  async get(key: string, locale: Locale, make: () => PageMade<M>): Promise<{ page: VisitorPage; about: M }> {
    const svc = this.app.services;
    const cacheKey = `${key}|${locale}`;
    const now = svc.now();
    const version = svc.db.version();
    let made = this.cache.get(cacheKey, version, now);
    if (made === undefined) {
      const { data, changesAt, about } = make();
      made = { page: cut(await this.app.renderPage(this.template, withProps(data, { csrf: () => csrfPlaceholder }), locale)), about };
      this.cache.set(cacheKey, version, Math.min(changesAt, now + maxCacheAgeMs), made);
    }
    return made;
  }

  /**
   * Sends a page from get() with this visitor's tokens filled in: one CSRF
   * token and one form token per view, in every hole of their kind (as a
   * page rendered for the view would have them).
   */
  send(reply: FastifyReply, page: VisitorPage): FastifyReply {
    // Only a page with a form sets the CSRF cookie, as reply.page does.
    const csrf = page.holes.includes('csrf') ? Buffer.from(reply.generateCsrf(), 'latin1') : null;
    const form = page.holes.includes('form') ? Buffer.from(newSecret(18), 'latin1') : null;
    const parts: Buffer[] = [];
    page.pieces.forEach((piece, i) => {
      parts.push(piece);
      const hole = page.holes[i];
      if (hole !== undefined) parts.push((hole === 'csrf' ? csrf : form) as Buffer);
    });
    return reply.type('text/html; charset=utf-8').header('vary', 'accept-language').send(Buffer.concat(parts));
  }
}
