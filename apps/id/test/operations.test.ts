// Running Hearth ID over time: a backup taken while it serves, restored after a loss, still
// signs in with a passkey registered before it; a database from a newer version is refused;
// moving to a new ENCRYPTION_KEY keeps the signing keys (and so every issued token) valid.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroup } from '../src/groups/groups.js';
import { deleteUser } from '../src/users/users.js';
import type { SoftwareAuthenticator } from './support/authenticator.js';
import { runCli } from './support/cli.js';
import { registerPasskey } from './support/fixtures.js';
import { api, createTestDatabase, DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from './support/server.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-ops-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function persistentDatabase(provider: 'sqlite' | 'postgres') {
  const database = await createTestDatabase(provider);
  cleanup.push(() => database.drop());
  return database;
}

async function start(database: { env: Record<string, string> }, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ database, env });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await server.close();
    stopped = true;
  };
  cleanup.push(stop);
  return { ...server, stop };
}

async function passkeySignIn(server: TestServer, authenticator: SoftwareAuthenticator) {
  const options = await api(server, 'POST', '/api/passkey-login/options');
  return api(server, 'POST', '/api/passkey-login/verify', { body: { response: authenticator.authenticate(options.body) } });
}

async function kids(server: TestServer): Promise<string[]> {
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid).sort();
}

describe('hearth-id backup and restore (SQLite)', () => {
  it('backs up while serving and writing; the restore signs in with a passkey registered before it', async () => {
    const database = await persistentDatabase('sqlite');
    const dir = tempDir();
    const backupFile = join(dir, 'hearth-id-backup.db');
    let server = await start(database);
    const { user, cookie } = await signedInUser(server, { username: 'alice' });
    const authenticator = await registerPasskey(server, cookie);

    // Writes go on while the backup runs: the copy is one consistent moment.
    let writing = true;
    const writes = (async () => {
      for (let i = 0; writing; i += 1) {
        await createGroup(server.ctx.database.db, { name: `Group ${i}`, friendlyName: `group-${i}` });
        // SQLite answers synchronously: give the event loop a turn, or the backup's exit is never seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const backup = await runCli(['backup', backupFile], server.env);
    writing = false;
    await writes;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`^Backed up .+ to ${backupFile}: \\d+ KB, 1 user, in \\d+ ms\\.\\n$`));
    const copy = new DatabaseSync(backupFile, { readOnly: true });
    expect(Object.values(copy.prepare('PRAGMA integrity_check').get()!)[0]).toBe('ok');
    copy.close();

    // A backup never overwrites a file.
    const before = readFileSync(backupFile);
    const again = await runCli(['backup', backupFile], server.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`hearth-id: ${backupFile} already exists; choose a new file name (a backup never overwrites one)\n`);
    expect(readFileSync(backupFile).equals(before)).toBe(true);

    // The loss: alice is deleted. A restore under a running server is refused.
    await deleteUser(server.ctx.database.db, user.id);
    expect((await passkeySignIn(server, authenticator)).status).not.toBe(200);
    const refused = await runCli(['restore', backupFile], server.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`hearth-id: Hearth ID is running on port ${server.config.port}; stop it before restoring, then start it again\n`);

    await server.stop();
    const restored = await runCli(['restore', backupFile], server.env);
    expect(restored.code, restored.stderr).toBe(0);
    const kept = /The database it replaced is kept as (\S+)\.\n$/.exec(restored.stdout)?.[1];
    expect(kept).toBeDefined();
    expect(statSync(kept!).size).toBeGreaterThan(0);

    // The same address as before: a passkey answers for the origin it was registered on.
    server = await start(database, { PORT: server.env.PORT!, APP_URL: server.env.APP_URL! });
    const signIn = await passkeySignIn(server, authenticator);
    expect(signIn.status).toBe(200);
    expect(signIn.body.user).toMatchObject({ id: user.id, username: 'alice' });
  });

  it('refuses to restore what is not a Hearth ID database or was made with another key', async () => {
    const database = await persistentDatabase('sqlite');
    const dir = tempDir();
    const server = await start(database);
    const backupFile = join(dir, 'backup.db');
    expect((await runCli(['backup', backupFile], server.env)).code).toBe(0);
    await server.stop();

    const otherKey = await runCli(['restore', backupFile], { ...server.env, ENCRYPTION_KEY: 'another-key-0123456789abcdef' });
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toBe(`hearth-id: ${backupFile} was made with a different ENCRYPTION_KEY; restore it with the key it was made with\n`);

    const notSqlite = join(dir, 'notes.txt');
    writeFileSync(notSqlite, 'not a database');
    const wrong = await runCli(['restore', notSqlite], server.env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^hearth-id: (cannot open|cannot read|.+ is damaged).+\n$/);

    const missing = await runCli(['restore', join(dir, 'nope.db')], server.env);
    expect(missing.stderr).toBe(`hearth-id: there is no file at ${join(dir, 'nope.db')}\n`);
  });

  it('points PostgreSQL users to pg_dump', async () => {
    const database = await persistentDatabase('postgres');
    const server = await start(database);
    const result = await runCli(['backup', join(tempDir(), 'x.db')], server.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('hearth-id: backup works on SQLite databases; for PostgreSQL use pg_dump and pg_restore (see docs/operations.md)\n');
  });
});

describe.each(DB_PROVIDERS)('upgrades and keys (%s)', (provider) => {
  it('refuses a database that a newer Hearth ID has migrated, saying what to do', async () => {
    const database = await persistentDatabase(provider);
    const server = await start(database);
    await server.stop();
    if (provider === 'sqlite') {
      const db = new DatabaseSync(database.env.DB_CONNECTION_STRING!);
      db.prepare('insert into schema_migrations (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
      db.close();
    } else {
      const client = new pg.Client({ connectionString: database.env.DB_CONNECTION_STRING });
      await client.connect();
      await client.query('insert into schema_migrations (name, timestamp) values ($1, $2)', ['9999_from_the_future', new Date().toISOString()]);
      await client.end();
    }
    const result = await runCli(['key-rotate'], server.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'hearth-id: this database was upgraded by a newer Hearth ID (it has 9999_from_the_future, which this version does not know); ' +
        'run that version or newer, or restore the backup made before the upgrade (see docs/operations.md)\n',
    );
  });

  it('moves to a new ENCRYPTION_KEY keeping the signing keys, and refuses while serving', async () => {
    const database = await persistentDatabase(provider);
    const dir = tempDir();
    const server = await start(database);
    const published = await kids(server);
    const keyFile = join(dir, 'new-key');

    const whileServing = await runCli(['rotate-encryption-key', '--new-key-file', keyFile, '--generate'], server.env);
    expect(whileServing.code).toBe(1);
    expect(whileServing.stderr).toContain(`Hearth ID is running on port ${server.config.port}; stop every Hearth ID process first`);
    await server.stop();

    // The key file was generated by the refused attempt; a second --generate must not replace it.
    const generatedKey = readFileSync(keyFile, 'utf8');
    expect(generatedKey).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const overwrite = await runCli(['rotate-encryption-key', '--new-key-file', keyFile, '--generate'], server.env);
    expect(overwrite.stderr).toBe(`hearth-id: ${keyFile} already exists; --generate writes a new file only\n`);

    const rotated = await runCli(['rotate-encryption-key', '--new-key-file', keyFile], server.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toBe(`Sealed 1 signing key under the new key from ${keyFile}.\n`);

    const oldKey = await runCli(['key-rotate'], server.env);
    expect(oldKey.stderr).toBe('hearth-id: ENCRYPTION_KEY does not match the key this database was created with; start Hearth ID with the original ENCRYPTION_KEY\n');
    const restarted = await start(database, { ENCRYPTION_KEY: generatedKey.trim() });
    expect(await kids(restarted)).toEqual(published);
  });
});
