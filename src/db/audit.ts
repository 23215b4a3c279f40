// The append-only audit log of money- and permission-relevant actions.
import { desc } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { auditLog } from './schema.ts';

export type AuditInsert = typeof auditLog.$inferInsert;

export function appendAudit(db: Database, row: AuditInsert): void {
  db.orm.insert(auditLog).values(row).run();
}

export function recentAudit(db: Database, limit: number) {
  return db.orm.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all();
}
