import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { DB, UsersTable } from '../db/schema.js';
import { isoTimestamp } from '../db/database.js';
import { DomainError } from '../errors.js';

/*
 * A user as the rest of the program sees it, and finding one. Apart from the changes in
 * users.ts so that the modules those changes rely on (sessions, login links) can read users
 * without importing them back.
 */

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

export function fullName(first: string | null, last: string | null): string {
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
