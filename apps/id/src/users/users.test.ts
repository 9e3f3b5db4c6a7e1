import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.js';
import { createOneTimeAccessToken, redeemOneTimeAccessToken } from '../one-time-access/one-time-access.js';
import { createSession, findSession } from '../sessions/sessions.js';
import { LastAdminError, createUser, deleteUser, findUserById, updateUser, withAdminLock } from './users.js';

/* The rules every caller of updateUser and deleteUser gets: the admin API, the profile page and provisioning. */
describe('the rules of a user change', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-id-users-'));
    database = await openDatabase({ db: { provider: 'sqlite', connectionString: join(dir, 'hearth-id.db') } });
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never leaves no active administrator, and lets one go once another exists', async () => {
    const { db } = database;
    const only = await createUser(db, { username: 'only-admin', isAdmin: true });
    for (const change of [{ isAdmin: false }, { disabled: true }]) {
      await expect(withAdminLock(database, (trx) => updateUser(trx, only.id, change))).rejects.toBeInstanceOf(LastAdminError);
    }
    await expect(withAdminLock(database, (trx) => deleteUser(trx, only.id))).rejects.toThrow(
      'cannot delete only-admin: they are the last administrator; make another user an administrator first',
    );
    expect(await findUserById(db, only.id)).toMatchObject({ isAdmin: true, disabled: false });

    // A disabled administrator does not count: they cannot sign in to manage anyone.
    const dormant = await createUser(db, { username: 'dormant-admin', isAdmin: true, disabled: true });
    await expect(updateUser(db, only.id, { isAdmin: false })).rejects.toBeInstanceOf(LastAdminError);
    await updateUser(db, dormant.id, { disabled: false });
    expect(await updateUser(db, only.id, { isAdmin: false })).toMatchObject({ isAdmin: false });
    await updateUser(db, only.id, { isAdmin: true });
    await deleteUser(db, dormant.id);
  });

  it('ends the sessions and login links of a user it disables, and enabling them again revives none', async () => {
    const { db } = database;
    const user = await createUser(db, { username: 'soon-disabled' });
    const { token } = await createSession(db, user.id, { lifetimeSeconds: 3600 });
    const link = await createOneTimeAccessToken(db, user.id);
    expect(await findSession(db, token)).not.toBeNull();
    await updateUser(db, user.id, { disabled: true });
    await updateUser(db, user.id, { disabled: false });
    expect(await findSession(db, token)).toBeNull();
    await expect(redeemOneTimeAccessToken(db, link.token)).rejects.toThrow('Token is invalid or expired');
  });

  it('marks a changed email unverified, unless the same change vouches for it', async () => {
    const { db } = database;
    const user = await createUser(db, { username: 'mover', email: 'old@example.com', emailVerified: true });
    expect(await updateUser(db, user.id, { firstName: 'Mo', email: 'old@example.com' })).toMatchObject({ emailVerified: true });
    expect(await updateUser(db, user.id, { email: 'new@example.com' })).toMatchObject({ email: 'new@example.com', emailVerified: false });
    expect(await updateUser(db, user.id, { email: 'vouched@example.com', emailVerified: true })).toMatchObject({ emailVerified: true });
    expect(await updateUser(db, user.id, { email: null })).toMatchObject({ email: null, emailVerified: false });
  });
});
