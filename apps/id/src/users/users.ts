import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, Kysely, SqlBool } from 'kysely';
import { anyColumnContains, containsPattern, isSqlite } from '../db/search.js';
import type { DB } from '../db/schema.js';
import { nowIso, type Database } from '../db/database.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import { revokeAllOfUser } from '../oidc/revocation.js';
import { deleteSessionsOfUser } from '../sessions/sessions.js';
import { deleteOneTimeAccessTokensOfUser } from '../one-time-access/one-time-access.js';
import { fullName, requireUser, toUser, type User } from './user-record.js';
import { forgetCachedAccounts } from '../groups/groups.js';

export { findUserById, findUserByUsername, requireUser, toUser, type User } from './user-record.js';

export interface UserInput {
  username: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  displayName?: string | null;
  isAdmin?: boolean;
  emailVerified?: boolean;
  disabled?: boolean;
}

export const USERNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;

/** Usernames by ID, for lists that name the people they mention (the audit log); IDs no longer there are left out. */
export async function usernamesByIds(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, row.username]));
}

export async function countUsers(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new DomainError(
      'invalid',
      'Username must be 1 to 64 letters, digits or _ . @ -, starting with a letter or digit',
      'username',
    );
  }
}

export async function createUser(db: Kysely<DB>, input: UserInput): Promise<User> {
  checkUsername(input.username);
  const now = nowIso();
  const row = {
    id: randomUUID(),
    created_at: now,
    updated_at: now,
    username: input.username,
    email: input.email ?? null,
    first_name: input.firstName ?? null,
    last_name: input.lastName ?? null,
    display_name: input.displayName?.trim() || fullName(input.firstName ?? null, input.lastName ?? null) || input.username,
    is_admin: input.isAdmin ? 1 : 0,
    email_verified: input.emailVerified ? 1 : 0,
    disabled: input.disabled ? 1 : 0,
  };
  try {
    await db.insertInto('users').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', `The username "${input.username}" is already taken`, 'username');
    throw error;
  }
  return requireUser(db, row.id);
}

/**
 * Changes a user under the rules every caller shares: the last active administrator stays one;
 * disabling ends their sign-in sessions, login links, grants and tokens, so that enabling the
 * account again revives none of them; a changed email is unverified unless the same change
 * vouches for it. Run it inside withAdminLock, so two admins demoting each other cannot both pass.
 */
export async function updateUser(db: Kysely<DB>, id: string, input: Partial<UserInput>): Promise<User> {
  const existing = await requireUser(db, id);
  await assertKeepsAnAdmin(db, existing, input);
  if (input.username !== undefined) checkUsername(input.username);
  const emailChanged = input.email !== undefined && input.email !== existing.email;
  const emailVerified = input.emailVerified ?? (emailChanged ? false : undefined);
  const firstName = input.firstName !== undefined ? input.firstName : existing.firstName;
  const lastName = input.lastName !== undefined ? input.lastName : existing.lastName;
  try {
    await db
      .updateTable('users')
      .set({
        updated_at: nowIso(),
        ...(input.username !== undefined && { username: input.username }),
        ...(input.email !== undefined && { email: input.email }),
        ...(input.firstName !== undefined && { first_name: input.firstName }),
        ...(input.lastName !== undefined && { last_name: input.lastName }),
        ...((input.displayName !== undefined || input.firstName !== undefined || input.lastName !== undefined) && {
          display_name: input.displayName?.trim() || fullName(firstName, lastName) || (input.username ?? existing.username),
        }),
        ...(input.isAdmin !== undefined && { is_admin: input.isAdmin ? 1 : 0 }),
        ...(emailVerified !== undefined && { email_verified: emailVerified ? 1 : 0 }),
        ...(input.disabled !== undefined && { disabled: input.disabled ? 1 : 0 }),
      })
      .where('id', '=', id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', `The username "${input.username}" is already taken`, 'username');
    throw error;
  }
  forgetCachedAccounts();
  if (input.disabled === true) {
    await deleteSessionsOfUser(db, id);
    await deleteOneTimeAccessTokensOfUser(db, id);
    await revokeAllOfUser(db, id);
  }
  return requireUser(db, id);
}

/** Deletes a user (their sessions, passkeys and links go with the row), unless they are the last active administrator. Run it inside withAdminLock. */
export async function deleteUser(db: Kysely<DB>, id: string): Promise<void> {
  const existing = await requireUser(db, id);
  await assertKeepsAnAdmin(db, existing, { deleting: true });
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new DomainError('not_found', 'user not found');
  forgetCachedAccounts();
  await revokeAllOfUser(db, id);
}

/**
 * What a user search looks in on PostgreSQL: the searched columns in one lower-cased text. It
 * must stay the expression of the `users_search_trgm` index (migration 0005_admin_lists).
 */
const userSearchText = sql`lower(coalesce(username, '') || chr(10) || coalesce(email, '') || chr(10) || coalesce(first_name, '') || chr(10) || coalesce(last_name, '') || chr(10) || coalesce(display_name, ''))`;

const SEARCHED_COLUMNS = ['username', 'email', 'first_name', 'last_name', 'display_name'];

/**
 * A user search on SQLite. A term of three characters or more is looked up in the trigram index
 * of migration 0010_user_search_index, which keeps a copy of the searched columns. The index
 * folds all Unicode case where SQLite's LIKE folds only ASCII, so it may find a few rows too
 * many: the scan's own LIKE then runs on the copies it found, and the answer is exactly the
 * scan's. A shorter term has no trigram to look up: it scans every user, as before.
 */
function sqliteUserSearch(db: Kysely<DB>, search: string): Expression<SqlBool> {
  if ([...search].length < 3) return anyColumnContains(db, SEARCHED_COLUMNS, search);
  // One FTS5 string: inside double quotes only a double quote is special (doubled).
  const phrase = `"${search.replaceAll('"', '""')}"`;
  const copies = SEARCHED_COLUMNS.map((column) => `users_search.${column}`);
  return sql<SqlBool>`users.id in (select users_search.user_id from users_search where users_search.row in (select rowid from users_search_fts where users_search_fts match ${phrase}) and ${anyColumnContains(db, copies, search)})`;
}

export interface UserPage {
  users: User[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists users by username, optionally filtered by a search over username, name and email.
 * `after` (or `before`) names the last (or first) username of the page on screen and answers
 * the next (or previous) page straight from the username index, however deep: an OFFSET reads
 * and skips every row before the page (on PostgreSQL, computing each one's lower(username)).
 */
export async function listUsers(
  db: Kysely<DB>,
  options: { search?: string; page?: number; pageSize?: number; after?: string; before?: string } = {},
): Promise<UserPage> {
  const page = Math.max(1, options.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, options.pageSize ?? 20));
  const search = options.search?.trim().toLowerCase();
  const after = options.after?.toLowerCase();
  const before = after === undefined ? options.before?.toLowerCase() : undefined;
  const keyset = after !== undefined || before !== undefined;
  const offset = keyset ? 0 : (page - 1) * pageSize;
  // PostgreSQL searches one expression, the one its trigram index (migration 0005_admin_lists)
  // holds, so the index finds the matches when pg_trgm is there; SQLite has an index of its own.
  let matching = db.selectFrom('users');
  if (search) {
    matching = matching.where(
      isSqlite(db)
        ? sqliteUserSearch(db, search)
        : sql<SqlBool>`${userSearchText} like ${containsPattern(search)} escape '\\'`,
    );
  }
  let paged = matching;
  if (after !== undefined) paged = paged.where(sql<string>`lower(username)`, '>', after);
  if (before !== undefined) paged = paged.where(sql<string>`lower(username)`, '<', before);
  const ordered = paged.orderBy(sql`lower(username)`, before !== undefined ? 'desc' : 'asc').limit(pageSize).offset(offset);
  const countAll = () => matching.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (!search || keyset) {
    // In username order straight from its index, and a count beside it.
    const [rows, count] = await Promise.all([ordered.selectAll().execute(), countAll()]);
    if (before !== undefined) rows.reverse();
    return { users: rows.map(toUser), total: Number(count.n), page, pageSize };
  }
  // A search reads every match anyway: one pass gives the page and, beside each row, the total.
  const rows = await ordered.selectAll().select(sql<number>`count(*) over ()`.as('total_matches')).execute();
  const total = rows.length > 0 ? Number(rows[0]!.total_matches) : Number((await countAll()).n);
  return { users: rows.map(toUser), total, page, pageSize };
}

/** Changes to who is an active administrator take turns under this lock, on every replica. */
const ADMIN_LOCK = 'admin-count';

/** Runs fn in a transaction holding ADMIN_LOCK: the way to call updateUser and deleteUser on their own. */
export function withAdminLock<T>(database: Database, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return database.withLock(ADMIN_LOCK, fn);
}

/** The number of active administrators, so the last one cannot be demoted, disabled or deleted. */
async function countAdmins(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Refused: the change would leave no active administrator. Callers may say how to fix it in their own words. */
export class LastAdminError extends DomainError {
  constructor(
    readonly username: string,
    readonly action: 'delete' | 'disable' | 'remove admin rights from',
  ) {
    super(
      'conflict',
      `cannot ${action} ${username}: they are the last administrator; make another user an administrator first`,
      action === 'delete' ? undefined : action === 'disable' ? 'disabled' : 'isAdmin',
    );
  }
}

/**
 * Refuses a change that would leave no active administrator: nobody could then manage
 * users or clients without editing the database by hand.
 */
async function assertKeepsAnAdmin(
  db: Kysely<DB>,
  user: User,
  change: { isAdmin?: boolean; disabled?: boolean; deleting?: boolean },
): Promise<void> {
  if (!user.isAdmin || user.disabled) return;
  const staysActiveAdmin = !change.deleting && change.isAdmin !== false && change.disabled !== true;
  if (staysActiveAdmin || (await countAdmins(db)) > 1) return;
  throw new LastAdminError(user.username, change.deleting ? 'delete' : change.disabled ? 'disable' : 'remove admin rights from');
}
