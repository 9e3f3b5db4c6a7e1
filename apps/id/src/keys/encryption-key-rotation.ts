// Moving a database to a new ENCRYPTION_KEY: everything sealed with the key derived from the
// old one (the signing keys and the key check) is opened and sealed again under the new one,
// in one transaction, so a failure leaves the database as it was.
import { ConfigError } from '../config/config.js';
import { decrypt, deriveKeys, encrypt } from '../crypto/crypto.js';
import type { Database } from '../db/database.js';
import { checkEncryptionKey, ENCRYPTION_CHECK_KEY, ENCRYPTION_CHECK_VALUE } from './signing-keys.js';

export async function reencryptUnderNewKey(database: Database, oldKey: Buffer, newKey: Buffer): Promise<{ signingKeys: number }> {
  if (oldKey.equals(newKey)) throw new ConfigError('the new key is the same as ENCRYPTION_KEY; give a different one');
  if (newKey.length < 16) throw new ConfigError('the new key must be at least 16 bytes long');
  const oldData = deriveKeys(oldKey).dataKey;
  const newData = deriveKeys(newKey).dataKey;
  // Refuses with the usual message when ENCRYPTION_KEY is not this database's key.
  await checkEncryptionKey(database, oldData);
  return database.withLock('encryption-key-rotation', async (trx) => {
    const keys = await trx.selectFrom('signing_keys').select(['id', 'encrypted_jwk']).execute();
    for (const key of keys) {
      await trx.updateTable('signing_keys').set({ encrypted_jwk: encrypt(newData, decrypt(oldData, key.encrypted_jwk)) }).where('id', '=', key.id).execute();
    }
    await trx.updateTable('settings').set({ value: encrypt(newData, ENCRYPTION_CHECK_VALUE) }).where('key', '=', ENCRYPTION_CHECK_KEY).execute();
    return { signingKeys: keys.length };
  });
}
