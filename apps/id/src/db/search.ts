import { SqliteAdapter, sql } from 'kysely';
import type { Expression, Kysely, SqlBool } from 'kysely';

/** A `LIKE` pattern matching `term` anywhere, with `\`, `%` and `_` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function isSqlite(db: Kysely<any>): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Whether any of these columns contains `term`, ignoring case. SQLite's `LIKE` already ignores
 * ASCII case (all its `lower()` folds) and is three times faster without `lower()` around each
 * column; PostgreSQL's `LIKE` needs the `lower()`.
 */
export function anyColumnContains(db: Kysely<any>, columns: string[], term: string): Expression<SqlBool> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const pattern = containsPattern(term);
  const folded = isSqlite(db);
  const tests = columns.map((column) =>
    folded
      ? sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`
      : sql<SqlBool>`lower(coalesce(${sql.ref(column)}, '')) like ${pattern} escape '\\'`,
  );
  return sql<SqlBool>`(${sql.join(tests, sql` or `)})`;
}

/** Page numbers and sizes as every admin list takes them. */
export function pageWindow(options: { page?: number; pageSize?: number }, defaults: { pageSize: number; maxPageSize: number }) {
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const pageSize = Math.min(defaults.maxPageSize, Math.max(1, Math.floor(options.pageSize ?? defaults.pageSize)));
  return { page, pageSize, offset: (page - 1) * pageSize };
}
