import type { Kysely } from 'kysely';
import { briefCache } from '../db/brief-cache.js';
import type { DB } from '../db/schema.js';
import { inTransaction } from '../db/database.js';
import { DomainError } from '../errors.js';
import { isReservedClaimName } from './reserved.js';

/**
 * Custom claims: key/value pairs an admin sets on a user or a group, released to relying
 * parties with the `profile` scope in the ID token and userinfo (as Pocket ID does), for
 * apps that read roles or quotas from a claim (Immich's `immich_role`, `immich_quota`).
 *
 * A value is stored as text. When the whole text is JSON (`100`, `true`, `["a","b"]`,
 * `{"x":1}`), the claim carries that JSON value; any other text is a string claim. To send
 * text that looks like JSON as a string, write it as a JSON string: `"100"`.
 */
export interface CustomClaim {
  key: string;
  value: string;
}

/** Letters first, so that a name never reads as a number or a path; the same characters as a group's friendly name. */
export const CLAIM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
export const MAX_CLAIMS = 50;
export const MAX_CLAIM_VALUE_LENGTH = 1000;

const NAME_RULE = 'must be 1 to 64 letters, digits or _ . : -, starting with a letter';
const RESERVED_RULE = 'is a standard claim that Hearth ID sets itself; choose another name';

/** What is wrong with a claim name, as the end of a sentence that begins with the name; undefined when nothing is. */
export function claimNameProblem(key: string): string | undefined {
  if (!CLAIM_NAME_PATTERN.test(key)) return NAME_RULE;
  if (isReservedClaimName(key)) return RESERVED_RULE;
  return undefined;
}

/** The claim a stored value becomes: its JSON value when it is JSON, otherwise the text itself. */
export function claimValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A value from the provisioning file (YAML may give numbers, booleans, lists) as stored text. */
export function storedClaimValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Checks a whole set of claims for one owner and returns it trimmed; the first problem is a
 * DomainError naming the input at fault (`claims.2.key`), in words for the form.
 */
export function checkClaims(claims: readonly CustomClaim[]): CustomClaim[] {
  if (claims.length > MAX_CLAIMS) throw new DomainError('invalid', `A user or group may have at most ${MAX_CLAIMS} custom claims`, 'claims');
  const seen = new Set<string>();
  return claims.map((claim, index) => {
    const key = claim.key.trim();
    const value = claim.value.trim();
    const field = `claims.${index}`;
    if (!key) throw new DomainError('invalid', 'Enter a claim name', `${field}.key`);
    if (!CLAIM_NAME_PATTERN.test(key)) throw new DomainError('invalid', `Claim name ${NAME_RULE}`, `${field}.key`);
    if (isReservedClaimName(key)) throw new DomainError('invalid', `"${key}" ${RESERVED_RULE}`, `${field}.key`);
    if (seen.has(key.toLowerCase())) throw new DomainError('invalid', `The claim "${key}" is given twice; keep one`, `${field}.key`);
    seen.add(key.toLowerCase());
    if (!value) throw new DomainError('invalid', `Enter a value for "${key}"`, `${field}.value`);
    if (value.length > MAX_CLAIM_VALUE_LENGTH) {
      throw new DomainError('invalid', `The value of "${key}" must be at most ${MAX_CLAIM_VALUE_LENGTH} characters`, `${field}.value`);
    }
    return { key, value };
  });
}

export type ClaimOwner = { userId: string } | { groupId: string };

function ownerColumns(owner: ClaimOwner): { user_id: string | null; group_id: string | null } {
  return 'userId' in owner ? { user_id: owner.userId, group_id: null } : { user_id: null, group_id: owner.groupId };
}

/** The claims set on one user or one group, in the order they were given. */
export async function claimsOf(db: Kysely<DB>, owner: ClaimOwner): Promise<CustomClaim[]> {
  const query = db.selectFrom('custom_claims').select(['key', 'value']).orderBy('position');
  const rows = await ('userId' in owner ? query.where('user_id', '=', owner.userId) : query.where('group_id', '=', owner.groupId)).execute();
  return rows.map((row) => ({ key: row.key, value: row.value }));
}

/**
 * Replaces an owner's claims with exactly these (checked first: nothing is written when one
 * is refused). The owner must exist; the caller checks, as it knows how to name a missing one.
 */
export async function setClaims(db: Kysely<DB>, owner: ClaimOwner, claims: readonly CustomClaim[]): Promise<CustomClaim[]> {
  const checked = checkClaims(claims);
  const columns = ownerColumns(owner);
  accountClaims.forget();
  await inTransaction(db, async (trx) => {
    const old = trx.deleteFrom('custom_claims');
    await ('userId' in owner ? old.where('user_id', '=', owner.userId) : old.where('group_id', '=', owner.groupId)).execute();
    if (checked.length > 0) {
      await trx
        .insertInto('custom_claims')
        .values(checked.map((claim, position) => ({ ...columns, key: claim.key, value: claim.value, position })))
        .execute();
    }
  });
  // Again once written: a read that ran while the transaction was open kept the old claims.
  accountClaims.forget();
  return checked;
}

/** Whether two claim lists say the same, order aside (the provisioning file's "unchanged"). */
export function sameClaims(a: readonly CustomClaim[], b: readonly CustomClaim[]): boolean {
  if (a.length !== b.length) return false;
  const values = new Map(a.map((claim) => [claim.key, claim.value]));
  return b.every((claim) => values.get(claim.key) === claim.value);
}

/** A group as the merge needs it: its ID and the friendly name that orders it. */
export interface ClaimGroup {
  id: string;
  friendlyName: string;
}

/**
 * Every token and userinfo answer with the profile scope asks for an account's claims, so they
 * are kept for a second per user and set of groups (the key holds the groups' names, which
 * order them); a change of claims through this process forgets them at once.
 */
const accountClaims = briefCache<string, Readonly<Record<string, unknown>>>({ ttlMs: 1000, maxEntries: 10_000 });

/**
 * The custom claims a user's tokens carry, read in one statement for the user and all their
 * groups. Groups come first, in the order of their friendly names ignoring case, and the
 * first group to set a claim keeps it; the user's own claims then override any group's.
 */
export async function customClaimsForAccount(db: Kysely<DB>, userId: string, groups: readonly ClaimGroup[]): Promise<Readonly<Record<string, unknown>>> {
  const key = [userId, ...groups.map((group) => `${group.id}:${group.friendlyName}`)].join('\n');
  return accountClaims.get(db, key, async () => Object.freeze(await loadClaimsOfAccount(db, userId, groups)));
}

async function loadClaimsOfAccount(db: Kysely<DB>, userId: string, groups: readonly ClaimGroup[]): Promise<Record<string, unknown>> {
  const groupIds = groups.map((group) => group.id);
  const rows = await db
    .selectFrom('custom_claims')
    .select(['user_id', 'group_id', 'key', 'value', 'position'])
    .where((eb) => (groupIds.length > 0 ? eb.or([eb('user_id', '=', userId), eb('group_id', 'in', groupIds)]) : eb('user_id', '=', userId)))
    .execute();
  if (rows.length === 0) return {};
  const rank = new Map(
    [...groups]
      .sort((a, b) => compareText(a.friendlyName.toLowerCase(), b.friendlyName.toLowerCase()) || compareText(a.id, b.id))
      .map((group, index) => [group.id, index]),
  );
  // The user's rows last, so that they are written over the groups' values.
  const order = (row: (typeof rows)[number]) => (row.user_id !== null ? rank.size : (rank.get(row.group_id!) ?? rank.size));
  rows.sort((a, b) => order(a) - order(b) || Number(a.position) - Number(b.position));
  const claims: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.user_id === null && Object.hasOwn(claims, row.key)) continue;
    claims[row.key] = claimValue(row.value);
  }
  return claims;
}

/** Code-unit order, the same on every database and in every locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
