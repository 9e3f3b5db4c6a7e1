import type { Database } from '../db/database.js';
import { DomainError } from '../errors.js';
import { countUsers, createUser, type User, type UserInput } from '../users/users.js';
import { addUserToGroup, findGroupByFriendlyName } from '../groups/groups.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** The friendly name dashboards use for their admin group by default (`adminGroup: admins`). */
export const DEFAULT_ADMIN_GROUP = 'admins';

/**
 * A bootstrap admin joins the group whose friendly name is `admins` when one already exists
 * (`npm start` prepares it for the bundled dashboard), so they can edit the dashboard at once.
 * Without such a group nothing changes: create it yourself, as the seed's walkthrough does.
 */
export async function joinDefaultAdminGroup(db: Kysely<DB>, userId: string): Promise<boolean> {
  const group = await findGroupByFriendlyName(db, DEFAULT_ADMIN_GROUP);
  if (!group) return false;
  await addUserToGroup(db, userId, group.id);
  return true;
}

/** The first-run wizard exists only while the database has no user at all. */
export async function isSetupRequired(database: Database): Promise<boolean> {
  return (await countUsers(database.db)) === 0;
}

export const SETUP_DONE_MESSAGE = 'setup is already complete: an account exists, so sign in instead';

/**
 * Creates the first administrator. Runs under a lock, so of any number of concurrent
 * attempts (even on several replicas) exactly one creates the admin; the rest get 404.
 */
export async function createFirstAdmin(
  database: Database,
  input: Pick<UserInput, 'username' | 'email' | 'firstName' | 'lastName'>,
): Promise<User> {
  return database.withLock('first-admin-setup', async (trx) => {
    if ((await countUsers(trx)) > 0) throw new DomainError('not_found', SETUP_DONE_MESSAGE);
    const user = await createUser(trx, { ...input, isAdmin: true });
    await joinDefaultAdminGroup(trx, user.id);
    return user;
  });
}
