import type { Kysely, Selectable } from 'kysely';
import { precompiledPerHandle } from '../db/precompiled.js';
import type { DB } from '../db/schema.js';
import { epochSeconds, isoTimestamp, nowIso } from '../db/database.js';
import { hashToken, randomToken } from '../crypto/crypto.js';
import { toUser, type User } from '../users/user-record.js';

/**
 * The sign-in session of a person in their browser. Only the token's hash is stored.
 * A session is created by a real sign-in (a passkey, a login link, the setup wizard) and
 * never renewed, so its creation time is when the person last authenticated.
 */
export interface Session {
  id: string;
  user: User;
  expiresAt: number;
  /** Epoch seconds of the sign-in that created the session: `auth_time` for the apps. */
  authenticatedAt: number;
}

export const SESSION_COOKIE = 'hearth_session';

export async function createSession(
  db: Kysely<DB>,
  userId: string,
  options: { lifetimeSeconds: number; ip?: string | null; userAgent?: string | null },
): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken(32);
  const expiresAt = epochSeconds() + options.lifetimeSeconds;
  const now = nowIso();
  await db
    .insertInto('sessions')
    .values({
      id: hashToken(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      ip: options.ip ?? null,
      user_agent: options.userAgent?.slice(0, 512) ?? null,
    })
    .execute();
  return { token, expiresAt };
}

type SessionRow = Selectable<DB['users']> & { session_id: string; session_expires_at: number; session_created_at: string };
/** Every request with a session cookie runs it: built and compiled once per handle. */
const sessionQuery = precompiledPerHandle<Kysely<DB>, 'id' | 'now', SessionRow>(['id', 'now'], (db, v) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_id', 'sessions.expires_at as session_expires_at', 'sessions.created_at as session_created_at'])
    .where('sessions.id', '=', v.id)
    .where('sessions.expires_at', '>', v.now as unknown as number),
);

/** The live session for a cookie value, or null when it is unknown, expired, or its user is disabled. */
export async function findSession(db: Kysely<DB>, token: string | undefined): Promise<Session | null> {
  if (!token || token.length > 128) return null;
  const [row] = (await sessionQuery(db)({ id: hashToken(token), now: epochSeconds() })).rows;
  if (!row || row.disabled) return null;
  const { session_id, session_expires_at, session_created_at, ...userRow } = row;
  const createdAt = Date.parse(isoTimestamp(session_created_at) ?? '');
  // An unreadable time counts as long ago: it can only make a re-authentication more likely.
  const authenticatedAt = Number.isNaN(createdAt) ? 0 : epochSeconds(createdAt);
  return { id: session_id, user: toUser(userRow), expiresAt: Number(session_expires_at), authenticatedAt };
}

export async function deleteSession(db: Kysely<DB>, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
}

export async function deleteSessionsOfUser(db: Kysely<DB>, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Forgets sessions past their time (the maintenance job calls this); findSession already ignores them. */
export async function deleteExpiredSessions(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', epochSeconds(now.getTime())).execute();
}

/** Sessions not yet expired, for the metrics; expired rows wait for maintenance to remove them. */
export async function countActiveSessions(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('count')).where('expires_at', '>', epochSeconds()).executeTakeFirstOrThrow();
  return Number(row.count);
}
