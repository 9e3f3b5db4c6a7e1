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

/** Unique-constraint violations look different on each database; both mean "already taken". */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
