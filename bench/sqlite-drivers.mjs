#!/usr/bin/env node
// SQLite drivers under the same Kysely code: the statements one refresh grant costs Hearth ID
// (find and consume the old refresh token, store the new one and an access token, read the
// user, their groups, the client and its allowed groups, write an audit row), repeated on
// Hearth ID's real schema, in WAL mode, one driver after the other in the same process.
//   node bench/sqlite-drivers.mjs            (after npm run build)
// better-sqlite3 is no longer a dependency; to compare with it, install it anywhere and point
// BENCH_BETTER_SQLITE3 at the package folder, e.g. /tmp/bs3/node_modules/better-sqlite3.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from '../apps/id/dist/db/migrations.js';
import { NodeSqliteDatabase, nodeSqliteDialect } from '../apps/id/dist/db/sqlite-dialect.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRAGMAS = ['journal_mode = WAL', 'busy_timeout = 5000', 'foreign_keys = ON', 'synchronous = NORMAL'];

/** The same bounded cache Hearth's node:sqlite adapter has, for better-sqlite3. */
function cachingBetterSqlite(database) {
  const cache = new Map();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (cache.size >= 256) cache.delete(cache.keys().next().value);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

const drivers = [];
if (process.env.BENCH_BETTER_SQLITE3) {
  const BetterSqlite = createRequire(import.meta.url)(process.env.BENCH_BETTER_SQLITE3);
  const open = (file) => {
    const database = new BetterSqlite(file);
    for (const pragma of PRAGMAS) database.pragma(pragma);
    return database;
  };
  drivers.push(
    { name: 'better-sqlite3, a statement prepared per query (Kysely\'s SqliteDialect as is)', dialect: (file) => new SqliteDialect({ database: open(file) }) },
    { name: 'better-sqlite3, statement cache', dialect: (file) => new SqliteDialect({ database: cachingBetterSqlite(open(file)) }) },
  );
}
const openNode = (file, statementCacheSize) => {
  const database = new NodeSqliteDatabase(file, { busyTimeout: 5000, statementCacheSize });
  database.exec(PRAGMAS.map((p) => `PRAGMA ${p};`).join(' '));
  return nodeSqliteDialect(database);
};
drivers.push(
  { name: 'node:sqlite, a statement prepared per query (cache of 1)', dialect: (file) => openNode(file, 1) },
  { name: 'node:sqlite, statement cache (Hearth ID)', dialect: (file) => openNode(file) },
);

async function seed(db) {
  const now = new Date().toISOString();
  await db.insertInto('users').values({ id: 'u1', created_at: now, updated_at: now, username: 'alice', email: 'alice@example.com', first_name: 'Alice', last_name: null, display_name: 'Alice', is_admin: 0, email_verified: 1 }).execute();
  for (let g = 0; g < 5; g += 1) {
    await db.insertInto('user_groups').values({ id: `g${g}`, created_at: now, updated_at: now, name: `Group ${g}`, friendly_name: `group${g}` }).execute();
    await db.insertInto('user_group_members').values({ user_id: 'u1', group_id: `g${g}` }).execute();
  }
  await db.insertInto('oidc_clients').values({ id: 'c1', created_at: now, updated_at: now, name: 'Dashboard', callback_urls: '["http://localhost:4000"]', logout_callback_urls: '[]', is_public: 1, pkce_enabled: 1, trusted: 1, secret_hash: null }).execute();
  await db.insertInto('oidc_client_allowed_groups').values({ client_id: 'c1', group_id: 'g0' }).execute();
}

const payload = JSON.stringify({ accountId: 'u1', clientId: 'c1', scope: 'openid profile email groups offline_access', grantId: 'grant', iat: 0, exp: 0 });

async function refresh(db, oldId) {
  const now = Math.floor(Date.now() / 1000);
  const newId = randomUUID();
  await db.selectFrom('oidc_payloads').selectAll().where('model', '=', 'RefreshToken').where('id', '=', oldId).executeTakeFirst();
  await db.updateTable('oidc_payloads').set({ consumed_at: now }).where('model', '=', 'RefreshToken').where('id', '=', oldId).where('consumed_at', 'is', null).executeTakeFirst();
  for (const [model, id] of [['RefreshToken', newId], ['AccessToken', randomUUID()]]) {
    await db
      .insertInto('oidc_payloads')
      .values({ model, id, payload, grant_id: 'grant', user_code: null, uid: null, expires_at: now + 3600, consumed_at: null, account_id: 'u1', client_id: 'c1' })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ payload, expires_at: now + 3600 }))
      .execute();
  }
  await db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirst();
  await db.selectFrom('user_groups').innerJoin('user_group_members', 'user_group_members.group_id', 'user_groups.id').select(['user_groups.friendly_name']).where('user_group_members.user_id', '=', 'u1').execute();
  await db.selectFrom('oidc_clients').selectAll().where('id', '=', 'c1').executeTakeFirst();
  await db.selectFrom('oidc_client_allowed_groups').select('group_id').where('client_id', '=', 'c1').execute();
  await db.insertInto('audit_log').values({ created_at: new Date().toISOString(), event: 'token_refresh', user_id: 'u1', actor_id: null, ip: '127.0.0.1', user_agent: 'bench', data: '{}' }).execute();
  return newId;
}

async function measure(driver) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-sqlite-bench-'));
  const db = new Kysely({ dialect: driver.dialect(join(dir, 'hearth-id.db')) });
  try {
    await migrateToLatest(db, 'sqlite');
    await seed(db);
    let token = randomUUID();
    for (let i = 0; i < 200; i += 1) token = await refresh(db, token); // warm-up
    const started = performance.now();
    let count = 0;
    while (performance.now() - started < SECONDS * 1000) {
      token = await refresh(db, token);
      count += 1;
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`Node.js ${process.version}; ${SECONDS} s per driver, ${ROUNDS} rounds (drivers interleaved); refreshes per second (9 statements each):`);
const results = new Map(drivers.map((d) => [d.name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const driver of drivers) results.get(driver.name).push(await measure(driver));
}
const baseline = Math.max(...results.get(drivers[0].name));
console.log(`| driver | refreshes/s (best of ${ROUNDS}) | all rounds | ratio to the first row |\n|---|---:|---|---:|`);
for (const [name, rates] of results) {
  const best = Math.max(...rates);
  console.log(`| ${name} | ${Math.round(best)} | ${rates.map((r) => Math.round(r)).join(', ')} | ${(best / baseline).toFixed(2)} |`);
}
