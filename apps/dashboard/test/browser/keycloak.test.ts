// The same sign-in against a provider shaped like Keycloak: the issuer lives under
// /realms/<realm>, roles come in realm_access, admin is decided by adminRole, and idpHint
// becomes kc_idp_hint on the way to the provider.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPerson, startSignInSetup, storedIdentity } from './support.js';
import type { Person, SignInSetup } from './support.js';

const REALM = 'homelab';

function conf(issuer: string): string {
  const serverUrl = issuer.slice(0, issuer.indexOf('/realms/'));
  return `
pageInfo:
  title: Keycloak homelab
appConfig:
  auth:
    enableKeycloak: true
    keycloak:
      serverUrl: ${serverUrl}
      realm: ${REALM}
      clientId: dashboard-client
      adminRole: dashboard-admin
      idpHint: github
sections:
  - name: Everyone
    items:
      - title: Wiki
        icon: fas fa-book
        url: http://wiki.home.arpa
  - name: Operators
    displayData:
      showForKeycloakUsers:
        roles: [dashboard-admin]
    items:
      - title: Keycloak console
        icon: fas fa-key
        url: http://keycloak-console.home.arpa
`;
}

const accounts = [
  {
    id: 'olga',
    claims: {
      preferred_username: 'olga',
      realm_access: { roles: ['dashboard-admin', 'offline_access'] },
      resource_access: { 'dashboard-client': { roles: ['viewer'] } },
    },
  },
  { id: 'pete', claims: { preferred_username: 'pete', realm_access: { roles: ['offline_access'] } } },
];

describe('signing in through a Keycloak-shaped provider', () => {
  let browser: Browser;
  let setup: SignInSetup;
  let person: Person | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    setup = await startSignInSetup({ shape: 'keycloak', realm: REALM, clientId: 'dashboard-client', accounts, defaultAccountId: 'olga' }, (provider) =>
      conf(provider.issuer),
    );
  });

  afterEach(async () => {
    expect(person?.errors).toEqual([]);
    await person?.context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.stop();
  });

  it('signs an admin in through the realm, with the identity-provider hint, and keeps the roles', async () => {
    setup.provider.interaction.accountId = 'olga';
    person = await openPerson(browser, setup.origin);
    await person.page.goto(`${setup.origin}/`);
    await person.page.locator('[data-username]').waitFor();

    const authorize = person.requests.find((request) => request.url.startsWith(`${setup.provider.issuer}/auth?`));
    expect(authorize).toBeDefined();
    expect(new URL(authorize!.url).pathname).toBe(`/realms/${REALM}/auth`);
    expect(new URL(authorize!.url).searchParams.get('kc_idp_hint')).toBe('github');
    expect(new URL(authorize!.url).searchParams.get('redirect_uri')).toBe(setup.origin);

    expect(await person.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Everyone', 'Operators']);
    const stored = await storedIdentity(person.page);
    expect(stored.username).toBe('olga');
    expect(stored.isAdmin).toBe('true');
    const info = JSON.parse(stored.keycloakInfo!) as { groups: string[]; roles: string[] };
    expect(info.groups).toEqual([]);
    expect(info.roles).toEqual(expect.arrayContaining(['dashboard-admin', 'viewer']));
    expect(await person.page.locator('header').getByRole('button', { name: /edit/i }).count()).toBeGreaterThan(0);
  });

  it('shows someone without the admin role only what they may see, and no editing controls', async () => {
    setup.provider.interaction.accountId = 'pete';
    person = await openPerson(browser, setup.origin);
    await person.page.goto(`${setup.origin}/`);
    await person.page.locator('[data-username]').waitFor();
    await person.page.waitForLoadState('networkidle');

    expect(await person.page.locator('[data-section] h2').allInnerTexts()).toEqual(['Everyone']);
    expect(await storedIdentity(person.page)).toMatchObject({ username: 'pete', isAdmin: 'false' });
    expect(await person.page.getByRole('button', { name: /edit/i }).count()).toBe(0);
    for (const response of person.responses) {
      expect(response.body, response.url).not.toContain('Keycloak console');
    }
  });
});
