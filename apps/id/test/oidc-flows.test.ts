import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { createGroup } from '../src/groups/groups.js';
import { SESSION_COOKIE } from '../src/sessions/sessions.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty, type AuthorizeResult } from './support/oidc-flow.js';
import { DB_PROVIDERS, startTestServer, type TestServer } from './support/server.js';

// openid-client sends the callback as a URL object prints it, so with a trailing slash.
const CALLBACK = 'http://localhost:4000/';

describe.each(DB_PROVIDERS)('OpenID Connect flows with openid-client on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
    rp = await relyingParty(server, scenario.client.id);
  });
  afterAll(async () => server?.stop());

  async function signIn(options: Partial<Parameters<typeof authorize>[3]> = {}, browser = new TestBrowser(server.url)) {
    const result = await authorize(rp, browser, scenario.authenticator, { redirectUri: CALLBACK, ...options });
    return { ...result, browser };
  }

  async function exchange(result: AuthorizeResult, config = rp) {
    return oidc.authorizationCodeGrant(config, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier ?? undefined,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
  }

  it('discovers the provider with issuer exactly APP_URL', () => {
    const metadata = rp.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.token_endpoint).toBe(`${server.url}/token`);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(metadata.response_types_supported).toEqual(['code']);
  });

  it('signs in with a passkey, asks consent, and puts profile, email and groups (friendly names) in the ID token', async () => {
    const result = await signIn();
    expect(result.callbackUrl.origin + result.callbackUrl.pathname).toBe(CALLBACK);
    expect(result.callbackUrl.searchParams.get('code')).toBeTruthy();
    const tokens = await exchange(result);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: server.url,
      aud: scenario.client.id,
      sub: scenario.user.id,
      preferred_username: 'pocketid-admin',
      name: 'Pocket ID Admin',
      given_name: 'Pocket ID',
      family_name: 'Admin',
      email: 'admin@example.com',
      email_verified: true,
      groups: ['admins'],
    });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, scenario.user.id);
    expect(userinfo).toMatchObject({ sub: scenario.user.id, groups: ['admins'], email: 'admin@example.com' });
  });

  it('accepts the bare and the trailing-slash callback as two exact registrations', async () => {
    // A browser app (oidc-client-ts) sends its redirect_uri verbatim, bare or not; the code
    // is bound to exactly that string.
    for (const [redirectUri, other] of [
      ['http://localhost:4000', 'http://localhost:4000/'],
      ['http://localhost:4000/', 'http://localhost:4000'],
    ] as const) {
      const result = await signIn({ redirectUri });
      const code = result.callbackUrl.searchParams.get('code')!;
      expect(code).toBeTruthy();
      const tokenRequest = (uri: string) =>
        fetch(new URL('/token', server.url), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: uri, client_id: scenario.client.id, code_verifier: result.codeVerifier! }),
        });
      const mismatch = await tokenRequest(other);
      expect(mismatch.status).toBe(400);
      const response = await tokenRequest(redirectUri);
      // The mismatched attempt above counts as a use of the code: exactly one redemption.
      expect([200, 400]).toContain(response.status);
    }
  });

  it('ignores unknown scopes such as roles', async () => {
    const result = await signIn({ scope: 'openid profile email groups roles' });
    const tokens = await exchange(result);
    expect(tokens.scope?.split(' ')).not.toContain('roles');
    expect(tokens.claims()?.groups).toEqual(['admins']);
  });

  it('refuses a callback URL that is not registered exactly, naming it, without redirecting there', async () => {
    for (const redirectUri of ['http://localhost:4000/callback', 'https://localhost:4000', 'http://localhost:4000//']) {
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const response = await new TestBrowser(server.url).get(url);
      expect(response.status).toBe(400);
      expect(response.location).toBeNull();
      expect(response.text).toContain('invalid_request');
      expect(response.text).toContain(redirectUri);
    }
  });

  it('requires PKCE of a public client and refuses a wrong or missing verifier', async () => {
    const noPkce = await signIn({ codeVerifier: null });
    expect(noPkce.callbackUrl.searchParams.get('error')).toBe('invalid_request');
    expect(noPkce.callbackUrl.searchParams.get('error_description')).toMatch(/PKCE/i);

    const result = await signIn();
    await expect(
      oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: result.state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses to redeem an authorization code twice', async () => {
    const result = await signIn();
    await exchange(result);
    await expect(exchange(result)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens, and reuse of a rotated one revokes the whole grant', async () => {
    const result = await signIn({ scope: 'openid groups offline_access', prompt: 'consent' });
    const tokens = await exchange(result);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.groups).toEqual(['admins']);

    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The grant is gone: the newest refresh token no longer works either.
    await expect(oidc.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes and introspects tokens for a confidential client, checking its secret', async () => {
    const { client, secret } = await createClient(server.ctx.database.db, {
      name: 'Confidential app',
      callbackUrls: ['http://localhost:5000/cb'],
      isPublic: false,
      trusted: true,
    });
    const confidential = await relyingParty(server, client.id, secret!);
    const result = await authorize(confidential, new TestBrowser(server.url), scenario.authenticator, {
      redirectUri: 'http://localhost:5000/cb',
      codeVerifier: null,
    });
    const tokens = await exchange(result, confidential);
    expect((await oidc.tokenIntrospection(confidential, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(confidential, tokens.access_token);
    expect((await oidc.tokenIntrospection(confidential, tokens.access_token)).active).toBe(false);

    const wrongSecret = await relyingParty(server, client.id, 'not-the-secret');
    await expect(oidc.tokenIntrospection(wrongSecret, tokens.access_token)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the secret in the form body from a client registered for client_secret_post', async () => {
    const { client, secret } = await createClient(server.ctx.database.db, {
      name: 'Form-post app',
      callbackUrls: ['http://localhost:5003/cb'],
      isPublic: false,
      trusted: true,
      authMethod: 'client_secret_post',
    });
    const inBody = await relyingParty(server, client.id, secret!, 'body');
    const result = await authorize(inBody, new TestBrowser(server.url), scenario.authenticator, {
      redirectUri: 'http://localhost:5003/cb',
      codeVerifier: null,
    });
    const tokens = await exchange(result, inBody);
    expect(tokens.claims()?.groups).toEqual(['admins']);
    expect((await oidc.tokenIntrospection(inBody, tokens.access_token)).active).toBe(true);
    await expect(oidc.refreshTokenGrant(inBody, 'not-a-refresh-token')).rejects.toMatchObject({ error: 'invalid_grant' });
    const wrong = await relyingParty(server, client.id, 'not-the-secret', 'body');
    await expect(oidc.tokenIntrospection(wrong, tokens.access_token)).rejects.toMatchObject({ status: 401 });
  });

  it('skips consent for a trusted client and requires PKCE when a confidential client has it switched on', async () => {
    const { client, secret } = await createClient(server.ctx.database.db, {
      name: 'Trusted PKCE app',
      callbackUrls: ['http://localhost:5001/cb'],
      isPublic: false,
      pkceEnabled: true,
      trusted: true,
    });
    const config = await relyingParty(server, client.id, secret!);
    const browser = new TestBrowser(server.url);
    const withoutPkce = await authorize(config, browser, scenario.authenticator, { redirectUri: 'http://localhost:5001/cb', codeVerifier: null });
    expect(withoutPkce.callbackUrl.searchParams.get('error')).toBe('invalid_request');

    const consentSeen: string[] = [];
    const original = browser.post.bind(browser);
    browser.post = (target, body) => {
      if (String(target).endsWith('/consent')) consentSeen.push(String(target));
      return original(target, body);
    };
    const result = await authorize(config, browser, scenario.authenticator, { redirectUri: 'http://localhost:5001/cb' });
    expect(consentSeen).toEqual([]);
    expect((await exchange(result, config)).claims()?.groups).toEqual(['admins']);
  });

  it('refuses a user outside the client’s allowed groups with access_denied', async () => {
    const family = await createGroup(server.ctx.database.db, { name: 'Family', friendlyName: 'family' });
    const { client } = await createClient(server.ctx.database.db, {
      name: 'Family photos',
      callbackUrls: ['http://localhost:5002/cb'],
      isPublic: true,
      allowedGroupIds: [family.id],
    });
    const config = await relyingParty(server, client.id);
    const browser = new TestBrowser(server.url);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:5002/cb',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const { url: interactionUrl } = await browser.follow(url);
    const uid = interactionUrl.pathname.split('/')[2];
    const options = (await browser.post(`/interaction/${uid}/passkey-options`)).json();
    const refused = await browser.post(`/interaction/${uid}/passkey`, { response: scenario.authenticator.authenticate(options) });
    expect(refused.status).toBe(200);
    expect(refused.json()).toMatchObject({ refused: true, message: expect.stringContaining('Family photos') });
    const { url: callback } = await browser.follow(refused.json().redirectTo);
    expect(callback.origin).toBe('http://localhost:5002');
    expect(callback.searchParams.get('error')).toBe('access_denied');

    // A second attempt with the Hearth ID session still signed in is refused too.
    const again = await browser.follow(oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:5002/cb',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }));
    expect(again.url.pathname).toMatch(/^\/interaction\//);
  });

  it('signs in silently with a live session, and not after the Hearth ID session ends', async () => {
    const browser = new TestBrowser(server.url);
    await signIn({}, browser);
    const silent = await signIn({ prompt: 'none' }, browser);
    expect(silent.callbackUrl.searchParams.get('code')).toBeTruthy();

    expect((await browser.post('/api/logout')).status).toBe(204);
    const afterLogout = await authorize(rp, browser, null, { redirectUri: CALLBACK, prompt: 'none' });
    expect(afterLogout.callbackUrl.searchParams.get('error')).toBe('login_required');
  });

  it('logs out through RP-initiated logout only to a registered logout callback, ending the Hearth ID session', async () => {
    const result = await signIn();
    const tokens = await exchange(result);
    const { browser } = result;
    expect(browser.jar.get(SESSION_COOKIE)).toBeTruthy();

    const bad = await browser.get(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://evil.example/' }));
    expect(bad.status).toBe(400);
    expect(bad.location).toBeNull();

    const page = await browser.get(
      oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:4000', state: 'bye' }),
    );
    expect(page.status).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(xsrf).toBeTruthy();
    const confirm = await fetch(new URL('/session/end/confirm', server.url), {
      method: 'POST',
      headers: { cookie: browser.jar.headerFor(new URL('/session/end/confirm', server.url)), 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
      redirect: 'manual',
    });
    browser.jar.store(confirm.headers.getSetCookie(), new URL('/session/end/confirm', server.url));
    expect(confirm.status).toBe(303);
    const location = new URL(confirm.headers.get('location')!);
    expect(location.origin).toBe('http://localhost:4000');
    expect(location.searchParams.get('state')).toBe('bye');
    expect(browser.jar.get(SESSION_COOKIE)).toBeUndefined();
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('marks every cookie Secure, HttpOnly and SameSite=Lax even on http://localhost', async () => {
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const response = await fetch(url, { redirect: 'manual' });
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/;\s*secure/i);
      expect(cookie).toMatch(/;\s*httponly/i);
      expect(cookie).toMatch(/;\s*samesite=lax/i);
    }
  });
});
