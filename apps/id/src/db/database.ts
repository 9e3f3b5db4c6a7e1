import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Config, DbProvider } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import { migrateToLatest } from './migrations.js';
import type { DB } from './schema.js';
import { NodeSqliteDatabase, nodeSqliteDialect } from './sqlite-dialect.js';

export interface Database {
  db: Kysely<DB>;
  provider: DbProvider;
  /** Runs fn in a transaction that holds a named lock, so racing requests (even on other replicas) take turns. */
  withLock<T>(name: string, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /** Answers whether the database responds. */
  ping(): Promise<boolean>;
  /** The PostgreSQL connection pool now, for the metrics; null on SQLite, which has one connection and no pool. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections open, idle or in use. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

/** PostgreSQL hands back bigint and timestamps in shapes the rest of the code should not see. */
function postgresTypes(types: typeof pg.types): pg.CustomTypesConfig {
  const parsers: Record<number, (value: string) => unknown> = {
    20: (value) => Number(value), // int8, also count(*)
    1114: (value) => new Date(`${value.replace(' ', 'T')}Z`).toISOString(), // timestamp
    1184: (value) => new Date(value).toISOString(), // timestamptz
  };
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      parsers[oid] ?? types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

function lockKey(name: string): number {
  let hash = 0;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

export async function openDatabase(config: Pick<Config, 'db'>): Promise<Database> {
  const { provider, connectionString } = config.db;
  let db: Kysely<DB>;
  let poolStats: () => PoolStats | null = () => null;
  if (provider === 'sqlite') {
    const file = resolve(connectionString);
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw new ConfigError(`DB_CONNECTION_STRING: cannot create the folder for ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
    let sqlite: NodeSqliteDatabase;
    try {
      // Writers on other connections (the sqlite3 recipe, a second process) wait up to 5 s.
      sqlite = new NodeSqliteDatabase(file, { busyTimeout: 5000 });
      sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;');
    } catch (error) {
      throw new ConfigError(`DB_CONNECTION_STRING: cannot open the SQLite database ${file} (${(error as Error).message})`);
    }
    db = new Kysely<DB>({ dialect: nodeSqliteDialect(sqlite) });
  } else {
    // The driver loads only for PostgreSQL: on SQLite it would be memory for nothing (about 9 MB loaded alone).
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString, types: postgresTypes(pg.types), max: 10, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. /healthz reports outages.
    });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max });
  }

  const database: Database = {
    db,
    provider,
    async withLock(name, fn) {
      return db.transaction().execute(async (trx) => {
        if (provider === 'postgres') await sql`select pg_advisory_xact_lock(${lockKey(name)})`.execute(trx);
        // SQLite: one connection, and Kysely runs one transaction at a time on it.
        return fn(trx);
      });
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    poolStats: () => poolStats(),
    async close() {
      await db.destroy();
    },
  };

  try {
    await migrateToLatest(db, provider);
  } catch (error) {
    await db.destroy().catch(() => {});
    if (error instanceof ConfigError) throw error; // already says what to do
    const reason = (error as Error).message;
    throw new ConfigError(
      provider === 'postgres'
        ? `cannot prepare the PostgreSQL database (${reason}); check DB_CONNECTION_STRING`
        : `cannot prepare the SQLite database ${resolve(connectionString)} (${reason})`,
    );
  }
  return database;
}

/**
 * Runs fn in a transaction, or in the caller's when db already is one: a domain function that
 * needs several statements to hold together can then also be one step of a larger change
 * (a provisioning file is applied whole or not at all).
 */
export async function inTransaction<T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Current time as epoch seconds, the unit of every expires_at column. */
export function epochSeconds(date = Date.now()): number {
  return Math.floor(date / 1000);
}

/** ISO timestamp for created_at/updated_at columns. */
export function nowIso(): string {
  return new Date().toISOString();
}

const CANONICAL_ISO = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Reads a timestamp column: ISO from our writes, or SQLite's "YYYY-MM-DD HH:MM:SS" (UTC) from hand-written SQL. */
export function isoTimestamp(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  // What nowIso() wrote comes back as it went in: nothing to parse (lists read hundreds).
  if (value.length === 24 && CANONICAL_ISO.test(value)) return value;
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}
