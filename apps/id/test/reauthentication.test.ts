import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochSeconds } from '../src/db/database.js';
import { hashToken } from '../src/crypto/crypto.js';
import { SESSION_COOKIE } from '../src/sessions/sessions.js';
import type { SoftwareAuthenticator } from './support/authenticator.js';
import { TestBrowser } from './support/browser.js';
import { registerPasskey, seedScenario } from './support/fixtures.js';
import { relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';

/**
 * OIDC Core §3.1.2.1: `prompt=login` and `max_age` make the provider re-authenticate the
 * person, and an `id_token_hint` names who must be signed in; §2: `auth_time` is when the
 * person last really authenticated. The passkeys here are the software authenticator's, so
 * every sign-in is a real WebAuthn assertion the server verifies.
 */
// The session's sign-in time is read from a timestamp column, which each database returns its own way.
describe.each(DB_PROVIDERS)('re-authentication, auth_time and id_token_hint on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let rp: oidc.Configuration;
  let bob: { id: string; authenticator: SoftwareAuthenticator };

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server, { trusted: true });
    rp = await relyingParty(server, scenario.client.id);
    const signedIn = await signedInUser(server, { username: 'bob', firstName: 'Bob', lastName: 'Other' });
    bob = { id: signedIn.user.id, authenticator: await registerPasskey(server, signedIn.cookie) };
  });
  afterAll(async () => server?.stop());

  /** Signs a fresh browser in to the Hearth ID web app with a real passkey assertion. */
  async function signInToWebApp(authenticator: SoftwareAuthenticator): Promise<TestBrowser> {
    const browser = new TestBrowser(server.url);
    const options = await browser.post('/api/passkey-login/options');
    expect(options.status).toBe(200);
    const verified = await browser.post('/api/passkey-login/verify', { response: authenticator.authenticate(options.json()) });
    expect(verified.status).toBe(200);
    return browser;
  }

  /** Makes the browser's Hearth ID sign-in `seconds` older, as if the passkey had been used that long ago. */
  async function ageSignIn(browser: TestBrowser, seconds: number): Promise<number> {
    const authenticatedAt = epochSeconds() - seconds;
    await server.ctx.database.db
      .updateTable('sessions')
      .set({ created_at: new Date(authenticatedAt * 1000).toISOString() })
      .where('id', '=', hashToken(browser.jar.get(SESSION_COOKIE)!))
      .execute();
    return authenticatedAt;
  }

  /** Opens an authorization request and stops on the sign-in screen; returns its uid and details. */
  async function openInteraction(browser: TestBrowser, extra: Record<string, string>) {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    const { url: landed } = await browser.follow(url);
    const pending = { codeVerifier, state, nonce };
    if (!landed.pathname.startsWith('/interaction/')) return { ...pending, uid: null, details: null, callback: landed };
    const uid = landed.pathname.split('/')[2]!;
    const details = (await browser.get(`/interaction/${uid}/details`)).json();
    return { ...pending, uid, details, callback: null };
  }

  /**
   * Follows redirects like a browser, submitting the provider's self-posting forms too (it
   * shows one to end the previous person's provider session when someone else signs in).
   */
  async function followWithForms(browser: TestBrowser, target: URL): Promise<URL> {
    let next = target;
    for (let forms = 0; forms < 3; forms += 1) {
      const { response, url } = await browser.follow(next);
      const form = response?.status === 200 ? /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(response.text) : null;
      if (!form) return url;
      const fields = new URLSearchParams();
      for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) fields.set(name!, value!);
      const action = new URL(form[1]!.replaceAll('&amp;', '&'), url);
      const posted = await fetch(action, {
        method: 'POST',
        headers: { cookie: browser.jar.headerFor(action), origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: fields,
        redirect: 'manual',
      });
      browser.jar.store(posted.headers.getSetCookie(), action);
      next = new URL(posted.headers.get('location')!, action);
    }
    throw new Error('too many self-posting forms');
  }

  /** Follows a step's redirect back into the provider and redeems the code as the app would. */
  async function finishWith(browser: TestBrowser, pending: { codeVerifier: string; state: string; nonce: string }, redirectTo: string) {
    const url = await followWithForms(browser, new URL(redirectTo, server.url));
    expect(url.searchParams.get('error')).toBeNull();
    const tokens = await oidc.authorizationCodeGrant(rp, url, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    return { tokens, claims: tokens.claims()! };
  }

  async function signInWithPasskey(browser: TestBrowser, uid: string, authenticator: SoftwareAuthenticator) {
    const options = await browser.post(`/interaction/${uid}/passkey-options`);
    expect(options.status).toBe(200);
    return browser.post(`/interaction/${uid}/passkey`, { response: authenticator.authenticate(options.json()) });
  }

  it('puts the time of the last passkey sign-in in auth_time when the person continues with their session', async () => {
    const browser = await signInToWebApp(scenario.authenticator);
    const authenticatedAt = await ageSignIn(browser, 1800);
    const pending = await openInteraction(browser, { max_age: '3600' });
    expect(pending.details.continueAllowed).toBe(true);
    const continued = await browser.post(`/interaction/${pending.uid}/continue`);
    expect(continued.status).toBe(200);
    const { claims } = await finishWith(browser, pending, continued.json().redirectTo);
    expect(claims.sub).toBe(scenario.user.id);
    expect(claims.auth_time).toBe(authenticatedAt);

    // The provider remembers the same time for its own session: a later request within
    // max_age signs in silently with that auth_time, one beyond it asks again.
    const silent = await openInteraction(browser, { max_age: '3600' });
    expect(silent.callback?.searchParams.get('code')).toBeTruthy();
    const again = await oidc.authorizationCodeGrant(rp, silent.callback!, {
      pkceCodeVerifier: silent.codeVerifier,
      expectedState: silent.state,
      expectedNonce: silent.nonce,
    });
    expect(again.claims()!.auth_time).toBe(authenticatedAt);
    const tooOld = await openInteraction(browser, { max_age: '600' });
    expect(tooOld.details?.prompt.reasons).toContain('max_age');
    expect(tooOld.details.continueAllowed).toBe(false);
  });

  it('refuses "continue" when the last passkey sign-in is older than max_age, and a passkey sign-in sets auth_time anew', async () => {
    const browser = await signInToWebApp(scenario.authenticator);
    await ageSignIn(browser, 600);
    const pending = await openInteraction(browser, { max_age: '60' });
    expect(pending.details.signedInAs).toMatchObject({ username: 'pocketid-admin' });
    expect(pending.details.continueAllowed).toBe(false);
    const refused = await browser.post(`/interaction/${pending.uid}/continue`);
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'forbidden' });
    expect(refused.json().message).toMatch(/sign in again with your passkey/i);

    const before = epochSeconds();
    const signedIn = await signInWithPasskey(browser, pending.uid!, scenario.authenticator);
    expect(signedIn.status).toBe(200);
    const { claims } = await finishWith(browser, pending, signedIn.json().redirectTo);
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
  });

  it('refuses "continue" for max_age=0 even right after a passkey sign-in', async () => {
    const browser = await signInToWebApp(scenario.authenticator);
    const pending = await openInteraction(browser, { max_age: '0' });
    expect(pending.details.continueAllowed).toBe(false);
    expect((await browser.post(`/interaction/${pending.uid}/continue`)).status).toBe(403);
  });

  it('refuses "continue" for prompt=login, also when the provider has a session of its own', async () => {
    const browser = await signInToWebApp(scenario.authenticator);
    // A first authorization gives the provider its own session for this browser.
    const first = await openInteraction(browser, {});
    const continued = await browser.post(`/interaction/${first.uid}/continue`);
    expect(continued.status).toBe(200);
    await finishWith(browser, first, continued.json().redirectTo);

    const pending = await openInteraction(browser, { prompt: 'login', max_age: '3600' });
    expect(pending.details.prompt.reasons).toContain('login_prompt');
    expect(pending.details.continueAllowed).toBe(false);
    const refused = await browser.post(`/interaction/${pending.uid}/continue`);
    expect(refused.status).toBe(403);

    const before = epochSeconds();
    const signedIn = await signInWithPasskey(browser, pending.uid!, scenario.authenticator);
    expect(signedIn.status).toBe(200);
    const { claims } = await finishWith(browser, pending, signedIn.json().redirectTo);
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
  });

  it('an id_token_hint for someone else: no "continue", only that person\'s passkey, and prompt=none answers login_required', async () => {
    // A real ID token of the admin, as an app would keep it.
    const adminBrowser = await signInToWebApp(scenario.authenticator);
    const adminFlow = await openInteraction(adminBrowser, {});
    const adminStep = await adminBrowser.post(`/interaction/${adminFlow.uid}/continue`);
    const { tokens } = await finishWith(adminBrowser, adminFlow, adminStep.json().redirectTo);
    const hint = tokens.id_token!;

    // Bob is signed in, both in the web app and at the provider.
    const browser = await signInToWebApp(bob.authenticator);
    const bobFlow = await openInteraction(browser, {});
    const bobStep = await browser.post(`/interaction/${bobFlow.uid}/continue`);
    expect((await finishWith(browser, bobFlow, bobStep.json().redirectTo)).claims.sub).toBe(bob.id);

    const silent = await openInteraction(browser, { id_token_hint: hint, prompt: 'none' });
    expect(silent.callback?.searchParams.get('error')).toBe('login_required');

    const pending = await openInteraction(browser, { id_token_hint: hint });
    expect(pending.details.signedInAs).toMatchObject({ username: 'bob' });
    expect(pending.details.continueAllowed).toBe(false);
    expect(pending.details.expectedUser).toMatchObject({ username: 'pocketid-admin' });
    const refused = await browser.post(`/interaction/${pending.uid}/continue`);
    expect(refused.status).toBe(403);
    expect(refused.json().message).toMatch(/pocketid-admin/);

    // Bob's own passkey is not the person the app asked for; his session stays as it was.
    const wrongPerson = await signInWithPasskey(browser, pending.uid!, bob.authenticator);
    expect(wrongPerson.status).toBe(403);
    expect(wrongPerson.json().message).toMatch(/pocketid-admin/);
    expect((await browser.get('/api/me')).json()).toMatchObject({ user: { username: 'bob' } });

    const rightPerson = await signInWithPasskey(browser, pending.uid!, scenario.authenticator);
    expect(rightPerson.status).toBe(200);
    const { claims } = await finishWith(browser, pending, rightPerson.json().redirectTo);
    expect(claims.sub).toBe(scenario.user.id);
    // The provider ended Bob's session on the way; the web app now has the admin's.
    expect((await browser.get('/api/me')).json()).toMatchObject({ user: { username: 'pocketid-admin' } });
  });

  it('allows "continue" when the id_token_hint names the signed-in person', async () => {
    const browser = await signInToWebApp(scenario.authenticator);
    const first = await openInteraction(browser, {});
    const step = await browser.post(`/interaction/${first.uid}/continue`);
    const { tokens } = await finishWith(browser, first, step.json().redirectTo);

    const other = await signInToWebApp(scenario.authenticator);
    const pending = await openInteraction(other, { id_token_hint: tokens.id_token! });
    expect(pending.details.continueAllowed).toBe(true);
    const continued = await other.post(`/interaction/${pending.uid}/continue`);
    expect(continued.status).toBe(200);
    expect((await finishWith(other, pending, continued.json().redirectTo)).claims.sub).toBe(scenario.user.id);
  });
});
