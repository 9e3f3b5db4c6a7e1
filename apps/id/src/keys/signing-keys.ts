import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { JsonWebKey } from 'node:crypto';
import type { Database } from '../db/database.js';
import { epochSeconds, nowIso } from '../db/database.js';
import { ConfigError } from '../config/config.js';
import { DecryptionError, decrypt, encrypt } from '../crypto/crypto.js';

/**
 * How long a retired key stays published after a newer key took over: longer than any
 * token signed with it lives (ID tokens last an hour), plus room for clock skew.
 */
export const RETIRED_KEY_RETENTION_SECONDS = 2 * 60 * 60;

export const ENCRYPTION_CHECK_KEY = 'encryption_check';
export const ENCRYPTION_CHECK_VALUE = 'hearth-id';

export type PrivateJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

const generateKeyPairAsync = promisify(generateKeyPair);

/** On libuv's thread pool: a first start loads the server's modules meanwhile. */
async function newSigningKey(): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/**
 * Proves ENCRYPTION_KEY is the one this database was set up with, before anything is
 * decrypted; a different key is a clear startup error instead of garbage.
 */
export async function checkEncryptionKey(database: Database, dataKey: Buffer): Promise<void> {
  const { db } = database;
  const row = await db.selectFrom('settings').select('value').where('key', '=', ENCRYPTION_CHECK_KEY).executeTakeFirst();
  if (!row) {
    await db
      .insertInto('settings')
      .values({ key: ENCRYPTION_CHECK_KEY, value: encrypt(dataKey, ENCRYPTION_CHECK_VALUE) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return checkEncryptionKey(database, dataKey);
  }
  try {
    if (decrypt(dataKey, row.value) === ENCRYPTION_CHECK_VALUE) return;
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
  }
  throw new ConfigError(
    'ENCRYPTION_KEY does not match the key this database was created with; start Hearth ID with the original ENCRYPTION_KEY',
  );
}

async function insertKey(database: Database, dataKey: Buffer): Promise<PrivateJwk> {
  const jwk = await newSigningKey();
  await database.db
    .insertInto('signing_keys')
    .values({ id: jwk.kid, created_at: nowIso(), alg: jwk.alg, encrypted_jwk: encrypt(dataKey, JSON.stringify(jwk)), retired_at: null })
    .execute();
  return jwk;
}

/**
 * The keys to publish, newest first: the first one signs. Creates the first key on a new
 * database and forgets retired keys whose tokens have all expired.
 */
export async function loadSigningKeys(database: Database, dataKey: Buffer): Promise<PrivateJwk[]> {
  return database.withLock('signing-keys', async (trx) => {
    await trx
      .deleteFrom('signing_keys')
      .where('retired_at', 'is not', null)
      .where('retired_at', '<', epochSeconds() - RETIRED_KEY_RETENTION_SECONDS)
      .execute();
    const rows = await trx.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    if (rows.length === 0) return [await insertKey({ ...database, db: trx }, dataKey)];
    return rows.map((row) => {
      try {
        return JSON.parse(decrypt(dataKey, row.encrypted_jwk)) as PrivateJwk;
      } catch {
        throw new ConfigError(`signing key ${row.id} cannot be decrypted with this ENCRYPTION_KEY`);
      }
    });
  });
}

/** Adds a new signing key and retires the current ones; they stay published until their tokens expire. */
export async function rotateSigningKey(database: Database, dataKey: Buffer): Promise<{ kid: string; retired: string[] }> {
  return database.withLock('signing-keys', async (trx) => {
    const current = await trx.selectFrom('signing_keys').select('id').where('retired_at', 'is', null).execute();
    await trx.updateTable('signing_keys').set({ retired_at: epochSeconds() }).where('retired_at', 'is', null).execute();
    const jwk = await insertKey({ ...database, db: trx }, dataKey);
    return { kid: jwk.kid, retired: current.map((row) => row.id) };
  });
}
