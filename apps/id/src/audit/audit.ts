import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, DB } from '../db/schema.js';
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
  | 'admin_change'
  | 'grant_revoked';

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

function toRow(entry: AuditEntry): Insertable<AuditLogTable> {
  return {
    created_at: nowIso(),
    event: entry.event,
    user_id: entry.userId ?? null,
    actor_id: entry.actorId ?? null,
    ip: entry.ip ?? null,
    user_agent: entry.userAgent?.slice(0, 512) ?? null,
    data: JSON.stringify(entry.data ?? {}),
  };
}

export async function recordAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(toRow(entry)).execute();
}

/** How long a batched entry may wait for others before it is written. */
export const AUDIT_BATCH_DELAY_MS = 25;
const AUDIT_BATCH_MAX = 500;

interface AuditQueue {
  rows: Insertable<AuditLogTable>[];
  timer: NodeJS.Timeout | null;
  writes: Set<Promise<void>>;
  onError: (error: unknown) => void;
}
const queues = new WeakMap<Kysely<DB>, AuditQueue>();

/**
 * Records an entry with others of the next few milliseconds in one statement: for events as
 * frequent as token issuance, where a statement each would cost every token request a write.
 * Reading the log (listAudit) and shutting down (flushAudit) write what is waiting first.
 */
export function recordAuditBatched(db: Kysely<DB>, entry: AuditEntry, onError: (error: unknown) => void): void {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = { rows: [], timer: null, writes: new Set(), onError }));
  queue.onError = onError;
  queue.rows.push(toRow(entry));
  if (queue.rows.length >= AUDIT_BATCH_MAX) void flushAudit(db);
  else queue.timer ??= setTimeout(() => void flushAudit(db), AUDIT_BATCH_DELAY_MS).unref();
}

/** Writes the batched entries still waiting, and waits for the writes under way. */
export async function flushAudit(db: Kysely<DB>): Promise<void> {
  const queue = queues.get(db);
  if (!queue) return;
  if (queue.timer) clearTimeout(queue.timer);
  queue.timer = null;
  const rows = queue.rows.splice(0);
  if (rows.length > 0) {
    const write = db
      .insertInto('audit_log')
      .values(rows)
      .execute()
      .then(() => {}, queue.onError)
      .finally(() => queue.writes.delete(write));
    queue.writes.add(write);
  }
  await Promise.all(queue.writes);
}

export async function listAudit(
  db: Kysely<DB>,
  options: { page?: number; pageSize?: number; userId?: string } = {},
): Promise<{ entries: AuditRecord[]; page: number; pageSize: number }> {
  const page = Math.max(1, options.page ?? 1);
  const pageSize = Math.min(200, Math.max(1, options.pageSize ?? 50));
  await flushAudit(db);
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
  await flushAudit(db);
  const cutoff = new Date(now - retentionDays * 24 * 60 * 60 * 1000).toISOString();
  const result = await db.deleteFrom('audit_log').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
