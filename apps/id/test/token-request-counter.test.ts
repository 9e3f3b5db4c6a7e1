import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { SUCCESS_DELAY_MS, unsuccessfulRequestCounter } from '../src/http/rate-limit.js';
import { createTestDatabase } from './support/server.js';

const WINDOW_MS = 60_000;

/*
 * The token endpoints' counters on PostgreSQL: shared by replicas, so in the database, but an
 * app's server refreshing tokens one request after another must not pay two statements each.
 */
describe('the unsuccessful token-request counter on PostgreSQL', () => {
  let testDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
  let database: Database;
  let statements = 0;
  const counting: KyselyPlugin = {
    transformQuery(args) {
      statements += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres');
    database = await openDatabase({ db: { provider: 'postgres', connectionString: testDatabase.env.DB_CONNECTION_STRING! } });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  const hits = async (address: string, window: number) =>
    Number((await database.db.selectFrom('rate_limit_hits').select('hits').where('key', '=', `token-unsuccessful ${window} ${address}`).executeTakeFirst())?.hits ?? 0);

  it('takes a success back in the statement of the next attempt from its address', async () => {
    const counter = unsuccessfulRequestCounter({ db: database.db.withPlugin(counting), provider: 'postgres' }, WINDOW_MS);
    const window = Math.floor(Date.now() / WINDOW_MS);
    statements = 0;
    const seen: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      seen.push(await counter.attempt('198.51.100.1', window));
      await counter.succeed('198.51.100.1', window);
    }
    // Each request saw only itself running: the successes before it were taken back.
    expect(seen).toEqual(Array.from({ length: 20 }, () => 1));
    expect(statements).toBe(20);
    // The last success is written on its own a moment later.
    await expect.poll(() => hits('198.51.100.1', window)).toBe(0);
    expect(statements).toBe(21);
  });

  it('still counts every failure, and a success only once', async () => {
    const counter = unsuccessfulRequestCounter(database, WINDOW_MS);
    const window = Math.floor(Date.now() / WINDOW_MS);
    const seen: number[] = [];
    for (let i = 0; i < 3; i += 1) seen.push(await counter.attempt('198.51.100.2', window));
    await counter.succeed('198.51.100.2', window);
    seen.push(await counter.attempt('198.51.100.2', window));
    expect(seen).toEqual([1, 2, 3, 3]);
    // Another replica (another counter on the same database) sees the same count.
    const replica = unsuccessfulRequestCounter(database, WINDOW_MS);
    expect(await replica.attempt('198.51.100.2', window)).toBe(4);
    expect(await hits('198.51.100.2', window)).toBe(4);
  });

  it('applies a success written on its own before an attempt that comes right after', async () => {
    const counter = unsuccessfulRequestCounter(database, WINDOW_MS);
    const window = Math.floor(Date.now() / WINDOW_MS);
    const seen: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      await counter.attempt('198.51.100.4', window);
      await counter.succeed('198.51.100.4', window);
      // Wake up as the success is being written on its own, and attempt at once.
      await new Promise((resolve) => setTimeout(resolve, SUCCESS_DELAY_MS));
      seen.push(await counter.attempt('198.51.100.4', window));
      await counter.succeed('198.51.100.4', window);
    }
    expect(seen).toEqual(Array.from({ length: 25 }, () => 1));
  });

  it('counts simultaneous attempts one after another, with the successes that came first', async () => {
    const counter = unsuccessfulRequestCounter(database, WINDOW_MS);
    const window = Math.floor(Date.now() / WINDOW_MS);
    await counter.attempt('198.51.100.3', window);
    await counter.attempt('198.51.100.3', window);
    await counter.succeed('198.51.100.3', window);
    const counts = await Promise.all(Array.from({ length: 4 }, () => counter.attempt('198.51.100.3', window)));
    expect(counts).toEqual([2, 3, 4, 5]);
  });
});
