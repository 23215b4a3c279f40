// Liveness and readiness for process managers and load balancers.
import type { FastifyInstance } from 'fastify';

export default async function health(app: FastifyInstance) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    if (app.services.db.ping()) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable' });
  });
}
