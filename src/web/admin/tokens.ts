// Console: API tokens. Admins and organizers create and revoke their own; an
// admin also sees and can revoke everyone's. A new token is shown once, on
// the page that answers its creation, and never again (only its hash is kept).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { allTokens, tokensOfUser } from '../../db/users.ts';
import { revokeApiToken } from '../../services/accounts.ts';
import { createToken } from '../../services/users.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { formValues, parseForm, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const staff = { roles: ['admin', 'organizer'] as const };

const flashes: Record<string, string> = {
  revoked: t('The token was revoked: programs using it are refused from now on.'),
};

const tokenForm = z.object({
  name: z.string().trim().min(1, t('Name the token after what will use it, e.g. “website form”')).max(100, t('At most {n} characters', { n: 100 })),
});

export default async function adminTokens(app: FastifyInstance) {
  const svc = app.services;

  function me(req: FastifyRequest) {
    if (!req.user) throw new DomainError('unauthorized', 'Log in first.');
    return req.user;
  }

  function tokensPage(req: FastifyRequest, reply: FastifyReply, state: { values?: FormValues; errors?: FieldErrors; created?: { name: string; token: string } } = {}) {
    const user = me(req);
    const done = (req.query as Record<string, string | undefined>).done;
    // The answer may hold a token in clear: no cache may keep it.
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/tokens', {
      title: t('API tokens'),
      mine: tokensOfUser(svc.db, user.id),
      others: user.role === 'admin' ? allTokens(svc.db).filter((tk) => tk.userId !== user.id) : [],
      values: state.values ?? {},
      errors: state.errors ?? {},
      created: state.created ?? null,
      apiBase: `${svc.config.baseUrl}/api/v1`,
      flash: done ? flashes[done] : undefined,
    });
  }

  app.get('/admin/tokens', { schema: { hide: true }, config: { access: staff } }, async (req, reply) => tokensPage(req, reply));

  app.post('/admin/tokens', { schema: { hide: true }, config: { access: staff } }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(tokenForm, values);
    if (!parsed.ok) return tokensPage(req, reply.code(400), { values, errors: parsed.errors });
    const token = await createToken(svc, actorOf(req), me(req).email, parsed.data.name);
    return tokensPage(req, reply, { created: { name: parsed.data.name, token } });
  });

  app.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', { schema: { hide: true }, config: { access: staff } }, async (req, reply) => {
    await revokeApiToken(svc, actorOf(req), req.params.id);
    return reply.redirect('/admin/tokens?done=revoked', 303);
  });
}
