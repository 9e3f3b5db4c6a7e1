import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, regenerateClientSecret, updateClient } from '../src/clients/clients.js';
import { addGroupMember, createGroup, deleteGroup, removeGroupMember, setGroupMembers, setUserGroups, updateGroup } from '../src/groups/groups.js';
import { updateUser } from '../src/users/users.js';
import { listAudit } from '../src/audit/audit.js';
import { rotateSigningKey } from '../src/keys/signing-keys.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, createTestDatabase, startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';
const OTHER_CALLBACK = 'http://localhost:4000/other';

/*
 * Client records and accounts are kept in memory for a moment (every token request reads
 * them); a change made through Hearth ID must still hold from the very next request.
 */
describe.each(DB_PROVIDERS)('a client or account change takes effect on the next request on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
  });
  afterAll(async () => server?.stop());

  const db = () => server.ctx.database.db;

  async function authorizeStatus(clientId: string, redirectUri: string): Promise<number> {
    const url = new URL('/authorize', server.url);
    url.search = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    await response.arrayBuffer();
    return response.status;
  }

  it('redirect URIs', async () => {
    const { client } = await createClient(db(), { name: 'Redirects', callbackUrls: [CALLBACK], isPublic: true });
    expect(await authorizeStatus(client.id, CALLBACK)).toBe(303);
    expect(await authorizeStatus(client.id, OTHER_CALLBACK)).toBe(400);
    await updateClient(db(), client.id, { callbackUrls: [OTHER_CALLBACK] });
    expect(await authorizeStatus(client.id, CALLBACK)).toBe(400);
    expect(await authorizeStatus(client.id, OTHER_CALLBACK)).toBe(303);
  });

  it('the secret', async () => {
    const { client, secret } = await createClient(db(), { name: 'Secret', callbackUrls: [CALLBACK] });
    const introspect = async (clientSecret: string) => {
      const response = await fetch(new URL('/token/introspection', server.url), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=unknown',
      });
      await response.arrayBuffer();
      return response.status;
    };
    expect(await introspect(secret!)).toBe(200);
    const renewed = await regenerateClientSecret(db(), client.id);
    expect(await introspect(secret!)).toBe(401);
    expect(await introspect(renewed)).toBe(200);
  });

  it('allowed groups, for tokens and for a new sign-in', async () => {
    const family = await createGroup(db(), { name: 'Family', friendlyName: 'family' });
    const guests = await createGroup(db(), { name: 'Guests', friendlyName: 'guests' });
    const kids = await createGroup(db(), { name: 'Kids', friendlyName: 'kids' });
    await setUserGroups(db(), scenario.user.id, [scenario.admins.id, family.id]);
    const { client } = await createClient(db(), { name: 'Limited', callbackUrls: [CALLBACK], isPublic: true, allowedGroupIds: [family.id, kids.id] });
    const rp = await relyingParty(server, client.id);
    const browser = new TestBrowser(server.url);
    const signIn = () => authorize(rp, browser, scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid groups offline_access', prompt: 'consent' });
    const result = await signIn();
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: result.codeVerifier!, expectedState: result.state, expectedNonce: result.nonce });
    const userinfo = async () => (await fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${tokens.access_token}` } })).status;
    expect(await userinfo()).toBe(200);

    // Deleting a group the client allows (by cascade) changes its record too.
    await deleteGroup(db(), kids.id);
    expect(await userinfo()).toBe(200);

    await updateClient(db(), client.id, { allowedGroupIds: [guests.id] });
    expect(await userinfo()).toBe(401);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const refused = await signIn();
    expect(refused.callbackUrl.searchParams.get('error')).toBe('access_denied');

    await updateClient(db(), client.id, { allowedGroupIds: [family.id] });
    const again = await signIn();
    expect(again.callbackUrl.searchParams.get('code')).toBeTruthy();
  });

  it('writes the token_issued audit entries that wait in a batch before the log is read', async () => {
    const { client } = await createClient(db(), { name: 'Audited', callbackUrls: [CALLBACK], isPublic: true });
    const rp = await relyingParty(server, client.id);
    const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK });
    await oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: result.codeVerifier!, expectedState: result.state, expectedNonce: result.nonce });
    const { entries } = await listAudit(db(), { userId: scenario.user.id });
    expect(entries.some((entry) => entry.event === 'token_issued' && entry.data.client === client.id)).toBe(true);
  });

  // A person with their groups is kept for a second too (every token request and userinfo
  // call reads one): a change made through Hearth ID shows in the very next answer.
  it('names, groups, memberships and renamed groups', async () => {
    const household = await createGroup(db(), { name: 'Household', friendlyName: 'household' });
    const media = await createGroup(db(), { name: 'Media', friendlyName: 'media' });
    await setUserGroups(db(), scenario.user.id, [household.id]);
    const { client } = await createClient(db(), { name: 'Account', callbackUrls: [CALLBACK], isPublic: true });
    const rp = await relyingParty(server, client.id);
    const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid profile groups offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: result.codeVerifier!, expectedState: result.state, expectedNonce: result.nonce });
    const userinfo = async () => {
      const response = await fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as { name: string; preferred_username: string; groups: string[] };
    };
    expect((await userinfo()).groups).toEqual(['household']);

    await updateUser(db(), scenario.user.id, { displayName: 'Renamed Person' });
    expect((await userinfo()).name).toBe('Renamed Person');

    await addGroupMember(db(), media.id, scenario.user.id);
    expect((await userinfo()).groups).toEqual(['household', 'media']);

    await updateGroup(db(), media.id, { friendlyName: 'jellyfin' });
    expect((await userinfo()).groups).toEqual(['household', 'jellyfin']);

    await removeGroupMember(db(), household.id, scenario.user.id);
    expect((await userinfo()).groups).toEqual(['jellyfin']);

    await setGroupMembers(db(), household.id, [scenario.user.id]);
    expect((await userinfo()).groups).toEqual(['household', 'jellyfin']);

    // The refresh grant's ID token carries the same, at once.
    await setUserGroups(db(), scenario.user.id, [media.id]);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.claims()?.groups).toEqual(['jellyfin']);
  });
});

describe('discovery and the key set', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => {});
    await database?.drop();
  });

  async function get(server: TestServer, path: string, origin?: string) {
    const response = await fetch(new URL(path, server.url), { headers: origin ? { origin } : {} });
    const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
    return { status: response.status, headers, body: await response.text() };
  }

  it('answer the same bytes and headers every time, with CORS for each request’s origin', async () => {
    const server = await startTestServer({ database });
    servers.push(server);
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const first = await get(server, path);
      expect(first.status).toBe(200);
      expect(first.headers['access-control-allow-origin']).toBe('*');
      expect(first.headers.vary).toBe('Origin');
      expect(first.headers['x-content-type-options']).toBe('nosniff');
      expect(await get(server, path)).toEqual(first);
      const fromApp = await get(server, path, 'https://app.example');
      expect(fromApp.headers['access-control-allow-origin']).toBe('https://app.example');
      expect({ ...fromApp, headers: { ...fromApp.headers, 'access-control-allow-origin': '*' } }).toEqual(first);
    }
    await server.stop();
    servers.pop();
  });

  it('publish the new key after a rotation and a restart', async () => {
    const first = await startTestServer({ database });
    servers.push(first);
    const kids = async (server: TestServer) => (JSON.parse((await get(server, '/.well-known/jwks.json')).body) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const before = await kids(first);
    expect(await kids(first)).toEqual(before);
    const { kid } = await rotateSigningKey(first.ctx.database, first.ctx.keys.dataKey);
    await first.stop();
    servers.pop();

    const second = await startTestServer({ database });
    servers.push(second);
    expect(await kids(second)).toEqual([kid, ...before]);
    const discovery = JSON.parse((await get(second, '/.well-known/openid-configuration')).body) as { jwks_uri: string };
    expect(discovery.jwks_uri).toBe(`${second.url}/.well-known/jwks.json`);
  });
});
