/**
 * A new client's secret is shown once. Creating a client moves to its own page, so the
 * secret waits here for that page to take it; it is never stored anywhere else.
 */
let pending: { clientId: string; secret: string | null } | null = null;

export function holdCreated(clientId: string, secret: string | null): void {
  pending = { clientId, secret };
}

/** `{secret}` when this client was just created here (secret null for a public client), else null. */
export function takeCreated(clientId: string): { secret: string | null } | null {
  if (pending?.clientId !== clientId) return null;
  const { secret } = pending;
  pending = null;
  return { secret };
}
