// Commands for running Hearth ID over time: backups of the SQLite database while it runs, a
// restore, and moving to a new ENCRYPTION_KEY.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { backupSqlite, restoreSqlite } from '../db/backup.js';
import type { Database } from '../db/database.js';
import { reencryptUnderNewKey } from '../keys/encryption-key-rotation.js';

type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;

function sqliteFile(config: Config, command: string): string {
  if (config.db.provider !== 'sqlite') {
    throw new ConfigError(`${command} works on SQLite databases; for PostgreSQL use pg_dump and pg_restore (see docs/operations.md)`);
  }
  return resolve(config.db.connectionString);
}

/** Whether a Hearth ID answers on this configuration's port (a restore under it would be lost). */
async function serverAnswers(config: Config): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${config.port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return true; // any answer: something serves on that port
  } catch {
    return false;
  }
}

export function registerOperationsCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('backup')
    .description('copy the SQLite database to <file> while Hearth ID runs (one consistent moment; never overwrites a file)')
    .argument('<file>', 'where the copy goes, e.g. hearth-id-2026-11-27.db')
    .action(async (file: string) => {
      const config = loadConfig(process.env);
      const source = sqliteFile(config, 'backup');
      const started = Date.now();
      const { bytes, users } = await backupSqlite(source, resolve(file));
      console.log(`Backed up ${source} to ${resolve(file)}: ${(bytes / 1024).toFixed(0)} KB, ${users} user${users === 1 ? '' : 's'}, in ${Date.now() - started} ms.`);
      console.error('Keep ENCRYPTION_KEY with it: the backup cannot be used without the key it was made with.');
    });

  program
    .command('restore')
    .description('put a backup in place of the SQLite database (stop Hearth ID first); the replaced database is kept beside it')
    .argument('<file>', 'a file made by hearth-id backup')
    .action(async (file: string) => {
      const config = loadConfig(process.env);
      const target = sqliteFile(config, 'restore');
      if (await serverAnswers(config)) {
        throw new ConfigError(`Hearth ID is running on port ${config.port}; stop it before restoring, then start it again`);
      }
      const { kept } = await restoreSqlite(resolve(file), target, config.encryptionKey);
      console.log(`Restored ${resolve(file)} into ${target}.${kept ? ` The database it replaced is kept as ${kept}.` : ''}`);
      console.error('Start Hearth ID again; everyone who signed in after the backup was made signs in once more.');
    });

  program
    .command('rotate-encryption-key')
    .description('seal the stored signing keys under a new ENCRYPTION_KEY (stop Hearth ID first; start it with the new key after)')
    .requiredOption('--new-key-file <file>', 'a file holding the new key (at least 16 bytes; e.g. from: openssl rand -hex 32)')
    .option('--generate', 'write a new random key into --new-key-file first (the file must not exist)')
    .action(async (options: { newKeyFile: string; generate?: boolean }) => {
      const keyFile = resolve(options.newKeyFile);
      if (options.generate) {
        await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 }).catch((error: NodeJS.ErrnoException) => {
          throw new ConfigError(error.code === 'EEXIST' ? `${keyFile} already exists; --generate writes a new file only` : `cannot write ${keyFile} (${error.code})`);
        });
      }
      const newKey = await readFile(keyFile, 'utf8').then(
        (text) => Buffer.from(text.replace(/\r?\n$/, ''), 'utf8'),
        (error: NodeJS.ErrnoException) => {
          throw new ConfigError(`cannot read the new key from ${keyFile} (${error.code ?? 'error'})`);
        },
      );
      await withDatabase(async (database, config) => {
        if (await serverAnswers(config)) {
          throw new ConfigError(`Hearth ID is running on port ${config.port}; stop every Hearth ID process first, then start them with the new key`);
        }
        const { signingKeys } = await reencryptUnderNewKey(database, config.encryptionKey, newKey);
        console.log(`Sealed ${signingKeys} signing key${signingKeys === 1 ? '' : 's'} under the new key from ${keyFile}.`);
        console.error(
          `Now start Hearth ID with ENCRYPTION_KEY_FILE=${keyFile} (or ENCRYPTION_KEY set to its contents; with npm start, replace data/encryption-key with it). ` +
            'Issued tokens stay valid; everyone signs in once more, since sessions were signed with the old key.',
        );
      });
    });
}
