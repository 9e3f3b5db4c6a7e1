import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { api, auditedSignOutAddress, startTestServer, type TestServer } from './support/server.js';

/** Statuses of sign-in attempts, each claiming a new leftmost address in front of the same proxy-seen one. */
async function rotatingAttempts(server: TestServer, count: number, seenAs: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const forwardedFor = `198.51.100.${i + 1}, ${seenAs}`;
    statuses.push((await api(server, 'POST', '/api/passkey-login/options', { body: {}, headers: { 'x-forwarded-for': forwardedFor } })).status);
  }
  return statuses;
}

describe('TRUST_PROXY=true trusts one proxy, not the whole X-Forwarded-For chain', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: 'true', SIGN_IN_RATE_LIMIT: '3' } });
  });
  afterAll(async () => server?.stop());

  it('records the address the proxy saw, not the one the client wrote', async () => {
    expect(await auditedSignOutAddress(server, '6.6.6.6, 1.2.3.4')).toBe('1.2.3.4');
  });

  it('records the same address for tokens the OIDC provider issues', async () => {
    const scenario = await seedScenario(server);
    const browser = new TestBrowser(server.url);
    const rp = await relyingParty(server, scenario.client.id);
    const result = await authorize(rp, browser, scenario.authenticator, { redirectUri: 'http://localhost:4000/' });
    const proxied = await oidc.discovery(new URL(server.url), scenario.client.id, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: (url: string, options: oidc.CustomFetchOptions) =>
        fetch(url, { ...(options as RequestInit), headers: { ...options.headers, 'x-forwarded-for': '6.6.6.6, 1.2.3.4' } }),
    });
    await oidc.authorizationCodeGrant(proxied, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    await expect
      .poll(async () =>
        (await server.ctx.database.db.selectFrom('audit_log').select('ip').where('event', '=', 'token_issued').execute()).map((row) => row.ip),
      )
      .toEqual(['1.2.3.4']);
  });

  it('limits a client that rotates the leftmost address', async () => {
    expect(await rotatingAttempts(server, 4, '1.2.3.5')).toEqual([200, 200, 200, 429]);
    // Another visitor behind the same proxy still gets in.
    expect(await rotatingAttempts(server, 1, '1.2.3.6')).toEqual([200]);
  });
});

describe('TRUST_PROXY as a number of hops or a list of proxy addresses', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  it.each([
    ['2', '6.6.6.6, 1.2.3.4, 10.0.0.2', '1.2.3.4'],
    ['127.0.0.1,10.0.0.0/8', '6.6.6.6, 1.2.3.4, 10.1.2.3', '1.2.3.4'],
    ['loopback', '6.6.6.6, 1.2.3.4', '1.2.3.4'],
    // The nearest untrusted address ends the walk: 10.0.0.2 is not in the list.
    ['127.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2', '10.0.0.2'],
    ['false', '6.6.6.6, 1.2.3.4', '127.0.0.1'],
  ])('TRUST_PROXY=%s with X-Forwarded-For %s records %s', async (trust, forwardedFor, expected) => {
    const server = await startTestServer({ env: { TRUST_PROXY: trust } });
    servers.push(server);
    expect((await auditedSignOutAddress(server, forwardedFor))?.replace(/^::ffff:/, '')).toBe(expected);
  });
});
