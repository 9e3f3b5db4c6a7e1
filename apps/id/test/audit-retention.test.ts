import { afterAll, describe, expect, it } from 'vitest';
import { epochSeconds } from '../src/db/database.js';
import { sweepExpiredRecords } from '../src/maintenance.js';
import { DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from './support/server.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

async function auditAges(server: TestServer, ages: number[]): Promise<void> {
  for (const age of ages) {
    await server.ctx.database.db
      .insertInto('audit_log')
      .values({ created_at: daysAgo(age), event: 'sign_in', user_id: null, actor_id: null, ip: null, user_agent: null, data: JSON.stringify({ age }) })
      .execute();
  }
}

async function remainingAges(server: TestServer): Promise<number[]> {
  const rows = await server.ctx.database.db.selectFrom('audit_log').select('data').orderBy('id').execute();
  return rows.map((row) => (JSON.parse(row.data) as { age?: number }).age).filter((age): age is number => age !== undefined);
}

describe.each(DB_PROVIDERS)('the maintenance job on %s', (provider) => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });
  const start = async (env: Record<string, string> = {}) => {
    const server = await startTestServer({ provider, env });
    servers.push(server);
    return server;
  };

  it('prunes audit entries older than 90 days by default, and everything else that expired', async () => {
    const server = await start();
    const { db } = server.ctx.database;
    await auditAges(server, [400, 91, 89, 1, 0]);

    const { user } = await signedInUser(server);
    await signedInUser(server); // a live session, kept
    await db.updateTable('sessions').set({ expires_at: epochSeconds() - 60 }).where('user_id', '=', user.id).execute();
    await db.insertInto('webauthn_challenges').values([
      { challenge: 'expired', purpose: 'authentication', user_id: null, expires_at: epochSeconds() - 1 },
      { challenge: 'live', purpose: 'authentication', user_id: null, expires_at: epochSeconds() + 300 },
    ]).execute();
    await db.insertInto('one_time_access_tokens').values([
      { token_hash: 'expired', user_id: user.id, created_at: daysAgo(1), expires_at: epochSeconds() - 1 },
      { token_hash: 'live', user_id: user.id, created_at: daysAgo(0), expires_at: epochSeconds() + 3600 },
    ]).execute();
    await db.insertInto('rate_limit_hits').values([
      { key: 'expired', hits: 3, reset_at: Date.now() - 1000 },
      { key: 'live', hits: 3, reset_at: Date.now() + 60_000 },
    ]).execute();

    const payload = (id: string, expiresAt: number | null) => ({
      model: 'Interaction', id, payload: '{}', grant_id: null, user_code: null, uid: null, expires_at: expiresAt, consumed_at: null, account_id: null, client_id: null,
    });
    await db.insertInto('oidc_payloads').values([payload('expired', epochSeconds() - 1), payload('live', epochSeconds() + 600), payload('kept', null)]).execute();

    await sweepExpiredRecords(server.ctx);

    expect(await remainingAges(server)).toEqual([89, 1, 0]);
    expect((await db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Interaction').orderBy('id').execute()).map((row) => row.id)).toEqual(['kept', 'live']);
    expect(await db.selectFrom('sessions').select('user_id').execute()).toHaveLength(1);
    expect((await db.selectFrom('webauthn_challenges').select('challenge').execute()).map((row) => row.challenge)).toEqual(['live']);
    expect((await db.selectFrom('one_time_access_tokens').select('token_hash').execute()).map((row) => row.token_hash)).toEqual(['live']);
    expect((await db.selectFrom('rate_limit_hits').select('key').execute()).map((row) => row.key)).toEqual(['live']);

    // Every table's rows are judged at the same moment, the one the job passes on.
    await sweepExpiredRecords(server.ctx, new Date(Date.now() + 2 * DAY_MS));
    expect(await db.selectFrom('sessions').select('user_id').execute()).toHaveLength(0);
    expect(await db.selectFrom('webauthn_challenges').select('challenge').execute()).toEqual([]);
    expect(await db.selectFrom('one_time_access_tokens').select('token_hash').execute()).toEqual([]);
    expect(await db.selectFrom('rate_limit_hits').select('key').execute()).toEqual([]);
    expect((await db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Interaction').execute()).map((row) => row.id)).toEqual(['kept']);
    // Two days on, the entry of 89 days is past the 90.
    expect(await remainingAges(server)).toEqual([1, 0]);
  });

  it('keeps AUDIT_LOG_RETENTION_DAYS days, and everything with 0', async () => {
    const week = await start({ AUDIT_LOG_RETENTION_DAYS: '7' });
    await auditAges(week, [30, 8, 6]);
    await sweepExpiredRecords(week.ctx);
    expect(await remainingAges(week)).toEqual([6]);

    const forever = await start({ AUDIT_LOG_RETENTION_DAYS: '0' });
    await auditAges(forever, [3650, 400, 1]);
    await sweepExpiredRecords(forever.ctx);
    expect(await remainingAges(forever)).toEqual([3650, 400, 1]);
  });
});
