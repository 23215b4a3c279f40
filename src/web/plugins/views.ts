// Server-rendered pages: eta templates under views/, and `reply.page()` which
// gives every template the same helpers (translation, money and dates).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { translatePlural, translator, type Locale, type Params, type Translate } from '../../i18n.ts';
import type { Money } from '../../domain/money.ts';
import { formatDate, money, type DateStyle } from '../../format.ts';
import { withProps } from '../../objects.ts';

export const viewsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../views');

export interface ViewHelpers {
  t: Translate;
  /** Singular or plural by count: tn('{n} donor', '{n} donors', n). */
  tn: (one: string, other: string, n: number, params?: Params) => string;
  money: (m: Money) => string;
  date: (ms: number, style?: DateStyle) => string;
  locale: string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page for this request's viewer and sends it. */
    page(name: string, data?: Record<string, unknown>): FastifyReply;
  }
  interface FastifyInstance {
    /** Renders a page to a string, for pages that are cached. */
    renderPage(name: string, data: Record<string, unknown>, locale: Locale): Promise<string>;
  }
}

function helpersFor(locale: Locale): ViewHelpers {
  return {
    t: translator(locale),
    tn: (one, other, n, params) => translatePlural(locale, one, other, n, params),
    money: (m) => money(m, locale),
    date: (ms, style) => formatDate(ms, { locale, style: style ?? 'date' }),
    locale,
  };
}

const helpers: Record<Locale, ViewHelpers> = { en: helpersFor('en'), ko: helpersFor('ko') };

/** The viewer's locale from Accept-Language: Korean when preferred, English otherwise. */
export function localeOf(acceptLanguage: string | undefined): Locale {
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('ko') ? 'ko' : 'en';
}

async function viewsPlugin(app: FastifyInstance, opts: { cache: boolean }) {
  await app.register(view, {
    engine: { eta: new Eta() },
    root: viewsRoot,
    production: opts.cache,
  });
  app.decorateReply('page', function (this: FastifyReply, name: string, data: Record<string, unknown> = {}) {
    this.type('text/html; charset=utf-8');
    this.header('vary', 'accept-language');
    let token: string | undefined;
    return this.view(name, withProps(helpers[localeOf(this.request.headers['accept-language'])], {
      user: this.request.user,
      // Only pages with a form ask for a token, and only they set the CSRF
      // cookie. One token per page: a second call before the browser has the
      // cookie would mint a second secret and void the first form's token.
      csrf: () => (token ??= this.generateCsrf()),
      ...data,
    }));
  });
  app.decorate('renderPage', function (this: FastifyInstance, name: string, data: Record<string, unknown>, locale: Locale) {
    return this.view(name, withProps(helpers[locale], data));
  });
}

export default fp(viewsPlugin, { name: 'views' });
