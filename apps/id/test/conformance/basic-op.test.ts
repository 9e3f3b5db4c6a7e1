import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import {
  authorizationRequest,
  BASIC_CALLBACK,
  basicAuth,
  checkIdToken,
  codeFlow,
  conformanceClients,
  drive,
  POST_CALLBACK,
  postForm,
} from '../support/conformance.js';
import { seedScenario } from '../support/fixtures.js';
import { DB_PROVIDERS, startTestServer, type TestServer } from '../support/server.js';

// OpenID Foundation "Basic OP" profile (oidcc-basic-certification-test-plan, response_type=code,
// static clients): the modules about one authorization and what it returns. The modules that
// need an existing session live in basic-op-session.test.ts. Each test names the module and the
// legacy OP-* test it stands for.

describe.each(DB_PROVIDERS)('Basic OP conformance (code flow) on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let clients: Awaited<ReturnType<typeof conformanceClients>>;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
    clients = await conformanceClients(server, scenario);
  });
  afterAll(async () => server?.stop());

  const freshBrowser = () => new TestBrowser(server.url);

  it('oidcc-server (OP-Response-code, OP-nonce-code, OP-IDToken-Signature, OP-IDToken-kid, OP-ClientAuth-Basic-Static): code, state, iss, and a signed ID token', async () => {
    const request = await authorizationRequest(clients.basic.rp, { redirectUri: BASIC_CALLBACK, scope: 'openid profile' });
    const { callbackUrl } = await drive(freshBrowser(), request.url, scenario.authenticator);
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(BASIC_CALLBACK);
    expect(callbackUrl.searchParams.get('state')).toBe(request.state);
    expect(callbackUrl.searchParams.get('iss')).toBe(server.url);
    const code = callbackUrl.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await postForm(
      server,
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: BASIC_CALLBACK, code_verifier: request.codeVerifier! },
      { authorization: basicAuth(clients.basic.id, clients.basic.secret) },
    );
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toMatch(/no-store/);
    expect(String(token.body.token_type).toLowerCase()).toBe('bearer');
    expect(token.body.expires_in).toEqual(expect.any(Number));
    const claims = await checkIdToken(server, token.body.id_token as string, {
      clientId: clients.basic.id,
      nonce: request.nonce,
      accessToken: token.body.access_token as string,
    });
    expect(claims.sub).toBe(scenario.user.id);
  });

  it('oidcc-server-client-secret-post (OP-ClientAuth-SecretPost-Static): the secret in the form body', async () => {
    const { request, tokens } = await codeFlow(clients.post.rp, freshBrowser(), scenario.authenticator, { redirectUri: POST_CALLBACK });
    await checkIdToken(server, tokens.id_token!, { clientId: clients.post.id, nonce: request.nonce, accessToken: tokens.access_token });
  });

  it('OP-ClientAuth-*: a client authenticates only with the method it is registered with', async () => {
    const viaBasic = await authorizationRequest(clients.basic.rp, { redirectUri: BASIC_CALLBACK });
    const basicCode = (await drive(freshBrowser(), viaBasic.url, scenario.authenticator)).callbackUrl.searchParams.get('code')!;
    const basicInBody = await postForm(server, '/token', {
      grant_type: 'authorization_code',
      code: basicCode,
      redirect_uri: BASIC_CALLBACK,
      code_verifier: viaBasic.codeVerifier!,
      client_id: clients.basic.id,
      client_secret: clients.basic.secret,
    });
    expect(basicInBody).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

    const viaPost = await authorizationRequest(clients.post.rp, { redirectUri: POST_CALLBACK });
    const postCode = (await drive(freshBrowser(), viaPost.url, scenario.authenticator)).callbackUrl.searchParams.get('code')!;
    const postInHeader = await postForm(
      server,
      '/token',
      { grant_type: 'authorization_code', code: postCode, redirect_uri: POST_CALLBACK, code_verifier: viaPost.codeVerifier! },
      { authorization: basicAuth(clients.post.id, clients.post.secret) },
    );
    expect(postInHeader).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('oidcc-response-type-missing (OP-Response-Missing): no code without response_type', async () => {
    const url = new URL('/authorize', server.url);
    url.search = new URLSearchParams({ client_id: clients.basic.id, redirect_uri: BASIC_CALLBACK, scope: 'openid', state: 'missing-rt', nonce: 'n' }).toString();
    const response = await freshBrowser().get(url);
    if (response.location) {
      expect(response.location.origin + response.location.pathname).toBe(BASIC_CALLBACK);
      expect(['invalid_request', 'unsupported_response_type']).toContain(response.location.searchParams.get('error'));
      expect(response.location.searchParams.get('state')).toBe('missing-rt');
      expect(response.location.searchParams.get('code')).toBeNull();
    } else {
      expect(response.status).toBe(400);
    }
  });

  it('oidcc-idtoken-unsigned (OP-IDToken-none): unsigned ID tokens are not offered', () => {
    expect(clients.basic.rp.serverMetadata().id_token_signing_alg_values_supported).not.toContain('none');
  });

  describe('userinfo', () => {
    let accessToken: string;
    let sub: string;
    beforeAll(async () => {
      const { tokens } = await codeFlow(clients.basic.rp, freshBrowser(), scenario.authenticator, { redirectUri: BASIC_CALLBACK, scope: 'openid profile email' });
      accessToken = tokens.access_token;
      sub = tokens.claims()!.sub;
    });

    it('oidcc-userinfo-get (OP-UserInfo-Endpoint): GET with a Bearer header, sub matches the ID token', async () => {
      const userinfo = await oidc.fetchUserInfo(clients.basic.rp, accessToken, sub);
      expect(userinfo).toMatchObject({ sub, preferred_username: 'pocketid-admin', email: 'admin@example.com', email_verified: true });
    });

    it('oidcc-userinfo-post-header (OP-UserInfo-Header): POST with a Bearer header', async () => {
      const response = await fetch(new URL('/userinfo', server.url), { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ sub });
    });

    it('oidcc-userinfo-post-body (OP-UserInfo-Body): POST with the token in the form body', async () => {
      const response = await postForm(server, '/userinfo', { access_token: accessToken });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub });
    });
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow (OP-nonce-NoReq-code)', async () => {
    const { request, tokens } = await codeFlow(clients.basic.rp, freshBrowser(), scenario.authenticator, { redirectUri: BASIC_CALLBACK, nonce: false });
    expect(request.url.searchParams.has('nonce')).toBe(false);
    await checkIdToken(server, tokens.id_token!, { clientId: clients.basic.id, nonce: null, accessToken: tokens.access_token });
  });

  const PROFILE = ['name', 'given_name', 'family_name', 'preferred_username'];
  it.each([
    ['oidcc-scope-profile (OP-scope-profile)', 'openid profile', PROFILE],
    ['oidcc-scope-email (OP-scope-email)', 'openid email', ['email', 'email_verified']],
    ['oidcc-scope-address (OP-scope-address): not supported, ignored', 'openid address', []],
    ['oidcc-scope-phone (OP-scope-phone): not supported, ignored', 'openid phone', []],
    ['oidcc-scope-all (OP-scope-All)', 'openid profile email address phone', [...PROFILE, 'email', 'email_verified']],
    ['oidcc-ensure-other-scope-order-succeeds', 'email openid', ['email', 'email_verified']],
  ])('%s', async (_name, scope, claims) => {
    const { tokens } = await codeFlow(clients.basic.rp, freshBrowser(), scenario.authenticator, { redirectUri: BASIC_CALLBACK, scope });
    const userinfo = await oidc.fetchUserInfo(clients.basic.rp, tokens.access_token, tokens.claims()!.sub);
    for (const claim of claims) expect(userinfo[claim], claim).toBeDefined();
    // Claim types (OIDC Core §5.1): strings are strings, email_verified a boolean.
    for (const claim of ['name', 'given_name', 'family_name', 'preferred_username', 'email']) {
      if (userinfo[claim] !== undefined) expect(typeof userinfo[claim], claim).toBe('string');
    }
    if (userinfo.email_verified !== undefined) expect(typeof userinfo.email_verified).toBe('boolean');
    expect(userinfo.address).toBeUndefined();
    expect(userinfo.phone_number).toBeUndefined();
    if (!scope.split(' ').includes('profile')) expect(userinfo.preferred_username).toBeUndefined();
  });

  it.each([
    ['oidcc-display-page (OP-display-page)', { display: 'page' }],
    ['oidcc-display-popup (OP-display-popup)', { display: 'popup' }],
    ['oidcc-ensure-request-with-unknown-parameter-succeeds (OP-Req-NotUnderstood)', { extra: 'foobar' }],
    ['oidcc-login-hint (OP-Req-login_hint)', { login_hint: 'pocketid-admin' }],
    ['oidcc-ui-locales (OP-Req-ui_locales)', { ui_locales: 'se fr-CA' }],
    ['oidcc-claims-locales (OP-Req-claims_locales)', { claims_locales: 'se fr-CA' }],
    ['oidcc-ensure-request-with-acr-values-succeeds (OP-Req-acr_values)', { acr_values: '1 2' }],
  ])('%s: accepted, and the sign-in completes', async (_name, extra) => {
    const { request, tokens } = await codeFlow(clients.basic.rp, freshBrowser(), scenario.authenticator, { redirectUri: BASIC_CALLBACK, extra });
    await checkIdToken(server, tokens.id_token!, { clientId: clients.basic.id, nonce: request.nonce, accessToken: tokens.access_token });
  });

  it('oidcc-ensure-registered-redirect-uri (OP-redirect_uri-NotReg): an error page, no redirect', async () => {
    const request = await authorizationRequest(clients.basic.rp, { redirectUri: 'http://localhost:5100/cb/other' });
    const response = await freshBrowser().get(request.url);
    expect(response.status).toBe(400);
    expect(response.location).toBeNull();
  });

  it('oidcc-ensure-post-request-succeeds: the authorization request sent as a form POST', async () => {
    const browser = freshBrowser();
    const request = await authorizationRequest(clients.basic.rp, { redirectUri: BASIC_CALLBACK });
    const endpoint = new URL(request.url.pathname, server.url);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: request.url.searchParams,
      redirect: 'manual',
    });
    browser.jar.store(response.headers.getSetCookie(), endpoint);
    expect([302, 303]).toContain(response.status);
    const { callbackUrl } = await drive(browser, new URL(response.headers.get('location')!, server.url), scenario.authenticator);
    expect(callbackUrl.searchParams.get('state')).toBe(request.state);
    const tokens = await oidc.authorizationCodeGrant(clients.basic.rp, callbackUrl, {
      pkceCodeVerifier: request.codeVerifier!,
      expectedState: request.state,
      expectedNonce: request.nonce!,
    });
    expect(tokens.claims()?.sub).toBe(scenario.user.id);
  });
});
