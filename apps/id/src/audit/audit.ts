import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { isoTimestamp, nowIso } from '../db/database.js';

export type AuditEvent =
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'one_time_access_used'
  | 'one_time_access_created'
  | 'token_issued'
  | 'passkey_added'
  | 'passkey_removed'
  | 'setup_completed'
  | 'admin_change';

export interface AuditEntry {
  event: AuditEvent;
  userId?: string | null;
  actorId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'data'>> {
  id: number;
  createdAt: string;
  data: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      created_at: nowIso(),
      event: entry.event,
      user_id: entry.userId ?? null,
      actor_id: entry.actorId ?? null,
      ip: entry.ip ?? null,
      user_agent: entry.userAgent?.slice(0, 512) ?? null,
      data: JSON.stringify(entry.data ?? {}),
    })
    .execute();
}

export async function listAudit(
  db: Kysely<DB>,
  options: { page?: number; pageSize?: number; userId?: string } = {},
): Promise<{ entries: AuditRecord[]; page: number; pageSize: number }> {
  const page = Math.max(1, options.page ?? 1);
  const pageSize = Math.min(200, Math.max(1, options.pageSize ?? 50));
  let query = db.selectFrom('audit_log').selectAll();
  if (options.userId) query = query.where('user_id', '=', options.userId);
  const rows = await query.orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
  return {
    page,
    pageSize,
    entries: rows.map((row) => ({
      id: Number(row.id),
      createdAt: isoTimestamp(row.created_at) ?? row.created_at,
      event: row.event as AuditEvent,
      userId: row.user_id,
      actorId: row.actor_id,
      ip: row.ip,
      userAgent: row.user_agent,
      data: JSON.parse(row.data) as Record<string, unknown>,
    })),
  };
}

/** Deletes entries older than the retention period (AUDIT_LOG_RETENTION_DAYS; 0 keeps everything). */
export async function pruneAudit(db: Kysely<DB>, retentionDays: number, now = Date.now()): Promise<number> {
  if (retentionDays <= 0) return 0;
  const cutoff = new Date(now - retentionDays * 24 * 60 * 60 * 1000).toISOString();
  const result = await db.deleteFrom('audit_log').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
