import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../src/audit/audit.js';
import { claimsOf, setClaims } from '../src/custom-claims/custom-claims.js';
import { createGroup, deleteGroup, findGroupByFriendlyName, setUserGroups } from '../src/groups/groups.js';
import { applyProvisioning, formatLine } from '../src/provisioning/apply.js';
import { ProvisioningError, loadProvisioningFile } from '../src/provisioning/load.js';
import { deleteUser, findUserByUsername } from '../src/users/users.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';
const dir = mkdtempSync(join(tmpdir(), 'hearth-id-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DB_PROVIDERS)('custom claims on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
    rp = await relyingParty(server, scenario.client.id);
  });
  afterAll(async () => server?.stop());

  const db = () => server.ctx.database.db;
  const putClaims = (path: string, claims: { key: string; value: string }[]) =>
    api(server, 'PUT', `/api/admin/${path}/claims`, { cookie: scenario.cookie, body: { claims } });

  /** Signs the seeded admin in to the dashboard client with openid-client: its tokens, ID token claims and userinfo. */
  async function signIn(scope = 'openid profile email groups offline_access') {
    const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope, prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: result.codeVerifier!, expectedState: result.state, expectedNonce: result.nonce });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id);
    return { tokens, idToken: tokens.claims()!, userinfo };
  }

  it('puts a user’s and their groups’ claims in the ID token and userinfo, the user’s winning', async () => {
    const family = await createGroup(db(), { name: 'Family', friendlyName: 'family' });
    await setUserGroups(db(), scenario.user.id, [scenario.admins.id, family.id]);
    // Both groups set `team`: the group whose friendly name comes first ("admins") keeps it.
    expect((await putClaims(`groups/${scenario.admins.id}`, [{ key: 'immich_role', value: 'user' }, { key: 'immich_quota', value: '50' }, { key: 'team', value: 'red' }])).status).toBe(200);
    expect((await putClaims(`groups/${family.id}`, [{ key: 'team', value: 'blue' }, { key: 'tags', value: '["photos","films"]' }])).status).toBe(200);
    const saved = await putClaims(`users/${scenario.user.id}`, [{ key: 'immich_role', value: 'admin' }, { key: 'nickname_for_app', value: ' Poc ' }]);
    expect(saved.status).toBe(200);
    expect(saved.body.claims).toEqual([{ key: 'immich_role', value: 'admin' }, { key: 'nickname_for_app', value: 'Poc' }]);

    const expected = { immich_role: 'admin', immich_quota: 50, team: 'red', tags: ['photos', 'films'], nickname_for_app: 'Poc' };
    const { idToken, userinfo } = await signIn();
    expect(idToken).toMatchObject({ ...expected, preferred_username: 'pocketid-admin', groups: ['admins', 'family'] });
    expect(userinfo).toMatchObject({ ...expected, email: 'admin@example.com' });

    // The admin screens read them back in the order given.
    const read = await api(server, 'GET', `/api/admin/groups/${family.id}/claims`, { cookie: scenario.cookie });
    expect(read.body.claims).toEqual([{ key: 'team', value: 'blue' }, { key: 'tags', value: '["photos","films"]' }]);
    const { entries } = await listAudit(db(), { userId: scenario.user.id });
    expect(entries.find((entry) => entry.data.action === 'user.claims.set')?.data.keys).toEqual(['immich_role', 'nickname_for_app']);
  });

  it('releases them with the profile scope only', async () => {
    const { idToken, userinfo } = await signIn('openid email groups');
    expect(idToken.immich_role).toBeUndefined();
    expect(userinfo.immich_role).toBeUndefined();
    expect(idToken.groups).toEqual(['admins', 'family']);
  });

  it('refuses reserved and malformed names with a field error in words, and keeps what was saved', async () => {
    const before = await claimsOf(db(), { userId: scenario.user.id });
    const refused = async (claims: { key: string; value: string }[]) => {
      const response = await putClaims(`users/${scenario.user.id}`, claims);
      expect(response.status).toBe(400);
      return { field: response.body.field, message: response.body.message };
    };
    expect(await refused([{ key: 'immich_role', value: 'admin' }, { key: 'email', value: 'x@example.com' }])).toEqual({
      field: 'claims.1.key',
      message: '"email" is a standard claim that Hearth ID sets itself; choose another name',
    });
    expect((await refused([{ key: 'Groups', value: 'admins' }])).message).toBe('"Groups" is a standard claim that Hearth ID sets itself; choose another name');
    for (const key of ['sub', 'iss', 'aud', 'exp', 'nonce', 'auth_time', 'at_hash', 'sid', 'preferred_username', 'picture', 'updated_at']) {
      expect((await refused([{ key, value: 'x' }])).field).toBe('claims.0.key');
    }
    expect(await refused([{ key: '9lives', value: 'x' }])).toEqual({
      field: 'claims.0.key',
      message: 'Claim name must be 1 to 64 letters, digits or _ . : -, starting with a letter',
    });
    expect(await refused([{ key: 'role', value: 'a' }, { key: 'role', value: 'b' }])).toEqual({ field: 'claims.1.key', message: 'The claim "role" is given twice; keep one' });
    expect(await refused([{ key: 'role', value: '  ' }])).toEqual({ field: 'claims.0.value', message: 'Enter a value for "role"' });
    expect((await refused([{ key: 'role', value: 'x'.repeat(1001) }])).message).toBe('The value of "role" must be at most 1000 characters');
    expect(await claimsOf(db(), { userId: scenario.user.id })).toEqual(before);

    const missing = await putClaims('users/no-such-user', []);
    expect(missing.status).toBe(404);
  });

  it('takes a change into the very next token and userinfo answer', async () => {
    const { tokens } = await signIn();
    await putClaims(`users/${scenario.user.id}`, [{ key: 'immich_role', value: 'user' }, { key: 'immich_quota', value: '200' }]);
    expect(await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id)).toMatchObject({ immich_role: 'user', immich_quota: 200 });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ immich_role: 'user', immich_quota: 200, team: 'red' });

    // Cleared: the group's value shows through again.
    await putClaims(`users/${scenario.user.id}`, []);
    const again = await oidc.refreshTokenGrant(rp, refreshed.refresh_token!);
    expect(again.claims()).toMatchObject({ immich_role: 'user', immich_quota: 50 });
  });

  it('reads an account’s claims once a second at most: a change made around Hearth ID shows within that second', async () => {
    const { tokens } = await signIn();
    await putClaims(`users/${scenario.user.id}`, [{ key: 'immich_role', value: 'before' }]);
    const filled = Date.now();
    expect(await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id)).toMatchObject({ immich_role: 'before' });
    // Written past the domain (as another replica would): this process is not told.
    await db().updateTable('custom_claims').set({ value: 'after' }).where('user_id', '=', scenario.user.id).where('key', '=', 'immich_role').execute();
    const next = await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id);
    // The kept claims answer while they are younger than a second.
    if (next.immich_role === 'after') expect(Date.now() - filled).toBeGreaterThanOrEqual(1000);
    else expect(next.immich_role).toBe('before');
    await expect.poll(async () => (await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id)).immich_role, { timeout: 5_000 }).toBe('after');
    await putClaims(`users/${scenario.user.id}`, []);
  });

  it('go with their user or group when it is deleted', async () => {
    const gone = await createGroup(db(), { name: 'Short-lived', friendlyName: 'short-lived' });
    const { user } = await signedInUser(server, { username: 'short-lived' });
    await setClaims(db(), { groupId: gone.id }, [{ key: 'immich_role', value: 'user' }]);
    await setClaims(db(), { userId: user.id }, [{ key: 'immich_role', value: 'admin' }]);
    await deleteGroup(db(), gone.id);
    await deleteUser(db(), user.id);
    const left = await db().selectFrom('custom_claims').select('key').where((eb) => eb.or([eb('group_id', '=', gone.id), eb('user_id', '=', user.id)])).execute();
    expect(left).toEqual([]);
  });

  it('applies claims from the provisioning file, and a second time changes nothing', async () => {
    const file = join(dir, `claims-${provider}.yaml`);
    const write = (quota: number) =>
      writeFileSync(
        file,
        `groups:
  - friendlyName: photos
    name: Photo people
    claims: { immich_quota: ${quota}, immich_role: user }
users:
  - username: carol
    groups: [photos]
    claims:
      immich_role: admin
      labels: [a, b]
`,
      );
    const apply = async () => (await applyProvisioning(server.ctx.database, await loadProvisioningFile(file, {}))).lines.map(formatLine);
    write(100);
    expect(await apply()).toEqual(['group "photos": created', 'user "carol": created']);
    const carol = (await findUserByUsername(db(), 'carol'))!;
    const photos = (await findGroupByFriendlyName(db(), 'photos'))!;
    expect(await claimsOf(db(), { userId: carol.id })).toEqual([{ key: 'immich_role', value: 'admin' }, { key: 'labels', value: '["a","b"]' }]);
    expect(await claimsOf(db(), { groupId: photos.id })).toEqual([{ key: 'immich_quota', value: '100' }, { key: 'immich_role', value: 'user' }]);
    expect(await apply()).toEqual(['group "photos": unchanged', 'user "carol": unchanged']);
    write(250);
    expect(await apply()).toEqual(['group "photos": changed (claims)', 'user "carol": unchanged']);
    expect(await claimsOf(db(), { groupId: photos.id })).toContainEqual({ key: 'immich_quota', value: '250' });

    writeFileSync(file, 'users:\n  - username: carol\n    claims: { email: carol@example.com, "1x": y }\n');
    const problem = await loadProvisioningFile(file, {}).catch((error: unknown) => error);
    expect(problem).toBeInstanceOf(ProvisioningError);
    expect((problem as ProvisioningError).problems).toEqual([
      'users[0] "carol": claims.email is a standard claim that Hearth ID sets itself; choose another name',
      'users[0] "carol": claims.1x must be 1 to 64 letters, digits or _ . : -, starting with a letter',
    ]);
  });
});
