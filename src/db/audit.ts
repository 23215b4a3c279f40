// The append-only audit log of money- and permission-relevant actions.
import { and, desc, eq, like } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { preparedInsert } from './prepared.ts';
import { withProps } from '../objects.ts';
import { auditLog } from './schema.ts';

export type AuditInsert = typeof auditLog.$inferInsert;

const insertRow = preparedInsert(auditLog);
const unset = { actorUserId: null, before: null, after: null, ip: null };

export function appendAudit(db: Database, row: Omit<AuditInsert, 'id'>): void {
  insertRow(db).run(withProps(unset, row));
}

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditQuery {
  limit: number;
  offset: number;
  /** Actions starting with this prefix, e.g. "login" or "pledge.". */
  action?: string;
  subjectType?: string;
  subjectId?: string;
}

/** Newest first. */
export function readAuditLog(db: Database, q: AuditQuery): AuditRow[] {
  const where = and(
    q.action ? like(auditLog.action, `${q.action}%`) : undefined,
    q.subjectType ? eq(auditLog.subjectType, q.subjectType) : undefined,
    q.subjectId ? eq(auditLog.subjectId, q.subjectId) : undefined,
  );
  return db.orm.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(q.limit).offset(q.offset).all();
}
