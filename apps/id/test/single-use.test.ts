import * as oidc from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { createTestDatabase, DB_PROVIDERS, startTestServer, type TestServer } from './support/server.js';

// openid-client sends the callback as a URL object prints it, so with a trailing slash.
const CALLBACK = 'http://localhost:4000/';
const PARALLEL = 10;

interface TokenAnswer {
  status: number;
  body: { error?: string; access_token?: string; refresh_token?: string };
}

async function postToken(baseUrl: string, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(new URL('/token', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

async function userinfoStatus(baseUrl: string, accessToken: string): Promise<number> {
  const response = await fetch(new URL('/userinfo', baseUrl), { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

/** Fires all requests at once and checks that exactly one won and every other one got invalid_grant. */
function onlyWinner(answers: TokenAnswer[]): TokenAnswer['body'] {
  const statuses = answers.map((answer) => answer.status).sort();
  expect(statuses).toEqual([200, ...Array<number>(answers.length - 1).fill(400)]);
  for (const loser of answers.filter((answer) => answer.status !== 200)) expect(loser.body.error).toBe('invalid_grant');
  return answers.find((answer) => answer.status === 200)!.body;
}

/** Signs in with offline_access; returns the code, its verifier, and the client. */
async function codeFor(server: TestServer) {
  const scenario = await seedScenario(server);
  const rp = await relyingParty(server, scenario.client.id);
  const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, {
    redirectUri: CALLBACK,
    scope: 'openid groups offline_access',
    prompt: 'consent',
  });
  const code = result.callbackUrl.searchParams.get('code')!;
  expect(code).toBeTruthy();
  const form = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: scenario.client.id, code_verifier: result.codeVerifier! };
  return { scenario, rp, result, form };
}

async function expectRevoked(baseUrl: string, clientId: string, winner: TokenAnswer['body']): Promise<void> {
  // As on any reuse, the losing redemption revoked the grant: what the winner got no longer works.
  expect(await userinfoStatus(baseUrl, winner.access_token!)).toBe(401);
  const refresh = await postToken(baseUrl, { grant_type: 'refresh_token', refresh_token: winner.refresh_token!, client_id: clientId });
  expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
}

describe.each(DB_PROVIDERS)('single use of codes and refresh tokens under concurrency on %s', (provider) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it(`redeems an authorization code exactly once among ${PARALLEL} simultaneous requests`, async () => {
    server = await startTestServer({ provider });
    const { scenario, form } = await codeFor(server);
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => postToken(server!.url, form)));
    const winner = onlyWinner(answers);
    expect(winner.access_token).toBeTruthy();
    expect(winner.refresh_token).toBeTruthy();
    await expectRevoked(server.url, scenario.client.id, winner);
  });

  it(`rotates a refresh token exactly once among ${PARALLEL} simultaneous requests`, async () => {
    server = await startTestServer({ provider });
    const { scenario, rp, result } = await codeFor(server);
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: scenario.client.id };
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => postToken(server!.url, form)));
    const winner = onlyWinner(answers);
    expect(winner.refresh_token).toBeTruthy();
    await expectRevoked(server.url, scenario.client.id, winner);
    // The original access token belonged to the same grant.
    expect(await userinfoStatus(server.url, tokens.access_token)).toBe(401);
  });
});

describe('single use across two replicas on one PostgreSQL database', () => {
  it(`redeems a code and rotates a refresh token exactly once when ${PARALLEL} requests are spread over both`, async () => {
    const database = await createTestDatabase('postgres');
    const a = await startTestServer({ database });
    const b = await startTestServer({ database, env: { APP_URL: a.url } });
    try {
      const spread = (form: Record<string, string>) =>
        Promise.all(Array.from({ length: PARALLEL }, (_, i) => postToken(i % 2 === 0 ? a.url : b.url, form)));

      const first = await codeFor(a);
      const winner = onlyWinner(await spread(first.form));
      await expectRevoked(b.url, first.scenario.client.id, winner);

      // A second sign-in of the same person, whose refresh token is then raced.
      const result = await authorize(first.rp, new TestBrowser(a.url), first.scenario.authenticator, {
        redirectUri: CALLBACK,
        scope: 'openid groups offline_access',
        prompt: 'consent',
      });
      const tokens = await oidc.authorizationCodeGrant(first.rp, result.callbackUrl, {
        pkceCodeVerifier: result.codeVerifier!,
        expectedState: result.state,
        expectedNonce: result.nonce,
      });
      const rotated = onlyWinner(await spread({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: first.scenario.client.id }));
      await expectRevoked(a.url, first.scenario.client.id, rotated);
    } finally {
      await b.stop();
      await a.stop();
      await database.drop();
    }
  });
});
