// Backing up and restoring a SQLite database while Hearth ID runs. The backup uses SQLite's
// online backup API in one step, so the copy is one consistent moment of the database even
// while the server writes; it is written beside the target and renamed into place, so a
// failed backup never leaves a half-written file under the name asked for.
import { constants } from 'node:fs';
import { copyFile, link, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../config/config.js';
import { decrypt, DecryptionError, deriveKeys } from '../crypto/crypto.js';
import { ENCRYPTION_CHECK_KEY, ENCRYPTION_CHECK_VALUE } from '../keys/signing-keys.js';
import { knownMigrations } from './migrations.js';

/** All pages in one step: the copy cannot mix two moments of a database being written. */
const ALL_PAGES = 2 ** 31 - 1;

export interface BackupResult {
  bytes: number;
  users: number;
}

export async function backupSqlite(source: string, target: string): Promise<BackupResult> {
  if (await exists(target)) throw new ConfigError(`${target} already exists; choose a new file name (a backup never overwrites one)`);
  if (!(await exists(source))) throw new ConfigError(`there is no database at ${source} (DB_CONNECTION_STRING) to back up`);
  const partial = join(dirname(target), `.${process.pid}.hearth-backup.partial`);
  const db = new DatabaseSync(source, { readOnly: true, timeout: 5000 });
  try {
    await backup(db, partial, { rate: ALL_PAGES });
    const users = checkedCopy(partial);
    // link() refuses an existing name, so a file made meanwhile under the target is kept.
    await link(partial, target);
    return { bytes: (await stat(target)).size, users };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`${target} already exists; choose a new file name`);
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot write the backup to ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    db.close();
    await rm(partial, { force: true });
  }
}

/** The copy reads back whole; answers its number of users. */
function checkedCopy(file: string): number {
  const copy = new DatabaseSync(file, { readOnly: true });
  try {
    const integrity = copy.prepare('PRAGMA integrity_check').get() as Record<string, unknown>;
    if (Object.values(integrity)[0] !== 'ok') throw new ConfigError(`the backup did not read back whole (${String(Object.values(integrity)[0])})`);
    return Number((copy.prepare('select count(*) as n from users').get() as { n: number }).n);
  } finally {
    copy.close();
  }
}

/**
 * Checks that `file` is a Hearth ID database this program can run and that `encryptionKey`
 * opens it; answers what is wrong in words, or null.
 */
export function restorableProblem(file: string, encryptionKey: Buffer): string | null {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch (error) {
    return `cannot open ${file} as a SQLite database (${(error as Error).message})`;
  }
  try {
    const integrity = Object.values(db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)[0];
    if (integrity !== 'ok') return `${file} is damaged (${String(integrity)})`;
    const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((row) => row.name));
    if (!tables.has('schema_migrations') || !tables.has('settings')) return `${file} is not a Hearth ID database`;
    const known = new Set(knownMigrations('sqlite'));
    const unknown = (db.prepare('select name from schema_migrations order by name').all() as { name: string }[]).map((row) => row.name).filter((name) => !known.has(name));
    if (unknown.length > 0) return `${file} comes from a newer Hearth ID (it has ${unknown.join(', ')}); restore it with that version or newer`;
    const check = db.prepare('select value from settings where key = ?').get(ENCRYPTION_CHECK_KEY) as { value: string } | undefined;
    if (check) {
      try {
        if (decrypt(deriveKeys(encryptionKey).dataKey, check.value) !== ENCRYPTION_CHECK_VALUE) throw new DecryptionError();
      } catch {
        return `${file} was made with a different ENCRYPTION_KEY; restore it with the key it was made with`;
      }
    }
    return null;
  } catch (error) {
    return `cannot read ${file} (${(error as Error).message})`;
  } finally {
    db.close();
  }
}

/**
 * Puts `backupFile` in place of the database at `target` (Hearth ID must be stopped). The
 * database it replaces is kept beside it as `<name>.before-restore-<time>`; its write-ahead
 * log goes, so SQLite cannot replay it onto the restored file.
 */
export async function restoreSqlite(backupFile: string, target: string, encryptionKey: Buffer): Promise<{ kept: string | null }> {
  if (!(await exists(backupFile))) throw new ConfigError(`there is no file at ${backupFile}`);
  const problem = restorableProblem(backupFile, encryptionKey);
  if (problem) throw new ConfigError(problem);
  const incoming = join(dirname(target), `.${process.pid}.hearth-restore.partial`);
  let kept: string | null = null;
  try {
    await copyFile(backupFile, incoming, constants.COPYFILE_EXCL);
    if (await exists(target)) {
      // A checkpoint first, so the kept copy holds everything the log had.
      const current = new DatabaseSync(target, { timeout: 5000 });
      try {
        current.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      } finally {
        current.close();
      }
      kept = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(target, kept, constants.COPYFILE_EXCL);
    }
    for (const suffix of ['-wal', '-shm']) await rm(`${target}${suffix}`, { force: true });
    await rename(incoming, target);
    return { kept };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot restore into ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    await rm(incoming, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
