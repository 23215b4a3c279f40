// Console: people with accounts (admins only) — role changes, disabling and
// unlocking — and invitations: send one, see the open ones, withdraw one.
// Without SMTP an invitation waits in the outbox for the admin to pass on.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { listUsers } from '../../db/users.ts';
import { changeRole, invite, listInvitations, setDisabled, withdrawInvitation } from '../../services/accounts.ts';
import { roles } from '../../services/users.ts';
import { translator } from '../../i18n.ts';
import { actorOf } from '../plugins/auth.ts';
import { inviteLimit } from '../plugins/limits.ts';
import { formValues, parseForm, serviceErrors, type FieldErrors, type FormValues } from '../forms.ts';

const t = translator('en');
const admins = { roles: ['admin'] as const };

const roleLabels: Record<string, string> = { admin: t('Administrator'), organizer: t('Organizer'), sponsor: t('Sponsor') };
const roleOptions = roles.map((r) => ({ value: r, label: roleLabels[r] ?? r }));
const invitableRoles = ['organizer', 'sponsor'] as const;

const flashes: Record<string, string> = {
  invited: t('The invitation was sent. The link works once and expires in 7 days.'),
  withdrawn: t('The invitation was withdrawn: its link no longer works.'),
  role: t('The role was saved. When it changes, the person is logged out and logs in again with the new role.'),
  disabled: t('The account is disabled: its sessions ended and its API tokens stopped working.'),
  enabled: t('The account can be used again.'),
};

const inviteForm = z.object({
  name: z.string().trim().min(1, t('Enter the name of the person you invite')).max(200, t('At most {n} characters', { n: 200 })),
  email: z.string().trim().pipe(z.email(t('Enter a valid e-mail address')).max(254, t('Enter a valid e-mail address'))),
  role: z.enum(invitableRoles, { message: t('Invite an organizer or a sponsor') }),
});

const roleForm = z.object({ role: z.enum(roles as [string, ...string[]], { message: t('Choose a role') }) });

interface PageState {
  values?: FormValues;
  errors?: FieldErrors;
  message?: string;
  /** A problem with one person's row: shown next to it. */
  row?: { id: string; message: string };
}

export default async function adminPeople(app: FastifyInstance) {
  const svc = app.services;

  function peoplePage(req: FastifyRequest, reply: FastifyReply, state: PageState = {}) {
    const done = (req.query as Record<string, string | undefined>).done;
    const now = svc.now();
    reply.header('cache-control', 'no-store');
    return reply.page('pages/admin/users', {
      title: t('People'),
      people: listUsers(svc.db).map((u) => ({
        ...u,
        locked: u.disabledAt === null && u.lockedUntil !== null && u.lockedUntil > now,
        self: u.id === req.user?.id,
      })),
      invitations: listInvitations(svc),
      roleOptions,
      inviteRoles: invitableRoles.map((r) => ({ value: r, label: roleLabels[r] ?? r })),
      values: state.values ?? { role: 'organizer' },
      errors: state.errors ?? {},
      message: state.message,
      row: state.row,
      flash: done ? flashes[done] : undefined,
      // The outbox note carries a link, so the page renders it rather than the layout.
      inOutbox: done === 'invited_outbox',
    });
  }

  app.get('/admin/users', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => peoplePage(req, reply));

  app.post('/admin/invitations', { schema: { hide: true }, config: { access: admins, ...inviteLimit(svc.config) } }, async (req, reply) => {
    const values = formValues(req.body);
    const parsed = parseForm(inviteForm, values);
    if (!parsed.ok) return peoplePage(req, reply.code(400), { values, errors: parsed.errors });
    try {
      await invite(svc, actorOf(req), parsed.data);
    } catch (err) {
      const e = serviceErrors(err);
      return peoplePage(req, reply.code(400), { values, errors: e.errors, ...(e.message && { message: e.message }) });
    }
    return reply.redirect(`/admin/users?done=${svc.mailer.sends ? 'invited' : 'invited_outbox'}`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/invitations/:id/withdraw', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    await withdrawInvitation(svc, actorOf(req), req.params.id);
    return reply.redirect('/admin/users?done=withdrawn', 303);
  });

  /** Runs a change to one person; a refusal (the last admin, oneself) is shown next to their row. */
  async function personAction(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, done: string, work: () => Promise<unknown>) {
    try {
      await work();
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'invalid_state' || err.code === 'validation')) {
        return peoplePage(req, reply.code(err.code === 'validation' ? 400 : 409), { row: { id: req.params.id, message: err.issues[0]?.message ?? err.message } });
      }
      throw err;
    }
    return reply.redirect(`/admin/users?done=${done}#user-${req.params.id}`, 303);
  }

  app.post<{ Params: { id: string } }>('/admin/users/:id/role', { schema: { hide: true }, config: { access: admins } }, async (req, reply) => {
    const parsed = parseForm(roleForm, formValues(req.body));
    if (!parsed.ok) return peoplePage(req, reply.code(400), { row: { id: req.params.id, message: parsed.errors.role ?? t('Choose a role') } });
    const role = parsed.data.role as (typeof roles)[number];
    return personAction(req, reply, 'role', () => changeRole(svc, actorOf(req), req.params.id, role));
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: { id: string } }>(`/admin/users/:id/${action}`, { schema: { hide: true }, config: { access: admins } }, async (req, reply) =>
      personAction(req, reply, disabled ? 'disabled' : 'enabled', () => setDisabled(svc, actorOf(req), req.params.id, disabled)),
    );
  }
}
