import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds, nowIso } from '../db/database.js';
import { hashToken, randomToken } from '../crypto/crypto.js';
import { DomainError } from '../errors.js';
import { findUserById, requireUser } from '../users/user-record.js';

/** Login links last an hour unless the admin chooses otherwise, as the documented Pocket ID workflow expects. */
export const ONE_TIME_ACCESS_TTL_SECONDS = 60 * 60;

/** The shortest and longest a login link may live: a link is a password in a message, so no longer than a week. */
export const ONE_TIME_ACCESS_MIN_TTL_SECONDS = 60;
export const ONE_TIME_ACCESS_MAX_TTL_SECONDS = 7 * 24 * 60 * 60;

const TTL_UNITS: Record<string, number> = { m: 60, h: 60 * 60, d: 24 * 60 * 60 };

/** Reads a lifetime like "30m", "24h" or "7d" into seconds; throws a DomainError in words otherwise. */
export function parseTtl(raw: string): number {
  const match = /^\s*(\d{1,6})\s*([mhd])\s*$/i.exec(raw);
  if (!match) throw new DomainError('invalid', `--ttl: "${raw}" is not a duration; use a number and m, h or d, e.g. 30m, 24h or 7d`, 'ttl');
  const seconds = Number(match[1]) * TTL_UNITS[match[2]!.toLowerCase()]!;
  checkTtl(seconds, 'ttl', raw);
  return seconds;
}

/** Refuses a lifetime outside the allowed range, naming it as the person wrote it. */
export function checkTtl(seconds: number, field = 'ttlSeconds', shown = `${seconds} seconds`): void {
  if (!Number.isInteger(seconds) || seconds < ONE_TIME_ACCESS_MIN_TTL_SECONDS) {
    throw new DomainError('invalid', `a login link must live at least 1 minute (got ${shown})`, field);
  }
  if (seconds > ONE_TIME_ACCESS_MAX_TTL_SECONDS) {
    throw new DomainError('invalid', `a login link may live at most 7 days (7d); ${shown} is longer`, field);
  }
}

/** "1 hour", "24 hours", "7 days", "90 minutes": how a lifetime reads in a sentence. */
export function describeTtl(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 86_400 === 0) return unit(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  return unit(Math.round(seconds / 60), 'minute');
}

/** The message people see for a used, expired or unknown link (the seed's wording). */
export const INVALID_TOKEN_MESSAGE = 'Token is invalid or expired';

/**
 * Creates a single-use login token for a user. Only its hash is stored. A disabled user gets
 * none, however it is asked for: it could not sign them in. The edges check the lifetime
 * (parseTtl, the API's schema).
 */
export async function createOneTimeAccessToken(
  db: Kysely<DB>,
  userId: string,
  options: { ttlSeconds?: number } = {},
): Promise<{ token: string; expiresAt: number }> {
  const user = await requireUser(db, userId);
  if (user.disabled) throw new DomainError('conflict', `${user.username} is disabled; enable the account before sending a login link`);
  const token = randomToken(24);
  const expiresAt = epochSeconds() + (options.ttlSeconds ?? ONE_TIME_ACCESS_TTL_SECONDS);
  await db
    .insertInto('one_time_access_tokens')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: nowIso(), expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export function oneTimeAccessUrl(appUrl: string, token: string): string {
  return `${appUrl}/lc/${token}`;
}

/**
 * Redeems a token: the delete is the claim, so of any number of concurrent attempts
 * exactly one gets the user id back. Returns the user id, or throws "Token is invalid or expired".
 */
export async function redeemOneTimeAccessToken(db: Kysely<DB>, token: string): Promise<string> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw new DomainError('invalid', INVALID_TOKEN_MESSAGE, 'token');
  const claimed = await db
    .deleteFrom('one_time_access_tokens')
    .where('token_hash', '=', hashToken(token))
    .returning(['user_id', 'expires_at'])
    .executeTakeFirst();
  if (!claimed || Number(claimed.expires_at) <= epochSeconds()) throw new DomainError('invalid', INVALID_TOKEN_MESSAGE, 'token');
  const user = await findUserById(db, claimed.user_id);
  if (!user || user.disabled) throw new DomainError('invalid', INVALID_TOKEN_MESSAGE, 'token');
  return user.id;
}

/** Forgets login links nobody opened in time (the maintenance job calls this). */
export async function deleteExpiredOneTimeAccessTokens(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db.deleteFrom('one_time_access_tokens').where('expires_at', '<', epochSeconds(now.getTime())).execute();
}

/** Ends a user's unused login links (disabling them does this), so enabling them again revives none. */
export async function deleteOneTimeAccessTokensOfUser(db: Kysely<DB>, userId: string): Promise<void> {
  await db.deleteFrom('one_time_access_tokens').where('user_id', '=', userId).execute();
}
