import type { Database } from '../db/database.js';
import { DomainError } from '../errors.js';
import { countUsers, createUser, type User, type UserInput } from '../users/users.js';

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
    return createUser(trx, { ...input, isAdmin: true });
  });
}
