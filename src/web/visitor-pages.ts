// Public pages that are the same for every visitor who is not logged in but
// for their one-time form token and CSRF token, if they have a form (the home
// page, a campaign, the event list, an event, a series). In a rush every
// visitor loads them, and a render costs up to a millisecond and more: each
// is rendered once per change of the database, or of the clock (a moment its
// maker names), with placeholders where the tokens go, and the tokens are
// filled in per view. Staff see their own menu, so their pages are rendered
// for them each time (reply.page).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newSecret } from '../db/ids.ts';
import type { Locale } from '../i18n.ts';
import { withProps } from '../objects.ts';
import { maxCacheAgeMs, ReadCache } from '../services/read-cache.ts';
import { localeOf } from './plugins/views.ts';

// Plain words, so they match themselves in a regular expression.
const formTokenPlaceholder = 'lantern-form-token-placeholder';
const csrfPlaceholder = 'lantern-csrf-placeholder';

export interface PageMade<M> {
  /** The template's data. */
  data: Record<string, unknown>;
  /**
   * When the clock alone changes the page (Infinity: never); it is made
   * again then. Asked only for the page kept for visitors, at once after
   * make (it may cost queries that a page rendered for staff does not need).
   */
  changesAt: () => number;
  /** What the route wants to know about the page without reading it. */
  about: M;
}

/** Makes a page with this form token: a placeholder in the page kept for every visitor. */
export type MakePage<M> = (formToken: string) => PageMade<M>;

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

const holePattern = new RegExp(`${formTokenPlaceholder}|${csrfPlaceholder}`, 'g');

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
  async get(key: string, locale: Locale, make: MakePage<M>): Promise<{ page: VisitorPage; about: M }> {
    const svc = this.app.services;
    const cacheKey = `${key}|${locale}`;
    const now = svc.now();
    const version = svc.db.version();
    let made = this.cache.get(cacheKey, version, now);
    if (made === undefined) {
      const { data, changesAt, about } = make(formTokenPlaceholder);
      const until = Math.min(changesAt(), now + maxCacheAgeMs);
      made = { page: cut(await this.app.renderPage(this.template, withProps(data, { csrf: () => csrfPlaceholder }), locale)), about };
      this.cache.set(cacheKey, version, until, made);
    }
    return made;
  }

  /**
   * Answers a request for the page: a viewer who is logged in gets it made
   * and rendered for them (their menu, a form token of their own), everyone
   * else the page kept for visitors, with their own tokens.
   */
  async serve(req: FastifyRequest, reply: FastifyReply, key: string, make: MakePage<M>): Promise<FastifyReply> {
    if (req.user) return reply.page(this.template, make(newSecret(18)).data);
    const { page } = await this.get(key, localeOf(req.headers['accept-language']), make);
    return this.send(reply, page);
  }

  /**
   * Sends a page from get() with this visitor's tokens filled in: one CSRF
   * token and one form token per view, in every hole of their kind (as a
   * page rendered for the view would have them).
   */
  send(reply: FastifyReply, page: VisitorPage): FastifyReply {
    // Made only for a page with such a hole: only a page with a form sets the CSRF cookie, as reply.page does.
    let csrf: Buffer | undefined;
    let form: Buffer | undefined;
    const parts: Buffer[] = [];
    page.pieces.forEach((piece, i) => {
      parts.push(piece);
      const hole = page.holes[i];
      if (hole === 'csrf') parts.push((csrf ??= Buffer.from(reply.generateCsrf(), 'latin1')));
      else if (hole === 'form') parts.push((form ??= Buffer.from(newSecret(18), 'latin1')));
    });
    return reply.type('text/html; charset=utf-8').header('vary', 'accept-language').send(Buffer.concat(parts));
  }
}
