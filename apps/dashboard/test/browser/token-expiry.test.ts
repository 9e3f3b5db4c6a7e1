// An ID token that runs out while the dashboard is open: the next call to the server renews it
// (refresh token) or signs in again (a round trip to the provider, back to the same page),
// and never sends the expired token to collect a 401.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPerson, startSignInSetup, storedIdentity } from './support.js';
import type { Person, SignInSetup } from './support.js';

/** The app renews a token with less than 10 seconds left; this one gets there 3 seconds after it is issued. */
const ID_TOKEN_SECONDS = 13;

function conf(issuer: string): string {
  return `
pageInfo:
  title: Homelab
appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: dashboard-client
      endpoint: ${issuer}
      adminGroup: admins
pages:
  - name: Media
    path: media.yml
sections:
  - name: Everyday
    items:
      - title: Photos
        icon: fas fa-camera
        url: http://photos.home.arpa
`;
}

const files = { 'media.yml': 'sections:\n  - name: Streaming\n    items:\n      - title: Jellyfin\n        icon: si-jellyfin\n        url: http://jellyfin.home.arpa\n' };
const accounts = [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }];

async function signInAndLetTokenExpire(who: Person, origin: string): Promise<string> {
  await who.page.goto(`${origin}/`);
  await who.page.locator('[data-username]').waitFor();
  const { ID_TOKEN: first } = await storedIdentity(who.page);
  const claims = JSON.parse(Buffer.from(first!.split('.')[1]!, 'base64url').toString()) as { exp: number };
  await who.page.waitForTimeout(Math.max(0, (claims.exp - 10) * 1000 - Date.now()) + 500);
  return first!;
}

describe.each([
  { renewal: 'a new sign-in at the provider', refreshTokens: false },
  { renewal: 'the refresh token', refreshTokens: true },
])('an expired ID token, renewed through $renewal', ({ refreshTokens }) => {
  let browser: Browser;
  let setup: SignInSetup;
  let alice: Person | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    setup = await startSignInSetup(
      { shape: 'pocket-id', clientId: 'dashboard-client', accounts, defaultAccountId: 'alice', idTokenTtl: ID_TOKEN_SECONDS, refreshTokens },
      (provider) => conf(provider.issuer),
      { files },
    );
  });

  afterEach(async () => {
    expect(alice?.errors).toEqual([]);
    await alice?.context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.stop();
  });

  it('renews before the next call and never collects a 401', async () => {
    alice = await openPerson(browser, setup.origin);
    const first = await signInAndLetTokenExpire(alice, setup.origin);
    const before = alice.requests.length;

    await alice.page.getByRole('link', { name: 'Media' }).click();
    await alice.page.locator('[data-section]', { hasText: 'Streaming' }).waitFor();
    expect(alice.page.url()).toBe(`${setup.origin}/home/media`);

    const after = alice.requests.slice(before);
    const mediaCalls = after.filter((request) => request.url === `${setup.origin}/media.yml`);
    expect(mediaCalls.length).toBeGreaterThan(0);
    expect(mediaCalls.every((request) => request.authorization?.startsWith('Bearer ') && request.authorization !== `Bearer ${first}`)).toBe(true);
    const { ID_TOKEN: renewed } = await storedIdentity(alice.page);
    expect(renewed).not.toBe(first);
    expect(mediaCalls.at(-1)!.authorization).toBe(`Bearer ${renewed}`);

    const wentToProvider = after.some((request) => request.url.startsWith(`${setup.provider.issuer}/auth?`));
    const usedRefreshToken = after.some((request) => request.method === 'POST' && request.url === `${setup.provider.issuer}/token`);
    if (refreshTokens) {
      expect(wentToProvider).toBe(false);
      expect(usedRefreshToken).toBe(true);
    } else {
      expect(wentToProvider).toBe(true);
    }
    expect(alice.responses.filter((response) => response.status === 401)).toEqual([]);
    expect(alice.requests.filter((request) => request.authorization === `Bearer ${first}` && request.url === `${setup.origin}/media.yml`)).toEqual([]);
  });
});
