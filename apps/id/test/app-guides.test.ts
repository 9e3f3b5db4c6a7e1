import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, setUserGroups } from '../src/groups/groups.js';
import { TestBrowser } from './support/browser.js';
import { registerPasskey, seedScenario } from './support/fixtures.js';
import { authorize } from './support/oidc-flow.js';
import { api, signedInUser, startTestServer, type TestServer } from './support/server.js';

// Clients registered exactly as docs/apps/ says, signed in to with openid-client the way the
// app does it, checking the claims the app's documented settings read.

/** What Grafana's documented role_attribute_path, contains(groups[*], 'admins') && 'Admin' || 'Viewer', yields. */
function grafanaRole(claims: Record<string, unknown>): string {
  const groups = Array.isArray(claims.groups) ? claims.groups : [];
  return groups.includes('admins') ? 'Admin' : 'Viewer';
}

describe('the app guides, on sqlite', () => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;

  beforeAll(async () => {
    server = await startTestServer({ provider: 'sqlite' });
    scenario = await seedScenario(server);
  });
  afterAll(async () => server?.stop());

  /** Registers a client through the admin API, as the admin screen does. */
  async function register(body: Record<string, unknown>): Promise<{ id: string; secret: string | null }> {
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: scenario.cookie, body });
    expect(created.status).toBe(201);
    return { id: created.body.client.id, secret: created.body.secret };
  }

  describe('Grafana (docs/apps/grafana.md)', () => {
    const CALLBACK = 'https://grafana.example.com/login/generic_oauth';
    let rp: oidc.Configuration;

    beforeAll(async () => {
      // Confidential, secret in the Basic header (Grafana's auth_style = InHeader), PKCE on
      // (Grafana's use_pkce = true), one callback URL.
      const client = await register({
        name: 'Grafana',
        callbackUrls: [CALLBACK],
        logoutCallbackUrls: ['https://grafana.example.com/login'],
        isPublic: false,
        pkceEnabled: true,
        authMethod: 'client_secret_basic',
      });
      expect(client.secret).toBeTruthy();
      // Grafana is configured with the discovery document's endpoints; openid-client reads them the same way.
      rp = await oidc.discovery(new URL(server.url), client.id, client.secret!, oidc.ClientSecretBasic(client.secret!), {
        execute: [oidc.allowInsecureRequests],
      });
    });

    async function signInAs(authenticator: Parameters<typeof authorize>[2], browser = new TestBrowser(server.url)) {
      const result = await authorize(rp, browser, authenticator, { redirectUri: CALLBACK, scope: 'openid profile email groups' });
      expect(result.callbackUrl.origin + result.callbackUrl.pathname).toBe(CALLBACK);
      const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
        pkceCodeVerifier: result.codeVerifier!,
        expectedState: result.state,
        expectedNonce: result.nonce,
      });
      const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
      return { idToken: tokens.claims()!, userinfo };
    }

    it('gives the claims Grafana reads, and the admins group maps to Admin', async () => {
      const { idToken, userinfo } = await signInAs(scenario.authenticator);
      // Grafana reads the ID token and userinfo; both carry the same claims.
      for (const claims of [idToken, userinfo] as Record<string, unknown>[]) {
        expect(claims).toMatchObject({
          email: 'admin@example.com',
          email_verified: true,
          preferred_username: 'pocketid-admin',
          name: 'Pocket ID Admin',
          groups: ['admins'],
        });
        expect(grafanaRole(claims)).toBe('Admin');
      }
    });

    it('maps a person outside the admins group to Viewer', async () => {
      const family = await createGroup(server.ctx.database.db, { name: 'Family', friendlyName: 'family' });
      const { user, cookie } = await signedInUser(server, { username: 'kim', email: 'kim@example.com', firstName: 'Kim', lastName: 'Lee', emailVerified: true });
      await setUserGroups(server.ctx.database.db, user.id, [family.id]);
      const authenticator = await registerPasskey(server, cookie);
      const { idToken, userinfo } = await signInAs(authenticator);
      for (const claims of [idToken, userinfo] as Record<string, unknown>[]) {
        expect(claims).toMatchObject({ preferred_username: 'kim', email: 'kim@example.com', name: 'Kim Lee', groups: ['family'] });
        expect(grafanaRole(claims)).toBe('Viewer');
      }
    });

    it("signs out through Grafana's signout_redirect_url (client_id, no id_token_hint) back to the registered logout callback only", async () => {
      const browser = new TestBrowser(server.url);
      await signInAs(scenario.authenticator, browser);
      const endSession = (target: string) =>
        browser.get(`/session/end?client_id=${rp.clientMetadata().client_id}&post_logout_redirect_uri=${encodeURIComponent(target)}`);
      const other = await endSession('https://evil.example.com/');
      expect(other.status).toBe(400);
      expect(other.location).toBeNull();
      const page = await endSession('https://grafana.example.com/login');
      expect(page.status).toBe(200);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
      expect(xsrf).toBeTruthy();
      const confirm = await fetch(new URL('/session/end/confirm', server.url), {
        method: 'POST',
        headers: {
          cookie: browser.jar.headerFor(new URL('/session/end/confirm', server.url)),
          'content-type': 'application/x-www-form-urlencoded',
          origin: server.url,
        },
        body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
        redirect: 'manual',
      });
      expect(confirm.status).toBe(303);
      expect(confirm.headers.get('location')).toBe('https://grafana.example.com/login');
    });

    it('refuses the secret in the form body, since the guide registers client_secret_basic', async () => {
      const browser = new TestBrowser(server.url);
      const result = await authorize(rp, browser, scenario.authenticator, { redirectUri: CALLBACK });
      const response = await fetch(new URL('/token', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: result.callbackUrl.searchParams.get('code')!,
          redirect_uri: CALLBACK,
          code_verifier: result.codeVerifier!,
          client_id: rp.clientMetadata().client_id,
          client_secret: rp.clientMetadata().client_secret as string,
        }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('Jellyfin SSO plugin (docs/apps/jellyfin.md)', () => {
    const CALLBACK = 'https://jellyfin.example.com/sso/OID/redirect/hearth';

    it('signs in through a pushed authorization request with the secret in the body, and gives groups for Roles', async () => {
      // Confidential, client_secret_post, PKCE; the plugin pushes its request when discovery
      // lists a pushed authorization endpoint (unless "Disable Pushed Authorization" is on).
      const client = await register({ name: 'Jellyfin', callbackUrls: [CALLBACK], isPublic: false, pkceEnabled: true, authMethod: 'client_secret_post' });
      const rp = await oidc.discovery(new URL(server.url), client.id, client.secret!, oidc.ClientSecretPost(client.secret!), {
        execute: [oidc.allowInsecureRequests],
      });
      expect(rp.serverMetadata().pushed_authorization_request_endpoint).toBe(`${server.url}/request`);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const pushed = await oidc.buildAuthorizationUrlWithPAR(rp, {
        redirect_uri: CALLBACK,
        scope: 'openid profile groups',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      expect(pushed.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      const browser = new TestBrowser(server.url);
      let next: URL = pushed;
      let callbackUrl: URL | undefined;
      for (let step = 0; step < 6 && !callbackUrl; step += 1) {
        const { url } = await browser.follow(next);
        if (url.origin !== browser.origin || !url.pathname.startsWith('/interaction/')) {
          callbackUrl = url;
          break;
        }
        const uid = url.pathname.split('/')[2]!;
        const details = (await browser.get(`/interaction/${uid}/details`)).json();
        let result;
        if (details.prompt.name === 'login') {
          const options = await browser.post(`/interaction/${uid}/passkey-options`);
          result = await browser.post(`/interaction/${uid}/passkey`, { response: scenario.authenticator.authenticate(options.json()) });
        } else {
          result = await browser.post(`/interaction/${uid}/consent`);
        }
        expect(result.status).toBe(200);
        next = new URL(result.json().redirectTo, browser.origin);
      }
      expect(callbackUrl!.origin + callbackUrl!.pathname).toBe(CALLBACK);
      const tokens = await oidc.authorizationCodeGrant(rp, callbackUrl!, { pkceCodeVerifier: codeVerifier, expectedState: state });
      expect(tokens.claims()).toMatchObject({ preferred_username: 'pocketid-admin', groups: ['admins'] });
    });
  });

  describe('Dashy (docs/apps/dashy.md)', () => {
    const ORIGIN = 'https://dashy.example.com';
    let rp: oidc.Configuration;

    beforeAll(async () => {
      // Public, PKCE (forced for public clients), both forms of the callback URL.
      const client = await register({
        name: 'Dashy',
        callbackUrls: [ORIGIN, `${ORIGIN}/`],
        logoutCallbackUrls: [ORIGIN, `${ORIGIN}/`],
        isPublic: true,
        pkceEnabled: true,
      });
      expect(client.secret).toBeNull();
      rp = await oidc.discovery(new URL(server.url), client.id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    });

    it('signs in with PKCE and no secret, with groups for adminGroup', async () => {
      const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, {
        redirectUri: `${ORIGIN}/`,
        // Dashy asks for roles too; Hearth ID ignores it.
        scope: 'openid profile email roles groups',
      });
      const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
        pkceCodeVerifier: result.codeVerifier!,
        expectedState: result.state,
        expectedNonce: result.nonce,
      });
      expect(tokens.claims()).toMatchObject({ preferred_username: 'pocketid-admin', email: 'admin@example.com', groups: ['admins'] });
    });

    it('refuses a sign-in without PKCE', async () => {
      const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, { redirectUri: ORIGIN, codeVerifier: null });
      expect(result.callbackUrl.searchParams.get('error')).toBe('invalid_request');
    });
  });
});
