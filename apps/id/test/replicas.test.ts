import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { seedScenario } from './support/fixtures.js';
import { createTestDatabase, startTestServer, type TestServer } from './support/server.js';

function kidOf(jwt: string): string {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid;
}

describe('two Hearth ID replicas on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    a = await startTestServer({ database });
    // Same APP_URL, as behind a load balancer; the test talks to each replica's own port.
    b = await startTestServer({ database, env: { APP_URL: a.url } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  it('serves the same keys, and a sign-in started on one replica finishes on the other', async () => {
    const jwksA = await (await fetch(new URL('/.well-known/jwks.json', a.url))).json();
    const jwksB = await (await fetch(new URL('/.well-known/jwks.json', b.url))).json();
    expect(jwksB).toEqual(jwksA);

    const scenario = await seedScenario(a);
    const onB = (url: string) => url.replace(a.url, b.url);
    const rp = await oidc.discovery(new URL(a.url), scenario.client.id, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: (url: string, options: oidc.CustomFetchOptions) => fetch(onB(url), options as RequestInit),
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const browser = new TestBrowser(a.url);
    const start = await browser.get(
      oidc.buildAuthorizationUrl(rp, {
        redirect_uri: 'http://localhost:4000/',
        scope: 'openid profile groups',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      }),
    );
    const uid = start.location!.pathname.split('/')[2];

    browser.via = b.url;
    expect((await browser.get(`/interaction/${uid}/details`)).json().prompt.name).toBe('login');
    browser.via = a.url;
    const options = (await browser.post(`/interaction/${uid}/passkey-options`)).json();
    browser.via = b.url;
    const login = await browser.post(`/interaction/${uid}/passkey`, { response: scenario.authenticator.authenticate(options) });
    expect(login.status).toBe(200);
    browser.via = a.url;
    const consentPage = await browser.follow(login.json().redirectTo);
    const consentUid = consentPage.url.pathname.split('/')[2];
    browser.via = b.url;
    const consent = await browser.post(`/interaction/${consentUid}/consent`);
    browser.via = a.url;
    const { url: callback } = await browser.follow(consent.json().redirectTo);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // The code is redeemed at replica B, the user info read from it too.
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()).toMatchObject({ iss: a.url, sub: scenario.user.id, groups: ['admins'] });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id);
    expect(userinfo.preferred_username).toBe('pocketid-admin');
  });

  it('answers /healthz with 503 while the database is gone', async () => {
    expect((await fetch(new URL('/healthz', b.url))).status).toBe(200);
    const other = await startTestServer({ provider: 'postgres' });
    const dbName = new URL(other.env.DB_CONNECTION_STRING!).pathname.slice(1);
    const pg = await import('pg');
    const admin = new pg.default.Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    await admin.query(`drop database ${dbName} with (force)`);
    await admin.end();
    const response = await fetch(new URL('/healthz', other.url));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'database unavailable' });
    await other.stop().catch(() => {});
  });
});

describe('signing key rotation', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => {});
    await database?.drop();
  });

  it('signs with the new key after a restart and keeps publishing the old one', async () => {
    const first = await startTestServer({ database });
    servers.push(first);
    const scenario = await seedScenario(first);
    const rp = await oidc.discovery(new URL(first.url), scenario.client.id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const { authorize } = await import('./support/oidc-flow.js');
    const before = await authorize(rp, new TestBrowser(first.url), scenario.authenticator, { redirectUri: 'http://localhost:4000/' });
    const oldToken = (await oidc.authorizationCodeGrant(rp, before.callbackUrl, { pkceCodeVerifier: before.codeVerifier!, expectedState: before.state, expectedNonce: before.nonce })).id_token!;
    const oldKid = kidOf(oldToken);

    const rotated = await runCli(['key-rotate'], first.env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`retired ${oldKid}`);
    const newKid = /New signing key ([\w-]+)/.exec(rotated.stdout)![1]!;

    await first.stop();
    servers = [];
    const second = await startTestServer({ database });
    servers.push(second);
    const jwks = (await (await fetch(new URL('/.well-known/jwks.json', second.url))).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();

    scenario.authenticator.origin = second.url;
    const rp2 = await oidc.discovery(new URL(second.url), scenario.client.id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const after = await authorize(rp2, new TestBrowser(second.url), scenario.authenticator, { redirectUri: 'http://localhost:4000/' });
    const newToken = (await oidc.authorizationCodeGrant(rp2, after.callbackUrl, { pkceCodeVerifier: after.codeVerifier!, expectedState: after.state, expectedNonce: after.nonce })).id_token!;
    expect(kidOf(newToken)).toBe(newKid);
  });
});
