import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, Kysely, Selectable, SqlBool } from 'kysely';
import { anyColumnContains, containsPattern, isSqlite } from '../db/search.js';
import type { DB, UsersTable } from '../db/schema.js';
import { isoTimestamp, nowIso } from '../db/database.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import { revokeAllOfUser } from '../oidc/revocation.js';

export interface User {
  id: string;
  createdAt: string;
  updatedAt: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  isAdmin: boolean;
  emailVerified: boolean;
  disabled: boolean;
}

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

function fullName(first: string | null, last: string | null): string {
  return [first, last].filter((part) => part && part.trim()).join(' ');
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    updatedAt: isoTimestamp(row.updated_at) ?? row.updated_at,
    username: row.username,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    // Rows written by hand (the documented SQLite recipe) may leave display_name empty.
    displayName: row.display_name?.trim() || fullName(row.first_name, row.last_name) || row.username,
    isAdmin: Boolean(row.is_admin),
    emailVerified: Boolean(row.email_verified),
    disabled: Boolean(row.disabled),
  };
}

export async function findUserById(db: Kysely<DB>, id: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Usernames are unique regardless of case. */
export async function findUserByUsername(db: Kysely<DB>, username: string): Promise<User | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function requireUser(db: Kysely<DB>, id: string): Promise<User> {
  const user = await findUserById(db, id);
  if (!user) throw new DomainError('not_found', 'user not found');
  return user;
}

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

export async function updateUser(db: Kysely<DB>, id: string, input: Partial<UserInput>): Promise<User> {
  const existing = await requireUser(db, id);
  if (input.username !== undefined) checkUsername(input.username);
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
        ...(input.emailVerified !== undefined && { email_verified: input.emailVerified ? 1 : 0 }),
        ...(input.disabled !== undefined && { disabled: input.disabled ? 1 : 0 }),
      })
      .where('id', '=', id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', `The username "${input.username}" is already taken`, 'username');
    throw error;
  }
  // Disabling ends every grant and token, so that enabling the account again revives none of them.
  if (input.disabled === true) await revokeAllOfUser(db, id);
  return requireUser(db, id);
}

export async function deleteUser(db: Kysely<DB>, id: string): Promise<void> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new DomainError('not_found', 'user not found');
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

/** The number of administrators, so the last one cannot be demoted or deleted by accident. */
export async function countAdmins(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Refuses a change that would leave no active administrator: nobody could then manage
 * users or clients without editing the database by hand. Run it in the same locked
 * transaction as the change, so two admins demoting each other cannot both pass.
 */
export async function assertKeepsAnAdmin(
  db: Kysely<DB>,
  id: string,
  change: { isAdmin?: boolean; disabled?: boolean; deleting?: boolean },
): Promise<void> {
  const user = await requireUser(db, id);
  if (!user.isAdmin || user.disabled) return;
  const staysActiveAdmin = !change.deleting && change.isAdmin !== false && change.disabled !== true;
  if (staysActiveAdmin || (await countAdmins(db)) > 1) return;
  const what = change.deleting ? 'delete' : change.disabled ? 'disable' : 'remove admin rights from';
  throw new DomainError(
    'conflict',
    `cannot ${what} ${user.username}: they are the last administrator; make another user an administrator first`,
    change.deleting ? undefined : change.disabled ? 'disabled' : 'isAdmin',
  );
}
