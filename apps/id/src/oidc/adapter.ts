import { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds } from '../db/database.js';
import { findProviderClientMetadata } from '../clients/clients.js';

/**
 * Stores everything `oidc-provider` keeps (sessions, interactions, codes, tokens, grants)
 * in one table, so any replica on the same database can carry on any flow. Clients are
 * not stored here: they are read from the clients domain.
 */
export function createAdapterClass(db: Kysely<DB>) {
  return class KyselyAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        // Who and which client a row belongs to, so access changes can revoke it (oidc/revocation.ts).
        account_id: payload.accountId ?? null,
        client_id: payload.clientId ?? null,
        expires_at: expiresIn ? epochSeconds() + expiresIn : null,
        consumed_at: null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ model: this.model, id, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await findProviderClientMetadata(db, id)) as AdapterPayload | undefined;
      return this.findBy('id', id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at', 'expires_at'])
        .where('model', '=', this.model)
        .where(column, '=', value)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.expires_at !== null && Number(row.expires_at) <= epochSeconds()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Number(row.consumed_at) };
    }

    /**
     * Claims a code, refresh token or pushed request with one conditional statement, so that
     * of any number of racing redemptions (on any database, on any replica) exactly one wins.
     * The library checks `consumed` and marks it in two steps; a request that passed its check
     * but loses the claim here is a reuse, and is treated like one: the grant goes, with every
     * token the winner got (their grant lookups fail even if the winner saves them later).
     */
    async consume(id: string): Promise<void> {
      const claimed = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: epochSeconds() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) > 0) return;
      if (this.model === 'PushedAuthorizationRequest') {
        throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      }
      const row = await db
        .selectFrom('oidc_payloads')
        .select('grant_id')
        .where('model', '=', this.model)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row?.grant_id) await revokeGrant(db, row.grant_id);
      throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`);
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // The library calls this once per token model; an Interaction also carries a grantId
      // and must outlive a sign-out that happens in the middle of it (another person signs in).
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('grant_id', '=', grantId).execute();
    }
  };
}

/** Removes a grant and everything issued under it, as the library does when it detects reuse. */
async function revokeGrant(db: Kysely<DB>, grantId: string): Promise<void> {
  await db
    .deleteFrom('oidc_payloads')
    .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
    .execute();
}

/** Removes expired protocol state; run periodically. */
export async function deleteExpiredPayloads(db: Kysely<DB>): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('expires_at', '<', epochSeconds()).execute();
}
