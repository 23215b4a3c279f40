// Writes the audit trail; called inside the same transaction as the change.
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
