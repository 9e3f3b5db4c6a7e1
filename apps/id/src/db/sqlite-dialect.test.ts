import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../errors.js';
import { openDatabase, type Database } from './database.js';
import { NodeSqliteDatabase, nodeSqliteDialect } from './sqlite-dialect.js';

interface TestDB {
  items: { id: number; name: string };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function itemsDb(cacheSize?: number): Promise<{ sqlite: NodeSqliteDatabase; db: Kysely<TestDB> }> {
  const sqlite = new NodeSqliteDatabase(join(dir, 'items.db'), { statementCacheSize: cacheSize });
  const db = new Kysely<TestDB>({ dialect: nodeSqliteDialect(sqlite) });
  await sql`create table items (id integer primary key, name text not null unique)`.execute(db);
  return { sqlite, db };
}

describe('Kysely on node:sqlite', () => {
  it('reuses one prepared statement per SQL text and keeps the cache bounded', async () => {
    const { sqlite, db } = await itemsDb(3);
    const before = sqlite.prepared;
    for (let i = 1; i <= 20; i += 1) await db.insertInto('items').values({ id: i, name: `item ${i}` }).execute();
    for (let i = 1; i <= 20; i += 1) {
      const row = await db.selectFrom('items').select(['id', 'name']).where('id', '=', i).executeTakeFirstOrThrow();
      expect(row).toEqual({ id: i, name: `item ${i}` });
    }
    // One insert and one select shape: two statements, however many times they ran.
    expect(sqlite.prepared - before).toBe(2);
    // More shapes than the cache holds: the oldest go, the answers stay right.
    for (let n = 1; n <= 6; n += 1) {
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      const rows = await db.selectFrom('items').select('id').where('id', 'in', ids).orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual(ids);
    }
    expect(sqlite.cachedStatements).toBe(3);
    await db.destroy();
  });

  it('answers writes with affected rows and returned columns as better-sqlite3 did', async () => {
    const { db } = await itemsDb();
    const inserted = await db.insertInto('items').values({ id: 7, name: 'seven' }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(7n);
    const updated = await db.updateTable('items').set({ name: 'SEVEN' }).where('id', '=', 7).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
    const returned = await db.deleteFrom('items').where('id', '=', 7).returning(['id', 'name']).execute();
    expect(returned).toEqual([{ id: 7, name: 'SEVEN' }]);
    await db.destroy();
  });

  it('reports a duplicate as a unique violation', async () => {
    const { db } = await itemsDb();
    await db.insertInto('items').values({ id: 1, name: 'one' }).execute();
    const duplicateName = await db.insertInto('items').values({ id: 2, name: 'one' }).execute().catch((error: unknown) => error);
    const duplicateKey = await db.insertInto('items').values({ id: 1, name: 'uno' }).execute().catch((error: unknown) => error);
    expect(isUniqueViolation(duplicateName)).toBe(true);
    expect(isUniqueViolation(duplicateKey)).toBe(true);
    expect(isUniqueViolation(new Error('NOT NULL constraint failed'))).toBe(false);
    await db.destroy();
  });
});

describe('the SQLite database Hearth ID opens', () => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('is in WAL mode with foreign keys on', async () => {
    database = await openDatabase({ db: { provider: 'sqlite', connectionString: join(dir, 'hearth-id.db') } });
    const { rows: mode } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
    const { rows: keys } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
    const { rows: busy } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db);
    expect(mode[0]?.journal_mode).toBe('wal');
    expect(keys[0]?.foreign_keys).toBe(1);
    expect(busy[0]?.timeout).toBe(5000);
  });

  it('waits for another process that holds the write lock instead of failing with SQLITE_BUSY', async () => {
    const file = join(dir, 'hearth-id.db');
    database = await openDatabase({ db: { provider: 'sqlite', connectionString: file } });
    // Another process (the sqlite3 recipe, a CLI command) takes the write lock for a moment.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DatabaseSync } from 'node:sqlite';
         const db = new DatabaseSync(${JSON.stringify(file)});
         db.exec("BEGIN IMMEDIATE; INSERT INTO user_groups (id, created_at, updated_at, name, friendly_name) VALUES ('g1', 'now', 'now', 'One', 'one')");
         console.log('locked');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
         db.exec('COMMIT');
         db.close();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
    for await (const line of createInterface({ input: holder.stdout! })) if (line === 'locked') break;

    await database.db
      .insertInto('user_groups')
      .values({ id: 'g2', created_at: 'now', updated_at: 'now', name: 'Two', friendly_name: 'two' })
      .execute();
    expect(await exited).toBe(0);
    const groups = await database.db.selectFrom('user_groups').select('id').orderBy('id').execute();
    expect(groups.map((g) => g.id)).toEqual(['g1', 'g2']);
  });
});
