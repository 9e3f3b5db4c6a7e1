import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { grantsOfUser } from '../oidc/grants.js';
import { revokeUserClient } from '../oidc/revocation.js';
import { logoPath } from './launch.js';

/** An app on a person's home page. */
export interface MyApp {
  id: string;
  name: string;
  /** Null when the administrator set none: the app is listed, without a link. */
  launchUrl: string | null;
  logoUrl: string | null;
}

/** An app the person has granted access to their account. */
export interface GrantedApp extends MyApp {
  grantedAt: string | null;
  scopes: string[];
}

/**
 * The apps a person may sign in to, by the rule the provider enforces (clients/clients.ts,
 * isUserAllowedForClient): a client with no allowed groups is open to everyone, one with
 * allowed groups only to their members.
 */
export async function appsForUser(db: Kysely<DB>, userId: string): Promise<MyApp[]> {
  const rows = await db
    .selectFrom('oidc_clients as c')
    .select(['c.id', 'c.name', 'c.launch_url', 'c.logo_hash'])
    .where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('oidc_client_allowed_groups as a').select('a.client_id').whereRef('a.client_id', '=', 'c.id'))),
        eb.exists(
          eb
            .selectFrom('oidc_client_allowed_groups as a')
            .innerJoin('user_group_members as m', 'm.group_id', 'a.group_id')
            .select('a.client_id')
            .whereRef('a.client_id', '=', 'c.id')
            .where('m.user_id', '=', userId),
        ),
      ]),
    )
    .orderBy((eb) => eb.fn('lower', ['c.name']))
    .execute();
  return rows.map(toApp);
}

/** The apps a person has granted (consented to, or signed in to when trusted), with the client's name and logo. */
export async function grantedAppsOfUser(db: Kysely<DB>, userId: string): Promise<GrantedApp[]> {
  const grants = await grantsOfUser(db, userId);
  if (grants.length === 0) return [];
  const rows = await db
    .selectFrom('oidc_clients')
    .select(['id', 'name', 'launch_url', 'logo_hash'])
    .where('id', 'in', grants.map((grant) => grant.clientId))
    .execute();
  const clients = new Map(rows.map((row) => [row.id, toApp(row)]));
  // A grant of a deleted client is gone with it (clients.ts deleteClient); none is listed here.
  return grants
    .flatMap((grant) => {
      const app = clients.get(grant.clientId);
      return app ? [{ ...app, grantedAt: grant.grantedAt, scopes: grant.scopes }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Ends a person's grants to one app: its refresh and access tokens stop working, and the next sign-in asks again. */
export async function revokeMyGrant(db: Kysely<DB>, userId: string, clientId: string): Promise<void> {
  const held = await grantsOfUser(db, userId);
  if (!held.some((grant) => grant.clientId === clientId)) throw new DomainError('not_found', 'You have not granted this app access');
  await db.transaction().execute((trx) => revokeUserClient(trx, userId, clientId));
}

function toApp(row: { id: string; name: string; launch_url: string | null; logo_hash: string | null }): MyApp {
  return { id: row.id, name: row.name, launchUrl: row.launch_url, logoUrl: row.logo_hash ? logoPath(row.id, row.logo_hash) : null };
}
