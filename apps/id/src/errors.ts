/**
 * What a domain function reports when a request cannot be carried out. The HTTP edge maps
 * the code to a status (not_found 404, conflict 409, invalid 400, forbidden 403, gone 410).
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'invalid' | 'forbidden' | 'gone' | 'unauthorized';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** SQLite's extended result codes SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (node:sqlite's errcode). */
const SQLITE_UNIQUE_ERRCODES = new Set([2067, 1555]);

/** Unique-constraint violations look different on each database; both mean "already taken". */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errcode?: number };
  return e?.code === '23505' || (e?.code === 'ERR_SQLITE_ERROR' && SQLITE_UNIQUE_ERRCODES.has(e.errcode ?? 0));
}
