import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations.js';
import type { DB } from '../src/db/schema.js';
import { anyColumnContains } from '../src/db/search.js';
import { createUser, deleteUser, findUserByUsername, listUsers, updateUser, type UserInput } from '../src/users/users.js';
import { runCli } from './support/cli.js';
import { api, DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from './support/server.js';

const SEARCHED = ['username', 'email', 'first_name', 'last_name', 'display_name'];

/** What the search answered before the index: every user whose columns LIKE the term, by username. */
async function scanned(db: Kysely<DB>, term: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where(anyColumnContains(db, SEARCHED, term.trim().toLowerCase()))
    .orderBy(sql`lower(username)`)
    .execute();
  return rows.map((row) => row.id);
}

/** Every page of a search, in order, as listUsers answers it (by page number and by keyset). */
async function searched(db: Kysely<DB>, term: string, pageSize: number): Promise<{ byPage: string[]; byKeyset: string[]; totals: number[] }> {
  const byPage: string[] = [];
  const byKeyset: string[] = [];
  const totals: number[] = [];
  for (let page = 1; ; page += 1) {
    const result = await listUsers(db, { search: term, page, pageSize });
    totals.push(result.total);
    byPage.push(...result.users.map((user) => user.id));
    if (result.users.length < pageSize) break;
  }
  let after: string | undefined;
  for (;;) {
    const result = await listUsers(db, { search: term, pageSize, after });
    totals.push(result.total);
    byKeyset.push(...result.users.map((user) => user.id));
    if (result.users.length < pageSize) break;
    after = result.users.at(-1)!.username;
  }
  return { byPage, byKeyset, totals };
}

// Names with non-ASCII case (which SQLite's LIKE does not fold and the trigram index does),
// LIKE's wildcards as plain characters, FTS5 query syntax, and many hits for one term.
const PEOPLE: UserInput[] = [
  { username: 'emile', firstName: 'Émile', lastName: 'Zola', email: 'emile@example.org' },
  { username: 'emile2', firstName: 'émile', lastName: 'ZOLA' },
  { username: 'EMILE3', displayName: 'ÉMILE the third' },
  { username: 'kelvin', lastName: '\u212Aelvin', firstName: 'William' },
  { username: 'strasse', displayName: 'Straße 12', email: 'strasse@example.org' },
  { username: 'istanbul', displayName: 'İstanbul Ltd' },
  { username: 'percent', displayName: '100% sure', email: 'p_c@example.org' },
  { username: 'under_score', firstName: 'Under', lastName: 'Score' },
  { username: 'quoted', displayName: 'say "hi" AND NEAR(x) * -y: ^z' },
  { username: 'back.slash', displayName: 'back\\slash' },
  { username: 'spaced', displayName: 'two words' },
  ...Array.from({ length: 45 }, (_, i) => ({ username: `smith.${String(i).padStart(2, '0')}`, firstName: i % 2 ? 'John' : 'Jane', lastName: i % 3 ? 'Smith' : 'Smithson', email: `s${i}@smith.example` })),
];

const TERMS = [
  'e', 'é', 'É', 'em', '%', '_', '\\', '10', 'mi', // under three characters: the scan
  'emi', 'émi', 'ÉMI', 'émile', 'ZOLA', 'kelvin', 'elvin', 'straße', 'STRASSE', 'i̇st', 'İst', 'istanbul',
  '100%', '0% s', 'p_c', 'r_s', '_sc', 'back\\s', '"hi"', 'say "hi', 'and near', 'near(x)', '* -y', ': ^z', 'o w',
  'smith', 'SMITH', 'smithson', 'ith', 'example', '@example.org', 'nobody-at-all', '  smith  ',
];

describe('user search on SQLite: the trigram index answers exactly as the scan', () => {
  let server: TestServer;
  const db = () => server.ctx.database.db;

  beforeAll(async () => {
    server = await startTestServer({ provider: 'sqlite' });
    for (const person of PEOPLE) await createUser(db(), person);
  });
  afterAll(async () => server?.stop());

  async function expectSameAsScan() {
    for (const term of TERMS) {
      const expected = await scanned(db(), term);
      const { byPage, byKeyset, totals } = await searched(db(), term, 7);
      expect({ term, ids: byPage }).toEqual({ term, ids: expected });
      expect({ term, ids: byKeyset }).toEqual({ term, ids: expected });
      expect({ term, totals: [...new Set(totals)] }).toEqual({ term, totals: [expected.length] });
    }
  }

  /** The index holds every user's searched columns, no more, and FTS5 finds it consistent. */
  async function expectIndexInStep() {
    const columns = sql.join(SEARCHED.map((column) => sql.ref(column)));
    const missing = await sql`select id, ${columns} from users except select user_id, ${columns} from users_search`.execute(db());
    const extra = await sql`select user_id, ${columns} from users_search except select id, ${columns} from users`.execute(db());
    expect(missing.rows).toEqual([]);
    expect(extra.rows).toEqual([]);
    await sql`insert into users_search_fts (users_search_fts, rank) values ('integrity-check', 1)`.execute(db());
  }

  it('finds the same users, in the same order and pages, for every kind of term', async () => {
    await expectIndexInStep();
    await expectSameAsScan();
    // The cases the index must not get wrong, spelled out.
    const usernames = async (search: string) => (await listUsers(db(), { search, pageSize: 100 })).users.map((user) => user.username);
    expect(await usernames('émile')).toEqual(['emile2']); // LIKE does not fold É: neither does the search
    expect(await usernames('kelvin')).toEqual(['kelvin']); // the Kelvin sign is not a K to LIKE
    expect(await usernames('100%')).toEqual(['percent']);
    expect(await usernames('say "hi')).toEqual(['quoted']);
  });

  it('follows creates, renames and deletes through the domain functions', async () => {
    const renamed = await createUser(db(), { username: 'zebedee', firstName: 'Zebedee', lastName: 'Spring' });
    const deleted = await createUser(db(), { username: 'dougal', displayName: 'Dougal the dog' });
    expect((await listUsers(db(), { search: 'zebed' })).users.map((user) => user.id)).toEqual([renamed.id]);
    await updateUser(db(), renamed.id, { username: 'florence', firstName: 'Florence', lastName: 'Émond', email: 'flo@example.org' });
    await deleteUser(db(), deleted.id);
    await updateUser(db(), (await findUserByUsername(db(), 'smith.07'))!.id, { displayName: 'No longer a smith' });
    expect((await listUsers(db(), { search: 'zebed' })).total).toBe(0);
    expect((await listUsers(db(), { search: 'dougal' })).total).toBe(0);
    expect((await listUsers(db(), { search: 'flo@exa' })).users.map((user) => user.id)).toEqual([renamed.id]);
    expect((await listUsers(db(), { search: 'Floren' })).users.map((user) => user.id)).toEqual([renamed.id]);
    await expectIndexInStep();
    await expectSameAsScan();
  });

  it('follows users made from the command line and over the admin API', async () => {
    const cli = await runCli(['create-user', '--username', 'from-the-cli', '--first-name', 'Ermintrude', '--last-name', 'Cow'], server.env);
    expect(cli.stderr).toContain('from-the-cli');
    expect(cli.code).toBe(0);
    const { cookie } = await signedInUser(server, { username: 'search-admin', isAdmin: true });
    const made = await api(server, 'POST', '/api/admin/users', { cookie, body: { username: 'from-the-api', firstName: 'Brian', lastName: 'Snail' } });
    expect(made.status).toBe(201);
    const found = await api(server, 'GET', '/api/admin/users?search=ermintr', { cookie });
    expect(found.body.users.map((user: { username: string }) => user.username)).toEqual(['from-the-cli']);
    const renamed = await api(server, 'PATCH', `/api/admin/users/${made.body.user.id}`, { cookie, body: { lastName: 'Escargot' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await api(server, 'GET', '/api/admin/users?search=snail', { cookie })).body.total).toBe(0);
    expect((await api(server, 'GET', '/api/admin/users?search=escargot', { cookie })).body.users[0].username).toBe('from-the-api');
    expect((await api(server, 'DELETE', `/api/admin/users/${made.body.user.id}`, { cookie })).status).toBe(204);
    expect((await api(server, 'GET', '/api/admin/users?search=escargot', { cookie })).body.total).toBe(0);
    await expectIndexInStep();
  }, 180_000);

  it('answers terms of three characters or more from the index, shorter ones from the scan', async () => {
    const hidden = await createUser(db(), { username: 'qq-hidden', displayName: 'Quentin Quill' });
    // Take the user out of the index by hand: only a search that reads the index misses them.
    await sql`delete from users_search where user_id = ${hidden.id}`.execute(db());
    expect((await listUsers(db(), { search: 'quill' })).total).toBe(0);
    expect((await listUsers(db(), { search: 'qq' })).users.map((user) => user.id)).toEqual([hidden.id]);
    await deleteUser(db(), hidden.id);
    await expectIndexInStep();
  });
});

describe('migration 0010_user_search_index on a database with users', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-id-search-index-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fills the index from the users already there', async () => {
    const database = await openDatabase({ db: { provider: 'sqlite', connectionString: join(dir, 'hearth-id.db') } });
    try {
      const { db } = database;
      // A database from before the migration: its objects gone, its users written meanwhile.
      for (const trigger of ['users_search_insert', 'users_search_update', 'users_search_delete']) await sql`drop trigger ${sql.id(trigger)}`.execute(db);
      await sql`drop table users_search_fts`.execute(db);
      await sql`drop table users_search`.execute(db);
      await db.deleteFrom('schema_migrations' as never).where('name' as never, '=', '0010_user_search_index' as never).execute();
      const older = await createUser(db, { username: 'older', firstName: 'Ottoline', lastName: 'Bright' });

      await migrateToLatest(db, 'sqlite');
      expect((await listUsers(db, { search: 'ottol' })).users.map((user) => user.id)).toEqual([older.id]);
      const newer = await createUser(db, { username: 'newer', firstName: 'Ottoline', lastName: 'Dark' });
      expect((await listUsers(db, { search: 'ottol' })).users.map((user) => user.id)).toEqual([newer.id, older.id]);
    } finally {
      await database.close();
    }
  });
});

describe.each(DB_PROVIDERS)('user search follows renames and deletes (%s)', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider });
  });
  afterAll(async () => server?.stop());

  it('finds a user by the new name, not the old, and no longer once deleted', async () => {
    const db = server.ctx.database.db;
    const user = await createUser(db, { username: 'wilberforce', displayName: 'Wilberforce Pye' });
    await updateUser(db, user.id, { username: 'archibald', displayName: 'Archibald Pye' });
    expect((await listUsers(db, { search: 'wilberf' })).total).toBe(0);
    expect((await listUsers(db, { search: 'ARCHIB' })).users.map((found) => found.id)).toEqual([user.id]);
    await deleteUser(db, user.id);
    expect((await listUsers(db, { search: 'archib' })).total).toBe(0);
  });
});
