import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

/**
 * Kysely on Node.js's built-in SQLite (`node:sqlite`): no native module to compile at install.
 * Kysely's SqliteDialect drives any database shaped like better-sqlite3's, so this is only the
 * thin adapter between the two shapes, plus a cache of prepared statements: Kysely prepares
 * every query it runs, and preparing the same SQL text again on each request was a tenth of a
 * refresh grant's CPU time.
 */

/** How many distinct SQL texts keep a prepared statement; Hearth runs about a hundred. */
const DEFAULT_CACHE_SIZE = 256;

export interface NodeSqliteOptions {
  /** Milliseconds a write waits for another connection's lock before SQLITE_BUSY (busy_timeout). */
  busyTimeout?: number;
  statementCacheSize?: number;
}

export class NodeSqliteStatement implements SqliteStatement {
  /** Whether the statement returns rows (a SELECT, or a write with RETURNING), as better-sqlite3 reports it. */
  readonly reader: boolean;

  constructor(private readonly statement: StatementSync) {
    this.reader = statement.columns().length > 0;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.statement.all(...(parameters as SQLInputValue[]));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.statement.run(...(parameters as SQLInputValue[]));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.statement.iterate(...(parameters as SQLInputValue[]));
  }
}

/** A DatabaseSync with the surface Kysely's SqliteDialect calls, and a bounded statement cache. */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly sqlite: DatabaseSync;
  readonly #statements = new Map<string, NodeSqliteStatement>();
  readonly #cacheSize: number;
  /** Statements compiled since opening (cache misses), for the tests and the benchmark. */
  prepared = 0;

  constructor(file: string, options: NodeSqliteOptions = {}) {
    this.sqlite = new DatabaseSync(file, { timeout: options.busyTimeout ?? 5000 });
    this.#cacheSize = Math.max(1, options.statementCacheSize ?? DEFAULT_CACHE_SIZE);
  }

  /**
   * Returns the cached statement for this SQL text, least recently used out first. Reuse is
   * safe: Kysely runs one query at a time on the connection, and node:sqlite resets a
   * statement when all() or run() returns.
   */
  prepare(sql: string): NodeSqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = new NodeSqliteStatement(this.sqlite.prepare(sql));
      this.prepared += 1;
      if (this.#statements.size >= this.#cacheSize) {
        const oldest = this.#statements.keys().next().value as string;
        this.#statements.delete(oldest);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /** Runs statements that need no parameters and return nothing (PRAGMAs at open). */
  exec(sql: string): void {
    this.sqlite.exec(sql);
  }

  /** Reads a PRAGMA's single value. */
  pragma(name: string): unknown {
    const row = this.sqlite.prepare(`PRAGMA ${name}`).get();
    return row ? Object.values(row)[0] : undefined;
  }

  get cachedStatements(): number {
    return this.#statements.size;
  }

  close(): void {
    this.#statements.clear();
    if (this.sqlite.isOpen) this.sqlite.close();
  }
}

export function nodeSqliteDialect(database: NodeSqliteDatabase): SqliteDialect {
  return new SqliteDialect({ database });
}
