import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { TestBrowser } from '../support/browser.js';
import { authorizationRequest, BASIC_CALLBACK, basicAuth, codeFlow, conformanceClients, drive, postForm, PUBLIC_CALLBACK } from '../support/conformance.js';
import { seedScenario } from '../support/fixtures.js';
import { relyingParty } from '../support/oidc-flow.js';
import { DB_PROVIDERS, startTestServer, type TestServer } from '../support/server.js';

// The MUSTs of RFC 9700 (OAuth 2.0 Security Best Current Practice) that fall on an
// authorization server offering the code flow, each checked through openid-client or, where
// a relying party would never send the request, by hand.

const EXACT_CALLBACK = 'http://localhost:5010/cb';
const QUERY_CALLBACK = 'http://localhost:5011/cb?tenant=a';

describe.each(DB_PROVIDERS)('RFC 9700 musts on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let clients: Awaited<ReturnType<typeof conformanceClients>>;
  let exact: { id: string; rp: oidc.Configuration };

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
    clients = await conformanceClients(server, scenario);
    const { client } = await createClient(server.ctx.database.db, { name: 'Exact', callbackUrls: [EXACT_CALLBACK, QUERY_CALLBACK], isPublic: true });
    exact = { id: client.id, rp: await relyingParty(server, client.id) };
  });
  afterAll(async () => server?.stop());

  const browser = () => new TestBrowser(server.url);
  const publicRequest = (extra: Record<string, string>, pkce = true) =>
    authorizationRequest(clients.public.rp, { redirectUri: PUBLIC_CALLBACK, pkce, extra });

  it('§2.1.1: a public client must use PKCE', async () => {
    const request = await publicRequest({}, false);
    const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
    expect(callbackUrl.searchParams.get('error')).toBe('invalid_request');
    expect(callbackUrl.searchParams.get('code')).toBeNull();
  });

  it('§2.1.1: PKCE is S256 only; plain, or no method (which means plain), is refused', async () => {
    expect(clients.public.rp.serverMetadata().code_challenge_methods_supported).toEqual(['S256']);
    const verifier = oidc.randomPKCECodeVerifier();
    const attempts: Record<string, string>[] = [{ code_challenge: verifier, code_challenge_method: 'plain' }, { code_challenge: verifier }];
    for (const extra of attempts) {
      const request = await publicRequest(extra, false);
      const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
      expect(callbackUrl.searchParams.get('error'), JSON.stringify(extra)).toBe('invalid_request');
      expect(callbackUrl.searchParams.get('code')).toBeNull();
    }
  });

  it('§4.8.2: a code_verifier is refused when the authorization request had no code_challenge (PKCE downgrade)', async () => {
    const request = await authorizationRequest(clients.basic.rp, { redirectUri: BASIC_CALLBACK, pkce: false });
    const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
    const redeemed = await postForm(
      server,
      '/token',
      { grant_type: 'authorization_code', code: callbackUrl.searchParams.get('code')!, redirect_uri: BASIC_CALLBACK, code_verifier: oidc.randomPKCECodeVerifier() },
      { authorization: basicAuth(clients.basic.id, clients.basic.secret) },
    );
    expect(redeemed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('§2.1 and §4.1.3: redirect URIs match exactly, character for character; a mismatch gets an error page, never a redirect', async () => {
    const near = [
      'http://localhost:5010/cb/',
      'http://localhost:5010/CB',
      'http://localhost:5010/cbx',
      'http://localhost:5010/cb?x=1',
      'http://localhost:5010/cb/../cb',
      'http://localhost:5010/c%62',
      'http://localhost:5012/cb',
      'https://localhost:5010/cb',
      'http://127.0.0.1:5010/cb',
      'http://evil.example@localhost:5010/cb',
      'http://localhost:5011/cb?tenant=b',
      'http://localhost:5011/cb?tenant=a&x=1',
      'http://localhost:5011/cb',
    ];
    for (const redirectUri of near) {
      const request = await authorizationRequest(exact.rp, { redirectUri });
      const response = await browser().get(request.url);
      expect(response.status, redirectUri).toBe(400);
      expect(response.location, redirectUri).toBeNull();
    }
    // The registered ones, query included, work (oidcc-redirect-uri-query-OK).
    for (const redirectUri of [EXACT_CALLBACK, QUERY_CALLBACK]) {
      const request = await authorizationRequest(exact.rp, { redirectUri });
      const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
      expect(callbackUrl.searchParams.get('code'), redirectUri).toBeTruthy();
      if (redirectUri === QUERY_CALLBACK) expect(callbackUrl.searchParams.get('tenant')).toBe('a');
    }
  });

  it('§4.1.3: the token request must repeat the exact redirect_uri of the authorization request', async () => {
    const request = await authorizationRequest(exact.rp, { redirectUri: EXACT_CALLBACK });
    const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
    const redeemed = await postForm(server, '/token', {
      grant_type: 'authorization_code',
      code: callbackUrl.searchParams.get('code')!,
      redirect_uri: QUERY_CALLBACK,
      client_id: exact.id,
      code_verifier: request.codeVerifier!,
    });
    expect(redeemed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('§2.1.2 and §2.4: no implicit or hybrid response types, no password grant', async () => {
    const metadata = clients.public.rp.serverMetadata();
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).not.toContain('password');
    expect(metadata.grant_types_supported).not.toContain('implicit');
    for (const responseType of ['token', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token']) {
      const request = await publicRequest({ response_type: responseType });
      const response = await browser().get(request.url);
      const answer = response.location ?? new URL('about:blank');
      const fragment = new URLSearchParams(answer.hash.slice(1));
      for (const params of [answer.searchParams, fragment]) {
        expect(params.get('access_token'), responseType).toBeNull();
        expect(params.get('id_token'), responseType).toBeNull();
        expect(params.get('code'), responseType).toBeNull();
      }
      if (response.location) expect(answer.searchParams.get('error') ?? fragment.get('error'), responseType).toBe('unsupported_response_type');
      else expect(response.status, responseType).toBe(400);
    }
    for (const grantType of ['password', 'client_credentials', 'implicit']) {
      const answer = await postForm(server, '/token', { grant_type: grantType, client_id: clients.public.id, username: 'pocketid-admin', password: 'x', scope: 'openid' });
      expect(answer.status, grantType).toBe(400);
      expect(['unsupported_grant_type', 'unauthorized_client'], grantType).toContain(answer.body.error);
    }
  });

  it('§4.14.2: a public client’s refresh tokens rotate, and replaying a used one revokes the grant', async () => {
    const { tokens } = await codeFlow(clients.public.rp, browser(), scenario.authenticator, {
      redirectUri: PUBLIC_CALLBACK,
      scope: 'openid offline_access',
      extra: { prompt: 'consent' },
    });
    const rotated = await oidc.refreshTokenGrant(clients.public.rp, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(clients.public.rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(clients.public.rp, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(clients.public.rp, rotated.access_token, tokens.claims()!.sub)).rejects.toMatchObject({ status: 401 });
  });

  it('§4.5 and RFC 6749 §4.1.2: an authorization code works once; the second use revokes the tokens of the first', async () => {
    const request = await publicRequest({});
    const { callbackUrl } = await drive(browser(), request.url, scenario.authenticator);
    const checks = { pkceCodeVerifier: request.codeVerifier!, expectedState: request.state, expectedNonce: request.nonce! };
    const tokens = await oidc.authorizationCodeGrant(clients.public.rp, callbackUrl, checks);
    await expect(oidc.authorizationCodeGrant(clients.public.rp, callbackUrl, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(clients.public.rp, tokens.access_token, tokens.claims()!.sub)).rejects.toMatchObject({ status: 401 });
  });

  it('§4.11.2: the authorization endpoint is no open redirector', async () => {
    const evil = 'https://evil.example/steal';
    const unknownClient = new URL('/authorize', server.url);
    unknownClient.search = new URLSearchParams({ client_id: 'no-such-client', redirect_uri: evil, response_type: 'code', scope: 'openid', state: 's' }).toString();
    const known = await authorizationRequest(clients.public.rp, { redirectUri: evil });
    const badScope = await publicRequest({ scope: 'profile' });
    for (const url of [unknownClient, known.url]) {
      const response = await browser().get(url);
      expect(response.status).toBe(400);
      expect(response.location).toBeNull();
    }
    // Errors about a valid request from a registered callback go back to that callback only.
    const response = await browser().get(badScope.url);
    if (response.location) expect(response.location.origin + response.location.pathname).toBe(PUBLIC_CALLBACK);
  });

  it('§4.16: the authorization endpoint’s pages cannot be framed (clickjacking)', async () => {
    const framingForbidden = (headers: Headers) =>
      /frame-ancestors\s+'none'/.test(headers.get('content-security-policy') ?? '') || /^(deny|sameorigin)$/i.test(headers.get('x-frame-options') ?? '');
    const errorPage = await browser().get((await authorizationRequest(clients.public.rp, { redirectUri: 'https://evil.example/' })).url);
    expect(errorPage.status).toBe(400);
    expect(framingForbidden(errorPage.headers), 'the error page at /authorize').toBe(true);
    const signInPage = await browser().follow((await publicRequest({})).url);
    expect(signInPage.url.pathname).toMatch(/^\/interaction\//);
    expect(framingForbidden(signInPage.response.headers), 'the sign-in page').toBe(true);
  });

  it('§4.4.2 (RFC 9207): every authorization response names the issuer, errors too', async () => {
    const success = await drive(browser(), (await publicRequest({})).url, scenario.authenticator);
    expect(success.callbackUrl.searchParams.get('iss')).toBe(server.url);
    const failure = await drive(browser(), (await publicRequest({ prompt: 'none' })).url, null);
    expect(failure.callbackUrl.searchParams.get('error')).toBe('login_required');
    expect(failure.callbackUrl.searchParams.get('iss')).toBe(server.url);
  });

  it('§4.3.2 and RFC 6750: access tokens are not accepted in the query string', async () => {
    const { tokens } = await codeFlow(clients.public.rp, browser(), scenario.authenticator, { redirectUri: PUBLIC_CALLBACK });
    const response = await fetch(new URL(`/userinfo?access_token=${encodeURIComponent(tokens.access_token)}`, server.url));
    expect([400, 401]).toContain(response.status);
  });

  it('§4.12: redirects on the way through the sign-in are 302 or 303, never 307', async () => {
    const statuses: number[] = [];
    const walker = browser();
    walker.send = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const { callbackUrl } = await drive(walker, (await publicRequest({})).url, scenario.authenticator);
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    const redirects = statuses.filter((status) => status >= 300 && status < 400);
    expect(redirects.length).toBeGreaterThan(0);
    for (const status of redirects) expect([302, 303]).toContain(status);
  });
});
