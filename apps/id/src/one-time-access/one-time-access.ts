import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds, nowIso } from '../db/database.js';
import { hashToken, randomToken } from '../crypto/crypto.js';
import { DomainError } from '../errors.js';

/** Login links last an hour, as the documented Pocket ID workflow expects. */
export const ONE_TIME_ACCESS_TTL_SECONDS = 60 * 60;

/** The message people see for a used, expired or unknown link (the seed's wording). */
export const INVALID_TOKEN_MESSAGE = 'Token is invalid or expired';

/** Creates a single-use login token for a user. Only its hash is stored. */
export async function createOneTimeAccessToken(
  db: Kysely<DB>,
  userId: string,
  options: { ttlSeconds?: number } = {},
): Promise<{ token: string; expiresAt: number }> {
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
  const user = await db.selectFrom('users').select(['id', 'disabled']).where('id', '=', claimed.user_id).executeTakeFirst();
  if (!user || user.disabled) throw new DomainError('invalid', INVALID_TOKEN_MESSAGE, 'token');
  return user.id;
}
