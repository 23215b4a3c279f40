// Money POSTs of the API run once per Idempotency-Key (when the client sends one).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { once, type StoredResponse } from '../../../services/idempotency.ts';
import { withProps } from '../../../objects.ts';

export async function idempotent(req: FastifyRequest, reply: FastifyReply, scope: string, work: () => Promise<StoredResponse>): Promise<void> {
  const key = req.headers['idempotency-key'];
  const res =
    typeof key === 'string'
      ? await once(req.server.services, `api:${scope}:${req.user?.id ?? 'guest'}`, key, { url: req.url, body: req.body }, work)
      : withProps(await work(), { replayed: false });
  if (res.replayed) reply.header('idempotent-replayed', 'true');
  await reply.code(res.statusCode).send(res.body);
}
