// Reads the claims of a JWT without checking it: the browser only needs to know when its own
// ID token runs out, so that it renews before the server has to refuse it. The server
// verifies every token it receives.

export function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Whether the token is still good for at least `marginSeconds`. A token without `exp` counts
 * as good: the server decides.
 */
export function tokenIsFresh(token: string, marginSeconds = 10, nowMs = Date.now()): boolean {
  const claims = jwtClaims(token);
  if (!claims) return false;
  const exp = claims.exp;
  if (typeof exp !== 'number') return true;
  return exp * 1000 > nowMs + marginSeconds * 1000;
}
