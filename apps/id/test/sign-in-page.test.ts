import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { relyingParty } from './support/oidc-flow.js';
import { startTestServer, type TestServer } from './support/server.js';
import { requireWebAppBuild } from './browser/support.js';

const CALLBACK = 'http://localhost:4000/';
const LIMIT = 3;

/** The boot block of a page the web app is served in. */
function bootData(page: string) {
  const block = /<script type="application\/json" id="hearth-boot">([^<]*)<\/script>/.exec(page);
  expect(block).not.toBeNull();
  return JSON.parse(block![1]!);
}

/**
 * The sign-in page of an authorization carries the passkey options (a fresh challenge), so a
 * click goes straight to the passkey prompt; the page therefore counts as a sign-in request.
 */
describe("an app's sign-in page", () => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let config: oidc.Configuration;

  beforeAll(async () => {
    requireWebAppBuild();
    server = await startTestServer({ env: { SIGN_IN_RATE_LIMIT: String(LIMIT) } });
    scenario = await seedScenario(server, { trusted: true });
    config = await relyingParty(server, scenario.client.id);
  });
  afterAll(async () => server?.stop());

  async function openSignIn(browser: TestBrowser) {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const redirect = await browser.get(url);
    const page = await browser.get(redirect.location!);
    return { uid: redirect.location!.pathname.split('/')[2]!, page };
  }

  it('carries passkey options whose challenge signs the person in, without asking for options', async () => {
    const browser = new TestBrowser(server.url);
    const { uid, page } = await openSignIn(browser);
    expect(page.status).toBe(200);
    const { interaction } = bootData(page.text);
    expect(interaction).toMatchObject({ uid, prompt: { name: 'login' }, continueAllowed: false });
    expect(interaction.passkeyOptions).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
    expect(interaction.passkeyOptions.challenge).toMatch(/^[\w-]{43}$/);

    const signedIn = await browser.post(`/interaction/${uid}/passkey`, { response: scenario.authenticator.authenticate(interaction.passkeyOptions) });
    expect(signedIn.status).toBe(200);
    expect(new URL(signedIn.json().redirectTo).pathname).toBe(`/authorize/${uid}`);

    // Its details, asked for on their own, make no challenge.
    const again = await openSignIn(new TestBrowser(server.url));
    const details = (await new TestBrowser(server.url).get(`/interaction/${again.uid}/details`)).json();
    expect(details.passkeyOptions).toBeUndefined();
  });

  it('counts under the sign-in rate limit, as the options request it replaces does', async () => {
    // The test above opened pages in this minute too, so the limit is reached within LIMIT + 2.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i += 1) statuses.push((await openSignIn(new TestBrowser(server.url))).page.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(LIMIT);
  });
});
