import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftwareAuthenticator } from '../support/authenticator.js';
import { TestBrowser } from '../support/browser.js';
import { authorizationRequest, BASIC_CALLBACK, checkIdToken, codeFlow, conformanceClients, decodeJwt, drive, postForm } from '../support/conformance.js';
import { registerPasskey, seedScenario } from '../support/fixtures.js';
import { DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from '../support/server.js';

// OpenID Foundation "Basic OP" profile, the modules about sessions, re-authentication, codes,
// request objects, claims and refresh. The tests run in order: one browser keeps its session.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** auth_time has whole seconds: wait past the next second so a new sign-in shows a later one. */
const pastTheNextSecond = () => sleep(1100);
/** With whole seconds on both sides, only two seconds are surely more than max_age=1. */
const pastMaxAgeOne = () => sleep(2100);
/** auth_time is in the ID token when max_age is asked for (OIDC Core §2); a day never forces a new sign-in here. */
const WITH_AUTH_TIME = { max_age: '86400' };

describe.each(DB_PROVIDERS)('Basic OP conformance (sessions and tokens) on %s', (provider) => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let clients: Awaited<ReturnType<typeof conformanceClients>>;
  let rp: oidc.Configuration;
  /** A browser signed in to Hearth ID, whose person has consented to the basic client. */
  let browser: TestBrowser;
  let firstIdToken: string;
  /** When the person in `browser` last really authenticated (auth_time of their last passkey sign-in). */
  let lastAuthTime: number;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    scenario = await seedScenario(server);
    clients = await conformanceClients(server, scenario);
    rp = clients.basic.rp;
    browser = new TestBrowser(server.url);
    const { tokens } = await codeFlow(rp, browser, scenario.authenticator, { redirectUri: BASIC_CALLBACK, scope: 'openid profile', extra: WITH_AUTH_TIME, maxAge: 86400 });
    firstIdToken = tokens.id_token!;
    lastAuthTime = tokens.claims()!.auth_time!;
    expect(lastAuthTime).toEqual(expect.any(Number));
  });
  afterAll(async () => server?.stop());

  /** Starts an authorization in the signed-in browser and returns the interaction it stops at. */
  async function interactionFor(extra: Record<string, string>) {
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK, extra });
    const { url } = await browser.follow(request.url);
    expect(url.pathname).toMatch(/^\/interaction\//);
    return url.pathname.split('/')[2]!;
  }

  it('oidcc-prompt-none-not-logged-in (OP-prompt-none-NotLoggedIn): login_required at the callback, with state and iss', async () => {
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK, extra: { prompt: 'none' } });
    const { callbackUrl, steps } = await drive(new TestBrowser(server.url), request.url, null);
    expect(steps).toEqual([]);
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(BASIC_CALLBACK);
    expect(callbackUrl.searchParams.get('error')).toBe('login_required');
    expect(callbackUrl.searchParams.get('state')).toBe(request.state);
    expect(callbackUrl.searchParams.get('iss')).toBe(server.url);
    expect(callbackUrl.searchParams.get('code')).toBeNull();
  });

  it('oidcc-prompt-none-logged-in (OP-prompt-none-LoggedIn): a code without any page', async () => {
    const { driven, tokens } = await codeFlow(rp, browser, null, { redirectUri: BASIC_CALLBACK, extra: { prompt: 'none' } });
    expect(driven.steps).toEqual([]);
    expect(tokens.claims()?.sub).toBe(scenario.user.id);
  });

  it('oidcc-id-token-hint (OP-Req-id_token_hint): prompt=none with the earlier ID token as hint', async () => {
    const { driven, tokens } = await codeFlow(rp, browser, null, { redirectUri: BASIC_CALLBACK, extra: { prompt: 'none', id_token_hint: firstIdToken } });
    expect(driven.steps).toEqual([]);
    expect(tokens.claims()?.sub).toBe(decodeJwt(firstIdToken).payload.sub);
  });

  it('OP-Req-id_token_hint: a hint naming someone else never signs in the person already signed in', async () => {
    // Another person signs in to the same client in their own browser.
    const other = await signedInUser(server, { username: 'someone-else' });
    const theirPasskey: SoftwareAuthenticator = await registerPasskey(server, other.cookie);
    const theirs = await codeFlow(rp, new TestBrowser(server.url), theirPasskey, { redirectUri: BASIC_CALLBACK });
    const hint = theirs.tokens.id_token!;

    const silent = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK, extra: { prompt: 'none', id_token_hint: hint } });
    const silentResult = await drive(browser, silent.url, null);
    expect(silentResult.callbackUrl.searchParams.get('error')).toBe('login_required');

    const uid = await interactionFor({ id_token_hint: hint });
    const continued = await browser.post(`/interaction/${uid}/continue`);
    expect(continued.status).toBeGreaterThanOrEqual(400);
    expect(continued.status).toBeLessThan(500);
  });

  it('oidcc-prompt-login (OP-prompt-login): a new passkey sign-in, and a later auth_time', async () => {
    await pastTheNextSecond();
    const { driven, tokens } = await codeFlow(rp, browser, scenario.authenticator, { redirectUri: BASIC_CALLBACK, extra: { prompt: 'login', ...WITH_AUTH_TIME }, maxAge: 86400 });
    expect(driven.steps).toContain('passkey');
    const authTime = tokens.claims()!.auth_time!;
    expect(authTime).toBeGreaterThan(lastAuthTime);
    lastAuthTime = authTime;
  });

  it('OP-prompt-login: the server refuses to "continue" with the existing session (OIDC Core §3.1.2.1 MUST re-authenticate)', async () => {
    const uid = await interactionFor({ prompt: 'login' });
    const continued = await browser.post(`/interaction/${uid}/continue`);
    expect(continued.status).toBeGreaterThanOrEqual(400);
    expect(continued.status).toBeLessThan(500);
  });

  it('oidcc-max-age-1 (OP-Req-max_age=1): an older sign-in is not enough; auth_time is present and later', async () => {
    await pastMaxAgeOne();
    const { driven, tokens } = await codeFlow(rp, browser, scenario.authenticator, { redirectUri: BASIC_CALLBACK, extra: { max_age: '1' }, maxAge: 1 });
    expect(driven.steps).toContain('passkey');
    const authTime = tokens.claims()!.auth_time!;
    expect(authTime).toBeGreaterThan(lastAuthTime);
    lastAuthTime = authTime;
  });

  it('OP-Req-max_age=1: the server refuses to "continue" with a session older than max_age', async () => {
    await pastMaxAgeOne();
    const uid = await interactionFor({ max_age: '1' });
    const continued = await browser.post(`/interaction/${uid}/continue`);
    expect(continued.status).toBeGreaterThanOrEqual(400);
    expect(continued.status).toBeLessThan(500);
  });

  it('oidcc-max-age-10000 (OP-Req-max_age=10000): no new sign-in, and auth_time is that of the last real one', async () => {
    const fresh = new TestBrowser(server.url);
    const first = await codeFlow(rp, fresh, scenario.authenticator, { redirectUri: BASIC_CALLBACK, extra: WITH_AUTH_TIME, maxAge: 86400 });
    const signedInAt = first.tokens.claims()!.auth_time!;
    await pastTheNextSecond();
    const { driven, tokens } = await codeFlow(rp, fresh, null, { redirectUri: BASIC_CALLBACK, extra: { max_age: '10000' }, maxAge: 10000 });
    expect(driven.steps).not.toContain('passkey');
    expect(tokens.claims()!.auth_time).toBe(signedInAt);
  });

  it('oidcc-codereuse and oidcc-codereuse-30seconds (OP-OAuth-2nd, OP-OAuth-2nd-Revokes): a second use fails and revokes what the first got', async () => {
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK });
    const { callbackUrl } = await drive(browser, request.url, scenario.authenticator);
    const checks = { pkceCodeVerifier: request.codeVerifier!, expectedState: request.state, expectedNonce: request.nonce! };
    const tokens = await oidc.authorizationCodeGrant(rp, callbackUrl, checks);
    await expect(oidc.authorizationCodeGrant(rp, callbackUrl, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub)).rejects.toMatchObject({ status: 401 });
  });

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported (OP-request-Unsigned): rejected as unsupported', async () => {
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK });
    const claims = Object.fromEntries(request.url.searchParams);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: clients.basic.id, aud: server.url })).toString('base64url')}.`;
    const url = new URL(request.url);
    url.searchParams.set('request', unsigned);
    const { callbackUrl } = await drive(browser, url, null);
    expect(callbackUrl.searchParams.get('error')).toBe('request_not_supported');
    expect(callbackUrl.searchParams.get('code')).toBeNull();
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported (OP-request_uri-Unsigned): rejected as unsupported', async () => {
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK });
    const url = new URL(request.url);
    url.searchParams.set('request_uri', 'https://rp.example/request.jwt');
    const { callbackUrl } = await drive(browser, url, null);
    expect(callbackUrl.searchParams.get('error')).toBe('request_uri_not_supported');
    expect(callbackUrl.searchParams.get('code')).toBeNull();
  });

  it('oidcc-claims-essential (OP-claims-essential): the claims parameter does not break the request', async () => {
    const claims = JSON.stringify({ userinfo: { name: { essential: true } } });
    const { tokens } = await codeFlow(rp, browser, scenario.authenticator, { redirectUri: BASIC_CALLBACK, scope: 'openid profile', extra: { claims } });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    if (rp.serverMetadata().claims_parameter_supported) expect(userinfo.name).toBe('Pocket ID Admin');
  });

  it('oidcc-refresh-token: new tokens whose ID token keeps iss, sub, aud, azp and auth_time (OIDC Core §12.2); no other client may use it', async () => {
    const { request, tokens } = await codeFlow(rp, browser, scenario.authenticator, {
      redirectUri: BASIC_CALLBACK,
      scope: 'openid profile offline_access',
      extra: { prompt: 'consent', ...WITH_AUTH_TIME },
      maxAge: 86400,
    });
    expect(tokens.refresh_token).toBeTruthy();
    const original = await checkIdToken(server, tokens.id_token!, { clientId: clients.basic.id, nonce: request.nonce });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const renewed = decodeJwt(refreshed.id_token!).payload;
    await checkIdToken(server, refreshed.id_token!, { clientId: clients.basic.id, nonce: (renewed.nonce as string | undefined) ?? null });
    for (const claim of ['iss', 'sub', 'aud', 'azp', 'auth_time']) expect(renewed[claim], claim).toEqual(original[claim]);
    expect(renewed.iat as number).toBeGreaterThanOrEqual(original.iat as number);

    const byOtherClient = await postForm(server, '/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshed.refresh_token!,
      client_id: clients.post.id,
      client_secret: clients.post.secret,
    });
    expect(byOtherClient).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds: S256 from a confidential client; a wrong verifier fails', async () => {
    const { tokens } = await codeFlow(rp, browser, scenario.authenticator, { redirectUri: BASIC_CALLBACK });
    expect(tokens.access_token).toBeTruthy();
    const request = await authorizationRequest(rp, { redirectUri: BASIC_CALLBACK });
    const { callbackUrl } = await drive(browser, request.url, scenario.authenticator);
    await expect(
      oidc.authorizationCodeGrant(rp, callbackUrl, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: request.state, expectedNonce: request.nonce! }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
