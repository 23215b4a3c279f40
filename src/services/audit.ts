// Writes the audit trail; called inside the same transaction as the change.
// It records what staff and the system do to money and permissions. A
// guest's own order, raffle entry or place on a waiting list is recorded by
// its own row (with its time), not here, as an online gift is: the log is
// append-only and would keep every buyer's e-mail for good, and a rush of
// orders would bury the staff actions it is kept for.
import { appendAudit } from '../db/audit.ts';
import type { Actor, Services } from './context.ts';

export function audit(
  s: Services,
  actor: Actor,
  action: string,
  subject: { type: string; id: string },
  before: unknown,
  after: unknown,
): void {
  appendAudit(s.db, {
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    before: before === undefined || before === null ? null : JSON.stringify(before),
    after: after === undefined || after === null ? null : JSON.stringify(after),
    ip: actor.ip,
    createdAt: s.now(),
  });
}
