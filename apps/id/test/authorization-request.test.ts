import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';

/** The authorization request as OIDC Core §3.1.2.1 and §5.5 describe it: sent with POST, and with a claims parameter. */
describe('authorization requests: POST and the claims parameter', () => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let trusted: oidc.Configuration;
  let untrusted: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer();
    scenario = await seedScenario(server, { trusted: true });
    trusted = await relyingParty(server, scenario.client.id);
    const { client } = await createClient(server.ctx.database.db, { name: 'Asks consent', callbackUrls: [CALLBACK], isPublic: true });
    untrusted = await relyingParty(server, client.id);
  });
  afterAll(async () => server?.stop());

  async function redeem(config: oidc.Configuration, result: Awaited<ReturnType<typeof authorize>>) {
    return oidc.authorizationCodeGrant(config, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier ?? undefined,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
  }

  it('discovery says the claims parameter is supported', () => {
    expect(trusted.serverMetadata().claims_parameter_supported).toBe(true);
  });

  it('puts the claims asked for by name where they were asked for, groups included, without their scopes', async () => {
    const claims = JSON.stringify({ id_token: { groups: null, preferred_username: { essential: true } }, userinfo: { email: null } });
    const result = await authorize(trusted, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid', extra: { claims } });
    const tokens = await redeem(trusted, result);
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({ sub: scenario.user.id, groups: ['admins'], preferred_username: 'pocketid-admin' });
    expect(idToken.email).toBeUndefined();
    const userinfo = await oidc.fetchUserInfo(trusted, tokens.access_token, scenario.user.id);
    expect(userinfo).toMatchObject({ sub: scenario.user.id, email: 'admin@example.com' });
    expect(userinfo.groups).toBeUndefined();
  });

  it('asks consent for claims asked for by name, and lists them on the consent screen', async () => {
    const browser = new TestBrowser(server.url);
    const claims = JSON.stringify({ id_token: { groups: null } });
    const url = oidc.buildAuthorizationUrl(untrusted, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      claims,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    let { url: landed } = await browser.follow(url);
    const uid = landed.pathname.split('/')[2]!;
    const options = await browser.post(`/interaction/${uid}/passkey-options`);
    const signedIn = await browser.post(`/interaction/${uid}/passkey`, { response: scenario.authenticator.authenticate(options.json()) });
    ({ url: landed } = await browser.follow(new URL(signedIn.json().redirectTo, server.url)));
    const details = (await browser.get(`/interaction/${landed.pathname.split('/')[2]}/details`)).json();
    expect(details.prompt.name).toBe('consent');
    expect(details.claims).toEqual(['groups']);

    const result = await authorize(untrusted, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid', extra: { claims } });
    expect((await redeem(untrusted, result)).claims()).toMatchObject({ groups: ['admins'] });
  });

  it('ends a request that makes acr essential with unmet_authentication_requirements', async () => {
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:example:loa:3'] } } });
    const result = await authorize(trusted, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid', extra: { claims } });
    expect(result.callbackUrl.searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  it('answers a POST at the authorization endpoint with the same request as a GET, which then signs in as usual', async () => {
    const browser = new TestBrowser(server.url);
    const first = await authorize(trusted, browser, scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid profile' });
    await redeem(trusted, first);

    const codeVerifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: scenario.client.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state: 'post-state',
      nonce: 'post-nonce',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    // A form another site submits: no Origin of ours, no cookies needed for the answer.
    const posted = await fetch(new URL('/authorize', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:4000' },
      body: params,
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.getSetCookie()).toEqual([]);
    const location = new URL(posted.headers.get('location')!, server.url);
    expect(location.origin + location.pathname).toBe(`${server.url}/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual(Object.fromEntries(params));

    // The browser follows with its cookies, as for any link to the endpoint: this one is
    // signed in, so the app gets its code without a screen.
    const { url: callback } = await browser.follow(location);
    expect(callback.searchParams.get('state')).toBe('post-state');
    const tokens = await oidc.authorizationCodeGrant(trusted, callback, { pkceCodeVerifier: codeVerifier, expectedState: 'post-state', expectedNonce: 'post-nonce' });
    expect(tokens.claims()?.sub).toBe(scenario.user.id);
  });

  it('refuses a POST that is not a form, or is far too large, as a 4xx', async () => {
    const json = await fetch(new URL('/authorize', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });
    expect(json.status).toBe(400);
    const huge = await fetch(new URL('/authorize', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${'x'.repeat(20_000)}`,
      redirect: 'manual',
    });
    expect(huge.status).toBe(413);
  });
});
