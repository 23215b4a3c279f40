// The sponsor portal under /sponsor: a sponsor's pledges, proposing one, and
// each pledge's statement. Every route declares its access rule (see
// plugins/access.ts); pages use the console layout, the printable statement
// the print layout.
import type { FastifyInstance } from 'fastify';
import sponsorPledgePages from './pledges.ts';
import sponsorStatementPages from './statement.ts';

export default async function sponsor(app: FastifyInstance) {
  await app.register(sponsorPledgePages);
  await app.register(sponsorStatementPages);
}
