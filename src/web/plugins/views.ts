// Server-rendered pages: eta templates under views/, and `reply.page()` which
// gives every template the same helpers (translation, money and dates).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { translator, type Translate } from '../../i18n.ts';
import type { Money } from '../../domain/money.ts';
import { formatDate, money, type DateStyle } from '../format.ts';

export const viewsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../views');

export interface ViewHelpers {
  t: Translate;
  money: (m: Money) => string;
  date: (ms: number, style?: DateStyle) => string;
  locale: string;
}

declare module 'fastify' {
  interface FastifyReply {
    page(name: string, data?: Record<string, unknown>): FastifyReply;
  }
}

const en: ViewHelpers = {
  t: translator('en'),
  money: (m) => money(m, 'en'),
  date: (ms, style) => formatDate(ms, { locale: 'en', style: style ?? 'date' }),
  locale: 'en',
};

async function viewsPlugin(app: FastifyInstance, opts: { cache: boolean }) {
  await app.register(view, {
    engine: { eta: new Eta() },
    root: viewsRoot,
    production: opts.cache,
  });
  app.decorateReply('page', function (name: string, data: Record<string, unknown> = {}) {
    this.type('text/html; charset=utf-8');
    return this.view(name, { ...en, ...data });
  });
}

export default fp(viewsPlugin, { name: 'views' });
