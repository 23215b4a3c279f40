// Campaign stories are Markdown written by organizers: rendered, then
// sanitised to a small allow-list, and cached until the campaign changes.
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const cache = new Map<string, string>();
const maxEntries = 500;

const allowed: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre', 'hr'],
  allowedAttributes: { a: ['href', 'title'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Links leave Lantern without telling the destination where the reader came from.
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
};

export function renderStory(key: string, markdown: string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = sanitizeHtml(marked.parse(markdown, { async: false }), allowed);
  if (cache.size >= maxEntries) cache.clear();
  cache.set(key, html);
  return html;
}
