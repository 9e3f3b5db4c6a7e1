import type { FastifyRateLimitStoreCtor, RateLimitPluginOptions } from '@fastify/rate-limit';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

/**
 * Route config for endpoints that sign people in or create accounts: at most
 * SIGN_IN_RATE_LIMIT requests a minute per client address (0 turns the limit off).
 * Behind a proxy, set TRUST_PROXY so the address is the visitor's, not the proxy's.
 */
export function signInRateLimit(config: Pick<Config, 'signInRateLimit'>) {
  return {
    rateLimit: config.signInRateLimit > 0 ? { max: config.signInRateLimit, timeWindow: '1 minute' } : (false as const),
  };
}

/**
 * Options for @fastify/rate-limit. On PostgreSQL the counters live in the database, so
 * replicas behind one balancer share one limit (a client spreading its attempts over them
 * gets no more tries). SQLite means one process: its counters stay in memory.
 */
export function rateLimitPluginOptions(database: Pick<Database, 'db' | 'provider'>): RateLimitPluginOptions {
  return database.provider === 'postgres' ? { global: false, store: databaseStore(database.db) } : { global: false };
}

/** One counter per route (method and URL pattern) and client key, as the in-memory store keeps them. */
interface RouteParams {
  routeInfo?: { method?: string | string[]; url?: string };
  max?: unknown;
  timeWindow?: unknown;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

function namespaceOf(params: RouteParams): string {
  const { method, url } = params.routeInfo ?? {};
  if (method && url) return `${[method].flat().join(',')} ${url}`;
  return `limiter ${String(params.max)}/${String(params.timeWindow)}`;
}

/**
 * Counts a hit in one statement: a new key or an expired window starts at 1, otherwise the
 * count goes up. The upsert takes the row's lock, so concurrent hits on any replica all count.
 */
async function countHit(db: Kysely<DB>, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const now = Date.now();
  const row = await db
    .insertInto('rate_limit_hits')
    .values({ key, hits: 1, reset_at: now + windowMs })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        hits: sql<number>`case when rate_limit_hits.reset_at <= ${now} then 1 else rate_limit_hits.hits + 1 end`,
        reset_at: sql<number>`case when rate_limit_hits.reset_at <= ${now} then excluded.reset_at else rate_limit_hits.reset_at end`,
      }),
    )
    .returning(['hits', 'reset_at'])
    .executeTakeFirstOrThrow();
  return { current: Number(row.hits), ttl: Math.max(0, Number(row.reset_at) - now) };
}

async function readHits(db: Kysely<DB>, key: string): Promise<{ current: number; ttl: number }> {
  const now = Date.now();
  const row = await db.selectFrom('rate_limit_hits').select(['hits', 'reset_at']).where('key', '=', key).executeTakeFirst();
  if (!row || Number(row.reset_at) <= now) return { current: 0, ttl: 0 };
  return { current: Number(row.hits), ttl: Number(row.reset_at) - now };
}

/** A store class for the plugin, which calls child() with the route's merged options (its typings say RouteOptions). */
function databaseStore(db: Kysely<DB>): FastifyRateLimitStoreCtor {
  return class DatabaseRateLimitStore {
    private readonly namespace: string;

    constructor(params: RouteParams, namespace = 'global') {
      void params;
      this.namespace = namespace;
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      countHit(db, `${this.namespace} ${key}`, timeWindow).then((result) => callback(null, result), (error: Error) => callback(error));
    }

    read(key: string, callback: Callback): void {
      readHits(db, `${this.namespace} ${key}`).then((result) => callback(null, result), (error: Error) => callback(error));
    }

    child(params: RouteParams): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore(params, namespaceOf(params));
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

/** Forgets counters whose window has ended (the maintenance job calls this). */
export async function deleteExpiredRateLimitHits(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db.deleteFrom('rate_limit_hits').where('reset_at', '<=', now.getTime()).execute();
}

/**
 * Counts the token-endpoint requests of one client address that have not (yet) succeeded, by
 * fixed window: `attempt` counts a request as it arrives and answers the count so far, `succeed`
 * takes it back once it has succeeded. One counter per address and window; on PostgreSQL a
 * request costs one statement as it arrives, which also takes back the successes before it.
 */
export interface UnsuccessfulRequestCounter {
  attempt(address: string, window: number): Promise<number>;
  succeed(address: string, window: number): Promise<void>;
}

/**
 * On PostgreSQL in the database (shared by replicas: a client spreading its guesses over them
 * gets no more tries), kept until the window has ended; on SQLite, one process, in memory.
 */
export function unsuccessfulRequestCounter(database: Pick<Database, 'db' | 'provider'>, windowMs: number): UnsuccessfulRequestCounter {
  return database.provider === 'postgres' ? databaseCounter(database.db, windowMs) : memoryCounter();
}

function memoryCounter(): UnsuccessfulRequestCounter {
  let current = Number.NEGATIVE_INFINITY;
  let counts = new Map<string, number>();
  let previous = new Map<string, number>();
  // Requests that straddle a window's end may still take back a success there: keep one window back.
  const countsOf = (window: number): Map<string, number> | undefined => {
    if (window > current) {
      previous = window === current + 1 ? counts : new Map();
      counts = new Map();
      current = window;
    }
    return window === current ? counts : window === current - 1 ? previous : undefined;
  };
  return {
    async attempt(address, window) {
      const map = countsOf(window);
      const count = (map?.get(address) ?? 0) + 1;
      map?.set(address, count);
      return count;
    },
    async succeed(address, window) {
      const map = countsOf(window);
      const count = map?.get(address);
      if (count === undefined) return;
      if (count <= 1) map!.delete(address);
      else map!.set(address, count - 1);
    },
  };
}

/**
 * The counters in the database. What one process asks for one counter within the same turn
 * of the event loop (a server redeeming codes for many users at once, from one address) goes
 * to the database as one statement that adds the difference, as if the requests had come one
 * after another: each attempt gets the count it would have seen. A success is not written on
 * its own: it waits (at most SUCCESS_DELAY_MS) for the next attempt from its address, whose
 * statement takes it back too, so an app refreshing tokens one after another costs one
 * statement a request, not two. Another replica sees a success taken back that much later.
 */
export const SUCCESS_DELAY_MS = 100;

function databaseCounter(db: Kysely<DB>, windowMs: number): UnsuccessfulRequestCounter {
  interface Pending {
    window: number;
    attempts: ((count: number) => void)[];
    successes: number;
    failed: ((error: unknown) => void)[];
    /** Set while only successes wait: the flush that writes them if no attempt comes first. */
    timer?: NodeJS.Timeout;
  }
  const pending = new Map<string, Pending>();
  const keyOf = (address: string, window: number) => `token-unsuccessful ${window} ${address}`;

  async function apply(key: string, batch: Pending): Promise<number> {
    const delta = batch.attempts.length - batch.successes;
    if (batch.attempts.length === 0) {
      await db.updateTable('rate_limit_hits').set({ hits: sql<number>`hits - ${batch.successes}` }).where('key', '=', key).execute();
      return 0;
    }
    // The upsert takes the row's lock, so concurrent requests on any replica all count.
    const row = await db
      .insertInto('rate_limit_hits')
      .values({ key, hits: delta, reset_at: (batch.window + 1) * windowMs })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ hits: sql<number>`rate_limit_hits.hits + ${delta}` }))
      .returning('hits')
      .executeTakeFirstOrThrow();
    return Number(row.hits);
  }

  /** The statement last sent for each counter: the next one waits for it, so that they apply in order. */
  const sent = new Map<string, Promise<unknown>>();

  function flush(key: string): void {
    const batch = pending.get(key)!;
    pending.delete(key);
    const before = sent.get(key);
    const statement = before ? before.then(() => apply(key, batch)) : apply(key, batch);
    const done = statement.catch(() => {});
    sent.set(key, done);
    void done.then(() => {
      if (sent.get(key) === done) sent.delete(key);
    });
    statement.then(
      (total) => {
        const first = total - batch.attempts.length + 1;
        batch.attempts.forEach((resolve, i) => resolve(first + i));
      },
      (error: unknown) => {
        // A success that could not be written leaves the count one too high until the window ends.
        for (const reject of batch.failed) reject(error);
      },
    );
  }

  function batchOf(address: string, window: number): [string, Pending] {
    const key = keyOf(address, window);
    let batch = pending.get(key);
    if (!batch) pending.set(key, (batch = { window, attempts: [], successes: 0, failed: [] }));
    return [key, batch];
  }

  return {
    attempt(address, window) {
      return new Promise((resolve, reject) => {
        const [key, batch] = batchOf(address, window);
        if (batch.attempts.length === 0) {
          // The first attempt of this turn: written at its end, with any successes waiting.
          clearTimeout(batch.timer);
          batch.timer = undefined;
          setImmediate(flush, key);
        }
        batch.attempts.push(resolve);
        batch.failed.push(reject);
      });
    },
    async succeed(address, window) {
      const [key, batch] = batchOf(address, window);
      batch.successes += 1;
      if (batch.attempts.length === 0 && !batch.timer) batch.timer = setTimeout(flush, SUCCESS_DELAY_MS, key).unref();
    },
  };
}
