import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, DB } from '../db/schema.js';
import { isoTimestamp, nowIso } from '../db/database.js';
import { findUserByUsername, listUsers, usernamesByIds } from '../users/users.js';
import { groupNamesByIds } from '../groups/groups.js';
import { clientNamesByIds } from '../clients/clients.js';
import { describeDevice } from './device.js';
import { AUDIT_KINDS, describeAuditEntry, kindOf, targetKindOf, type AuditEventCode, type AuditKind, type AuditNames } from './describe.js';

export type AuditEvent = AuditEventCode;

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
  /** The entry in words, for people ("alice signed in with a passkey"). */
  summary: string;
  /** Where it came from in words: "Chrome on macOS", "curl", "command line". */
  device: string;
  kind: AuditKind | null;
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
  await db.insertInto('audit_log').values(toRow(await withNames(db, entry))).execute();
}

/**
 * Keeps the name of the user, group or app an entry is about beside its ID, so that the log
 * can still name it once it is deleted. A caller deleting a record passes the name itself
 * (`targetName`, `clientName`): by the time the entry is written, the record is gone.
 */
async function withNames(db: Kysely<DB>, entry: AuditEntry): Promise<AuditEntry> {
  const data = entry.data;
  if (!data) return entry;
  const extra: Record<string, string> = {};
  if (typeof data.action === 'string' && typeof data.target === 'string' && data.targetName === undefined) {
    const name = await auditTargetName(db, data.action, data.target);
    if (name) extra.targetName = name;
  }
  if (typeof data.client === 'string' && data.clientName === undefined) {
    const name = (await clientNamesByIds(db, [data.client])).get(data.client);
    if (name) extra.clientName = name;
  }
  return Object.keys(extra).length > 0 ? { ...entry, data: { ...data, ...extra } } : entry;
}

/** The name of the user, group or app an action is about; read it before deleting the record. */
export async function auditTargetName(db: Kysely<DB>, action: string, target: string): Promise<string | undefined> {
  const kind = targetKindOf(action);
  if (!kind) return undefined;
  const lookUp = { users: usernamesByIds, groups: groupNamesByIds, clients: clientNamesByIds }[kind];
  return (await lookUp(db, [target])).get(target);
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

export interface AuditQuery {
  page?: number;
  pageSize?: number;
  /** Entries about this user or made by them. */
  userId?: string;
  /** A username, or part of one (or of a name or email): entries about or by the people it matches. */
  q?: string;
  kind?: AuditKind;
}

/** Most people a user search may stand for: beyond that, the search is too broad to mean anyone. */
const USER_SEARCH_LIMIT = 100;

/** The users a search names: the one whose username it is exactly, else everyone it matches. */
async function usersSearched(db: Kysely<DB>, q: string): Promise<string[]> {
  const exact = await findUserByUsername(db, q);
  if (exact) return [exact.id];
  return (await listUsers(db, { search: q, pageSize: USER_SEARCH_LIMIT })).users.map((user) => user.id);
}

export async function listAudit(
  db: Kysely<DB>,
  options: AuditQuery = {},
): Promise<{ entries: AuditRecord[]; page: number; pageSize: number; total: number }> {
  const page = Math.max(1, options.page ?? 1);
  const pageSize = Math.min(200, Math.max(1, options.pageSize ?? 50));
  await flushAudit(db);
  const people = new Set<string>();
  if (options.userId) people.add(options.userId);
  const q = options.q?.trim();
  if (q) {
    const found = await usersSearched(db, q);
    // With a user picked too, the search narrows to them (or to nobody).
    if (options.userId && !found.includes(options.userId)) people.clear();
    else if (!options.userId) for (const id of found) people.add(id);
    if (people.size === 0) return { entries: [], page, pageSize, total: 0 };
  }
  let query = db.selectFrom('audit_log');
  if (people.size > 0) {
    const ids = [...people];
    query = query.where((eb) => eb.or([eb('user_id', 'in', ids), eb('actor_id', 'in', ids)]));
  }
  if (options.kind) query = query.where('event', 'in', [...AUDIT_KINDS[options.kind]]);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const records = rows.map((row) => ({
    id: Number(row.id),
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    event: row.event as AuditEvent,
    userId: row.user_id,
    actorId: row.actor_id,
    ip: row.ip,
    userAgent: row.user_agent,
    data: JSON.parse(row.data) as Record<string, unknown>,
  }));
  const names = await namesIn(db, records);
  return {
    page,
    pageSize,
    total: Number(count.n),
    entries: records.map((record) => ({
      ...record,
      summary: describeAuditEntry(record, names),
      device: describeDevice(record.userAgent, record.data.via === 'cli' ? 'cli' : record.data.source === 'provisioning' ? 'provisioning' : undefined),
      kind: kindOf(record.event),
    })),
  };
}

/** Today's names of every user, group and app a page of entries mentions, three queries in all. */
async function namesIn(db: Kysely<DB>, records: { userId: string | null; actorId: string | null; data: Record<string, unknown> }[]): Promise<AuditNames> {
  const ids: Record<keyof AuditNames, string[]> = { users: [], groups: [], clients: [] };
  for (const { userId, actorId, data } of records) {
    if (userId) ids.users.push(userId);
    if (actorId) ids.users.push(actorId);
    if (typeof data.client === 'string') ids.clients.push(data.client);
    const kind = targetKindOf(typeof data.action === 'string' ? data.action : undefined);
    if (kind && typeof data.target === 'string') ids[kind].push(data.target);
  }
  const [users, groups, clients] = await Promise.all([
    usernamesByIds(db, ids.users),
    groupNamesByIds(db, ids.groups),
    clientNamesByIds(db, ids.clients),
  ]);
  return { users, groups, clients };
}

/** Deletes entries older than the retention period (AUDIT_LOG_RETENTION_DAYS; 0 keeps everything). */
export async function pruneAudit(db: Kysely<DB>, retentionDays: number, now = Date.now()): Promise<number> {
  if (retentionDays <= 0) return 0;
  await flushAudit(db);
  const cutoff = new Date(now - retentionDays * 24 * 60 * 60 * 1000).toISOString();
  const result = await db.deleteFrom('audit_log').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
