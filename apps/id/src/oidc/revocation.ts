import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/*
 * Revocation of what the provider stored for a person: their grants, the codes and tokens
 * issued under them, and (when the person is disabled or deleted) their provider sessions.
 * The token endpoint, userinfo and introspection look the grant up on every use, so a
 * revoked grant ends every token issued under it.
 */

/** Removes every row of the provider's state belonging to a user: grants, codes, tokens and sessions. */
export async function revokeAllOfUser(db: Kysely<DB>, userId: string): Promise<void> {
  const grantIds = await grantIdsOf(db, userId);
  await db
    .deleteFrom('oidc_payloads')
    .where((eb) => eb.or([eb('account_id', '=', userId), ...(grantIds.length > 0 ? [eb('grant_id', 'in', grantIds)] : [])]))
    .execute();
}

/** Removes a user's grants for one client, and the codes and tokens issued under them. */
export async function revokeUserClient(db: Kysely<DB>, userId: string, clientId: string): Promise<void> {
  const grantIds = await grantIdsOf(db, userId, clientId);
  await db
    .deleteFrom('oidc_payloads')
    .where((eb) =>
      eb.or([
        eb.and([eb('account_id', '=', userId), eb('client_id', '=', clientId)]),
        ...(grantIds.length > 0 ? [eb('grant_id', 'in', grantIds)] : []),
      ]),
    )
    .execute();
}

/** Removes every grant, code and token of a client, for everyone. */
export async function revokeAllOfClient(db: Kysely<DB>, clientId: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
}

/** The clients a user holds a grant, code or token for. */
export async function clientIdsHeldBy(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select('client_id')
    .distinct()
    .where('account_id', '=', userId)
    .where('client_id', 'is not', null)
    .execute();
  return rows.map((row) => row.client_id!);
}

/** The users holding a grant, code or token for a client. */
export async function userIdsHolding(db: Kysely<DB>, clientId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select('account_id')
    .distinct()
    .where('client_id', '=', clientId)
    .where('account_id', 'is not', null)
    .execute();
  return rows.map((row) => row.account_id!);
}

async function grantIdsOf(db: Kysely<DB>, userId: string, clientId?: string): Promise<string[]> {
  let query = db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Grant').where('account_id', '=', userId);
  if (clientId !== undefined) query = query.where('client_id', '=', clientId);
  return (await query.execute()).map((row) => row.id);
}
