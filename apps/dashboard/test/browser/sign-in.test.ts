// The seed's sign-in, in a real browser: a visit goes to the identity provider and lands back
// on the dashboard signed in; each person sees only their sections; a refusal explains
// itself; sign-out ends the session at the provider and comes back signed out.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPerson, screenshot, startSignInSetup, storedIdentity } from './support.js';
import type { Person, SignInSetup } from './support.js';

const CLIENT_ID = 'dashboard-client';

const mediaPage = `
pageInfo:
  description: Films and music
sections:
  - name: Streaming
    items:
      - title: Jellyfin
        icon: si-jellyfin
        url: http://jellyfin.home.arpa
`;

function conf(issuer: string): string {
  return `
pageInfo:
  title: Homelab
  description: Services at home
appConfig:
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${issuer}
      adminGroup: admins
      scope: openid profile email groups
pages:
  - name: Media
    path: media.yml
sections:
  - name: Everyday
    items:
      - title: Photos
        icon: fas fa-camera
        url: http://photos.home.arpa
      - title: Interns wiki
        icon: fas fa-book
        url: http://interns-wiki.home.arpa
        displayData:
          hideForKeycloakUsers:
            groups: [interns]
  - name: Admin tools
    displayData:
      showForKeycloakUsers:
        groups: [admins]
    items:
      - title: Router admin
        icon: fas fa-network-wired
        url: http://router-admin.home.arpa
`;
}

const accounts = [
  { id: 'alice', claims: { preferred_username: 'alice', email: 'alice@example.com', name: 'Alice', groups: ['admins'] } },
  { id: 'bob', claims: { preferred_username: 'bob', email: 'bob@example.com', name: 'Bob', groups: ['interns'] } },
];

describe('signing in through OIDC in a browser', () => {
  let browser: Browser;
  let setup: SignInSetup;
  const people: Person[] = [];

  async function person(): Promise<Person> {
    const next = await openPerson(browser, setup.origin);
    people.push(next);
    return next;
  }

  async function signedIn(who: Person, path = '/'): Promise<void> {
    await who.page.goto(`${setup.origin}${path}`);
    await who.page.locator('[data-username]').waitFor();
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    setup = await startSignInSetup({ shape: 'pocket-id', clientId: CLIENT_ID, accounts, defaultAccountId: 'alice' }, (provider) => conf(provider.issuer), {
      files: { 'media.yml': mediaPage },
    });
  });

  afterEach(async () => {
    setup.provider.interaction.accountId = 'alice';
    setup.provider.interaction.refuse = undefined;
    for (const who of people.splice(0)) {
      expect(who.errors).toEqual([]);
      await who.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.stop();
  });

  it('goes to the provider and lands back on the dashboard, signed in', async () => {
    const alice = await person();
    await signedIn(alice);

    const authorize = alice.requests.find((request) => request.url.startsWith(`${setup.provider.issuer}/auth?`));
    expect(authorize).toBeDefined();
    const params = new URL(authorize!.url).searchParams;
    expect(params.get('redirect_uri')).toBe(setup.origin);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('scope')).toBe('openid profile email groups');
    expect(params.get('client_id')).toBe(CLIENT_ID);

    expect(alice.page.url()).toBe(`${setup.origin}/`);
    expect(await alice.page.locator('[data-username]').textContent()).toBe('alice');
    expect(await alice.page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await alice.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Everyday', 'Admin tools']);
    expect(await alice.page.locator('[data-item]').count()).toBe(3);

    const withToken = alice.requests.filter((request) => request.url === `${setup.origin}/conf.yml` && request.authorization?.startsWith('Bearer '));
    expect(withToken.length).toBeGreaterThan(0);
    const stored = await storedIdentity(alice.page);
    expect(withToken[0]!.authorization).toBe(`Bearer ${stored.ID_TOKEN}`);
    expect(JSON.parse(stored.keycloakInfo!)).toEqual({ groups: ['admins'], roles: [] });
    expect(stored.username).toBe('alice');
    expect(stored.isAdmin).toBe('true');
    // The callback's code and state are gone from the address bar and from history.
    expect(alice.page.url()).not.toContain('code=');
  });

  it('shows a non-admin only their sections, and never sends the hidden ones', async () => {
    setup.provider.interaction.accountId = 'bob';
    const bob = await person();
    await signedIn(bob);
    await bob.page.waitForLoadState('networkidle');

    expect(await bob.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Everyday']);
    expect(await bob.page.locator('[data-item]').allInnerTexts()).toEqual(['Photos']);
    expect(await storedIdentity(bob.page)).toMatchObject({ username: 'bob', isAdmin: 'false', keycloakInfo: JSON.stringify({ groups: ['interns'], roles: [] }) });
    const configAnswers = bob.responses.filter((response) => /\.ya?ml$/.test(new URL(response.url).pathname));
    expect(configAnswers.length).toBeGreaterThan(0);
    for (const response of bob.responses) {
      for (const hidden of ['Admin tools', 'Router admin', 'router-admin.home.arpa', 'Interns wiki', 'interns-wiki.home.arpa']) {
        expect(response.body, `${response.url} mentions ${hidden}`).not.toContain(hidden);
      }
    }
  });

  it('returns to the page the person asked for', async () => {
    const alice = await person();
    await signedIn(alice, '/home/media');
    expect(alice.page.url()).toBe(`${setup.origin}/home/media`);
    expect(await alice.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Streaming']);
    expect(await alice.page.locator('#main-heading').textContent()).toContain('Media');
    const mediaRequest = alice.requests.find((request) => request.url === `${setup.origin}/media.yml`);
    expect(mediaRequest?.authorization).toMatch(/^Bearer /);
  });

  it('explains a refusal by the provider instead of looping, and tries again on request', async () => {
    setup.provider.interaction.refuse = 'This account may not use the dashboard';
    const carol = await person();
    await carol.page.goto(`${setup.origin}/`);
    await carol.page.getByRole('heading', { name: 'Sign-in did not complete' }).waitFor();
    expect(await carol.page.locator('[data-error]').textContent()).toBe('access_denied');
    expect(await carol.page.locator('[data-error-description]').textContent()).toBe('This account may not use the dashboard');
    expect(await carol.page.locator('[data-redirect-uri]').textContent()).toBe(setup.origin);
    expect(await carol.page.getByText('lists this exact callback URL').count()).toBeGreaterThan(0);
    const authorizations = carol.requests.filter((request) => request.url.startsWith(`${setup.provider.issuer}/auth?`));
    expect(authorizations).toHaveLength(1);
    expect(await carol.page.locator('[data-section]').count()).toBe(0);
    await screenshot(carol.page, 'dashboard-sign-in-problem');

    setup.provider.interaction.refuse = undefined;
    await carol.page.getByRole('button', { name: 'Try again' }).click();
    await carol.page.locator('[data-username]').waitFor();
    expect(await carol.page.locator('[data-username]').textContent()).toBe('alice');
  });

  it('signs out at the provider with the ID token and comes back signed out', async () => {
    const alice = await person();
    await signedIn(alice);
    const idToken = (await storedIdentity(alice.page)).ID_TOKEN;

    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.waitForURL((url) => url.href.startsWith(setup.provider.issuer));
    const endSession = alice.requests.find((request) => request.url.startsWith(`${setup.provider.issuer}/session/end`));
    expect(endSession).toBeDefined();
    const params = new URL(endSession!.url).searchParams;
    expect(params.get('id_token_hint')).toBe(idToken);
    expect(params.get('post_logout_redirect_uri')).toBe(setup.origin);
    await alice.page.getByRole('button', { name: 'Yes, sign me out' }).click();

    await alice.page.getByRole('heading', { name: 'You have signed out' }).waitFor();
    expect(new URL(alice.page.url()).origin).toBe(setup.origin);
    expect(await storedIdentity(alice.page)).toEqual({ ID_TOKEN: null, keycloakInfo: null, username: null, isAdmin: null });
    expect(await alice.page.locator('[data-section]').count()).toBe(0);
    await screenshot(alice.page, 'dashboard-signed-out');

    // Signing in again asks the provider afresh (its session ended).
    const before = alice.requests.length;
    await alice.page.getByRole('button', { name: 'Sign in again' }).click();
    await alice.page.locator('[data-username]').waitFor();
    expect(alice.requests.slice(before).some((request) => request.url.startsWith(`${setup.provider.issuer}/interaction/`))).toBe(true);
  });
});

describe('signing in from guest access', () => {
  let browser: Browser;
  let setup: SignInSetup;

  beforeAll(async () => {
    browser = await launchBrowser();
    setup = await startSignInSetup({ shape: 'pocket-id', clientId: CLIENT_ID, accounts, defaultAccountId: 'alice' }, (provider) =>
      conf(provider.issuer)
        .replace('    enableOidc: true', '    enableGuestAccess: true\n    enableOidc: true')
        .replace('  - name: Everyday\n', '  - name: Everyday\n    displayData:\n      hideForGuests: true\n')
        .replace('sections:\n', 'sections:\n  - name: Public\n    items:\n      - title: Status page\n        icon: fas fa-heart-pulse\n        url: http://status.home.arpa\n'),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.stop();
  });

  it('shows a guest the public sections without a redirect, and signs in on request', async () => {
    const guest = await openPerson(browser, setup.origin);
    await guest.page.goto(`${setup.origin}/`);
    await guest.page.locator('[data-section]').first().waitFor();
    expect(await guest.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Public']);
    expect(guest.requests.some((request) => request.url.startsWith(setup.provider.issuer))).toBe(false);
    expect(await guest.page.locator('[data-username]').count()).toBe(0);

    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    await guest.page.locator('[data-username]').waitFor();
    expect(await guest.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Public', 'Everyday', 'Admin tools']);
    expect(guest.errors).toEqual([]);
    await guest.context.close();
  });
});
