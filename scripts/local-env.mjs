// Where `npm start` keeps Hearth ID's data, shared by `npm start` and `npm run hearth-id` so the
// command line finds the same database and key without being told: HEARTH_DATA_DIR (default
// ./data), its hearth-id.db, and the key made once in its encryption-key file.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function localDataDir(env = process.env) {
  return env.HEARTH_DATA_DIR ?? join(root, 'data');
}

/**
 * Fills in ENCRYPTION_KEY and DB_CONNECTION_STRING from the data folder unless they are set
 * (ENCRYPTION_KEY_FILE counts as set). With `create`, makes the folder and a real random key
 * the first time; without it, leaves a missing key unset so Hearth ID says what to do.
 * Returns the data folder and whether a key file was found (or made).
 */
export function applyLocalEnv(env = process.env, { create = false } = {}) {
  const dataDir = localDataDir(env);
  const keyFile = join(dataDir, 'encryption-key');
  if (create) mkdirSync(dataDir, { recursive: true });
  let hasKeyFile = existsSync(keyFile);
  if (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEY_FILE) {
    // A real random key, made once and kept beside the database it protects.
    if (!hasKeyFile && create) {
      writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      hasKeyFile = true;
    }
    if (hasKeyFile) env.ENCRYPTION_KEY = readFileSync(keyFile, 'utf8').trim();
  }
  env.DB_CONNECTION_STRING ??= join(dataDir, 'hearth-id.db');
  return { dataDir, keyFile, hasKeyFile };
}
