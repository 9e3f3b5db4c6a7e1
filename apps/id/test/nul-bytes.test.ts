import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, api, startTestServer, type TestServer } from './support/server.js';

const NUL = '\u0000';

// PostgreSQL refuses NUL in text and used to turn each of these into a 500.
describe.each(DB_PROVIDERS)('NUL characters and malformed cookies are bad input (4xx), never a 500, on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
  });
  afterAll(async () => server?.stop());

  const form = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it('refuses a NUL in a JSON body without a session', async () => {
    const options = (await api(server, 'POST', '/api/passkey-login/options', { body: {} })).body;
    const response = scenario.authenticator.authenticate(options);
    const res = await api(server, 'POST', '/api/passkey-login/verify', { body: { response: { ...response, authenticatorAttachment: `platform${NUL}` } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('NUL');
  });

  it('refuses a NUL in a signed-in JSON API body (profile fields)', async () => {
    const res = await api(server, 'PATCH', '/api/me', { cookie: scenario.cookie, body: { firstName: `Pocket${NUL}` } });
    expect(res.status).toBe(400);
    expect((await api(server, 'GET', '/api/me', { cookie: scenario.cookie })).body.user.firstName).toBe('Pocket ID');
  });

  it('refuses a NUL in a query string or path, ours and the provider’s', async () => {
    expect((await api(server, 'GET', '/api/admin/users?search=%00', { cookie: scenario.cookie })).status).toBe(400);
    expect((await api(server, 'GET', '/api/admin/users?search=ok', { cookie: scenario.cookie })).status).toBe(200);
    expect((await api(server, 'POST', '/lc/abc%00')).status).toBe(400);
    const authorizeUrl = `/authorize?client_id=%00&response_type=code&scope=openid&redirect_uri=http://localhost:4000/`;
    expect((await fetch(new URL(authorizeUrl, server.url), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(new URL('/session/end?client_id=%00', server.url), { redirect: 'manual' })).status).toBe(400);
  });

  it('refuses a NUL in a /token form body, and passes clean bodies through untouched', async () => {
    const clientId = scenario.client.id;
    for (const body of [
      `grant_type=refresh_token&refresh_token=abc%00&client_id=${clientId}`,
      `grant_type=authorization_code&code=abc%00&redirect_uri=http://localhost:4000/&code_verifier=${'a'.repeat(43)}&client_id=${clientId}`,
      'grant_type=refresh_token&refresh_token=abc&client_id=x%00',
      `grant_type=refresh_token&refresh_token=abc&client_id=${clientId}&x%00=1`,
    ]) {
      const res = await form('/token', body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }

    // A body sent in chunks, without Content-Length, is read to its end too.
    const chunked = await fetch(new URL('/token', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Blob([`grant_type=refresh_token&client_id=${clientId}&`, 'refresh_token=abc%00']).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(400);

    // A body too large to look at is left to the provider, which refuses it itself.
    const large = await form('/token', `grant_type=refresh_token&client_id=${clientId}&refresh_token=${'a'.repeat(60 * 1024)}`);
    expect(large.status).toBe(400);

    // The guard reads the body and hands it back: a real code flow and refresh still work.
    const rp = await relyingParty(server, clientId);
    const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, {
      redirectUri: 'http://localhost:4000/',
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('refuses a passkey response whose challenge carries a NUL', async () => {
    const options = (await api(server, 'POST', '/api/passkey-login/options', { body: {} })).body;
    const response = scenario.authenticator.authenticate(options);
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString());
    const clientDataJSON = Buffer.from(JSON.stringify({ ...clientData, challenge: `x${NUL}` })).toString('base64url');
    const res = await api(server, 'POST', '/api/passkey-login/verify', { body: { response: { ...response, response: { ...response.response, clientDataJSON } } } });
    expect(res.status).toBe(400);
  });

  it.each(['%E0%A4%A', `abc%00`])('answers a malformed session cookie (%s) at /session/end/confirm as signed out', async (bad) => {
    const browser = new TestBrowser(server.url);
    const page = await browser.get('/session/end');
    expect(page.status).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(xsrf).toBeTruthy();
    const cookies = browser.jar.headerFor(new URL('/session/end/confirm', server.url));
    const res = await form('/session/end/confirm', `xsrf=${xsrf}&logout=yes`, { origin: server.url, cookie: `${cookies}; hearth_session=${bad}` });
    expect(res.status).toBe(303);
    const done = await fetch(new URL(res.headers.get('location')!, server.url));
    expect(await done.text()).toContain('You are signed out');
  });
});
