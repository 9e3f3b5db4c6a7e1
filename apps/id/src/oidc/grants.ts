import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds } from '../db/database.js';

/** What a person granted one app: when first and last, and the scopes across their grants. */
export interface GrantSummary {
  clientId: string;
  /** ISO time of the earliest grant still held. */
  grantedAt: string | null;
  scopes: string[];
}

/**
 * The apps a person has granted access to, read from the provider's stored grants (one per
 * sign-in session and app). Expired grants are left out: the provider no longer honours them.
 */
export async function grantsOfUser(db: Kysely<DB>, userId: string): Promise<GrantSummary[]> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select(['client_id', 'payload'])
    .where('model', '=', 'Grant')
    .where('account_id', '=', userId)
    .where('client_id', 'is not', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', epochSeconds())]))
    .execute();
  const byClient = new Map<string, { iat: number | null; scopes: Set<string> }>();
  for (const row of rows) {
    let payload: { iat?: unknown; openid?: { scope?: unknown } } = {};
    try {
      payload = JSON.parse(row.payload) as typeof payload;
    } catch {
      // A row the provider could not read either; it still names the app, which can be revoked.
    }
    const summary = byClient.get(row.client_id!) ?? { iat: null, scopes: new Set<string>() };
    const iat = typeof payload.iat === 'number' ? payload.iat : null;
    if (iat !== null && (summary.iat === null || iat < summary.iat)) summary.iat = iat;
    if (typeof payload.openid?.scope === 'string') for (const scope of payload.openid.scope.split(' ')) if (scope) summary.scopes.add(scope);
    byClient.set(row.client_id!, summary);
  }
  return [...byClient].map(([clientId, { iat, scopes }]) => ({
    clientId,
    grantedAt: iat === null ? null : new Date(iat * 1000).toISOString(),
    scopes: [...scopes].sort(),
  }));
}
