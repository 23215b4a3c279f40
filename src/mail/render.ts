// E-mail bodies from eta templates under views/emails/: `<name>.html.eta`
// (escaped, inside the shared layout) and `<name>.text.eta` (plain text, not
// escaped: it is never interpreted as markup).
import { resolve } from 'node:path';
import { Eta } from 'eta';
import { viewsRoot } from '../web/plugins/views.ts';

const root = resolve(viewsRoot, 'emails');
const html = new Eta({ views: root, cache: true, autoEscape: true });
const text = new Eta({ views: root, cache: true, autoEscape: false, autoTrim: false });

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(template: string, subject: string, data: Record<string, unknown>): RenderedMail {
  const it = { ...data, subject };
  return {
    subject,
    text: text.render(`./${template}.text.eta`, it).trim() + '\n',
    html: html.render(`./${template}.html.eta`, it),
  };
}
