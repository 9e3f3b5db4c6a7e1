import { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { epochSeconds } from '../db/database.js';
import { findProviderClientMetadata } from '../clients/clients.js';
import { precompile } from '../db/precompiled.js';

/**
 * Stores everything `oidc-provider` keeps (sessions, interactions, codes, tokens, grants)
 * in one table, so any replica on the same database can carry on any flow. Clients are
 * not stored here: they are read from the clients domain.
 */
export function createAdapterClass(db: Kysely<DB>) {
  const queries = adapterQueries(db);
  return class KyselyAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await queries.upsert({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        // Who and which client a row belongs to, so access changes can revoke it (oidc/revocation.ts).
        account_id: payload.accountId ?? null,
        client_id: payload.clientId ?? null,
        expires_at: expiresIn ? epochSeconds() + expiresIn : null,
        consumed_at: null,
      });
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
      const [row] = (await queries.findBy[column]({ model: this.model, value })).rows;
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
      const claimed = await queries.consume({ model: this.model, id, consumed_at: epochSeconds() });
      if (Number(claimed.numAffectedRows ?? 0) > 0) return;
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
      await queries.destroy({ model: this.model, id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // The library calls this once per token model; an Interaction also carries a grantId
      // and must outlive a sign-out that happens in the middle of it (another person signs in).
      await queries.revokeByGrantId({ model: this.model, grant_id: grantId });
    }
  };
}

const ROW_COLUMNS = ['payload', 'grant_id', 'user_code', 'uid', 'account_id', 'client_id', 'expires_at', 'consumed_at'] as const;

/** The statements every token request runs, built and compiled once (precompiled.ts). */
function adapterQueries(db: Kysely<DB>) {
  const findBy = (column: 'id' | 'uid' | 'user_code') =>
    precompile<'model' | 'value', { payload: string; consumed_at: number | null; expires_at: number | null }>(db, ['model', 'value'], (v) =>
      db.selectFrom('oidc_payloads').select(['payload', 'consumed_at', 'expires_at']).where('model', '=', v.model).where(column, '=', v.value),
    );
  return {
    upsert: precompile(db, ['model', 'id', ...ROW_COLUMNS], (v) => {
      // Stand-ins in place of values: the types describe what runs later, not these strings.
      const row = Object.fromEntries(ROW_COLUMNS.map((column) => [column, v[column]])) as unknown as Omit<Insertable<DB['oidc_payloads']>, 'model' | 'id'>;
      return db
        .insertInto('oidc_payloads')
        .values({ model: v.model, id: v.id, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row));
    }),
    findBy: { id: findBy('id'), uid: findBy('uid'), user_code: findBy('user_code') },
    consume: precompile(db, ['model', 'id', 'consumed_at'], (v) =>
      db
        .updateTable('oidc_payloads')
        .set({ consumed_at: v.consumed_at as unknown as number })
        .where('model', '=', v.model)
        .where('id', '=', v.id)
        .where('consumed_at', 'is', null),
    ),
    destroy: precompile(db, ['model', 'id'], (v) => db.deleteFrom('oidc_payloads').where('model', '=', v.model).where('id', '=', v.id)),
    revokeByGrantId: precompile(db, ['model', 'grant_id'], (v) =>
      db.deleteFrom('oidc_payloads').where('model', '=', v.model).where('grant_id', '=', v.grant_id),
    ),
  };
}

/** Removes a grant and everything issued under it, as the library does when it detects reuse. */
async function revokeGrant(db: Kysely<DB>, grantId: string): Promise<void> {
  await db
    .deleteFrom('oidc_payloads')
    .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
    .execute();
}

/** Removes expired protocol state (the maintenance job calls this); state without an expiry stays. */
export async function deleteExpiredPayloads(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('expires_at', '<', epochSeconds(now.getTime())).execute();
}
