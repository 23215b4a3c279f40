// A browser in miniature over app.inject: keeps cookies, remembers the CSRF
// token of the last page it loaded, and sends forms the way a browser does.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export type Fields = Record<string, string | readonly string[]>;

export function csrfTokenOf(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

export class FormClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  last: LightMyRequestResponse | undefined;

  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') };
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) {
      const expired = c.maxAge === 0 || (c.expires instanceof Date && c.expires.getTime() <= Date.now());
      if (expired || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) this.csrf = csrfTokenOf(res.body) ?? this.csrf;
    this.last = res;
    return res;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { ...this.headers, ...this.cookieHeader() } }));
  }

  /** Posts a form with the last page's CSRF token (unless the fields carry their own `_csrf`). */
  async post(url: string, fields: Fields = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const withToken: Fields = '_csrf' in fields || this.csrf === undefined ? fields : { ...fields, _csrf: this.csrf };
    for (const [k, v] of Object.entries(withToken)) {
      if (typeof v === 'string') body.append(k, v);
      else for (const item of v) body.append(k, item);
    }
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.headers, ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  /** Follows a 303 (or 302) answer with a GET, as a browser does. */
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    const location = res.headers.location;
    if (!location) throw new Error(`no redirect: ${res.statusCode} ${res.body.slice(0, 200)}`);
    const url = new URL(String(location), 'http://lantern.test');
    return this.get(url.pathname + url.search);
  }

  /** Logs in through the login form; throws when it fails. */
  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    const res = await this.post('/login', { email, password });
    if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  }
}
