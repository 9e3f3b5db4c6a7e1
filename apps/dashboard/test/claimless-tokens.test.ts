// Genuine ID tokens that leave claims out: a sign-in without the `groups` or `roles` scope,
// or a provider account without preferred_username. A hide rule must not read a missing
// claim as "in no groups", and a user rule must not fall back to an email the person can set.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = 'claimless-client';
const WITHOUT_GROUPS = 'openid profile email';

function confYml(auth: string): string {
  return `appConfig:
  auth:
${auth}
pages:
  - name: Grown-ups
    path: grown-ups.yml
    displayData:
      hideForKeycloakUsers:
        groups: ['kids']
sections:
  - name: Everyone
    items:
      - title: Homework
        url: https://homework.example.test
      - title: Bank
        url: https://bank.example.test
        displayData:
          hideForKeycloakUsers:
            groups: ['kids']
      - title: Payroll
        url: https://payroll.example.test
        displayData:
          hideForKeycloakUsers:
            roles: ['intern']
  - name: Late-night TV
    displayData:
      hideForKeycloakUsers:
        groups: ['kids']
    items:
      - title: Streams
        url: https://streams.example.test
  - name: Carol's corner
    displayData:
      showForUsers: ['carol', 'carol@example.com']
    items:
      - title: Diary
        url: https://diary.example.test
  - name: Not for Bob
    displayData:
      hideForUsers: ['bob']
    items:
      - title: Presents
        url: https://presents.example.test
`;
}

interface Shape {
  pages: string[];
  sections: Record<string, string[]>;
}

async function shapeOf(dashboard: TestDashboard, token: string): Promise<Shape> {
  const response = await dashboard.get('/conf.yml', token);
  expect(response.status).toBe(200);
  const config = parse(await response.text()) as { pages?: Array<{ name: string }>; sections?: Array<{ name: string; items?: Array<{ title: string }> }> };
  return {
    pages: (config.pages ?? []).map((page) => page.name),
    sections: Object.fromEntries((config.sections ?? []).map((section) => [section.name, (section.items ?? []).map((item) => item.title)])),
  };
}

async function statusCheck(dashboard: TestDashboard, url: string, token: string): Promise<number> {
  return (await dashboard.get(`/status-check?url=${encodeURIComponent(url)}`, token)).status;
}

describe('a groups-claim provider (Pocket ID, Hearth ID)', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    provider = await startTestProvider({
      shape: 'pocket-id',
      clientId: CLIENT_ID,
      accounts: [
        { id: 'kim', claims: { preferred_username: 'kim', groups: ['kids'] } },
        { id: 'carol', claims: { preferred_username: 'carol', email: 'carol@example.com', groups: ['adults'] } },
        // No username at the provider, and an email she chose herself.
        { id: 'mallory', claims: { email: 'carol@example.com', groups: ['adults'] } },
      ],
    });
    dashboard = await startTestDashboard({
      config: confYml(`    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${provider.issuer}
      adminGroup: admins`),
      files: { 'grown-ups.yml': 'sections:\n  - name: Wine cellar\n' },
    });
    tokens.kimWithGroups = (await signIn(provider, 'kim')).idToken;
    // The same person, through a client that did not ask for the groups scope.
    tokens.kim = (await signIn({ ...provider, scope: WITHOUT_GROUPS }, 'kim')).idToken;
    tokens.carol = (await signIn(provider, 'carol')).idToken;
    tokens.mallory = (await signIn(provider, 'mallory')).idToken;
  });

  afterAll(async () => {
    await dashboard?.stop();
    await provider?.close();
  });

  it('issues the tokens the tests need', () => {
    expect(decodeJwt(tokens.kimWithGroups!).groups).toEqual(['kids']);
    expect(decodeJwt(tokens.kim!)).not.toHaveProperty('groups');
    expect(decodeJwt(tokens.kim!).preferred_username).toBe('kim');
    expect(decodeJwt(tokens.mallory!)).not.toHaveProperty('preferred_username');
    expect(decodeJwt(tokens.mallory!).email).toBe('carol@example.com');
  });

  it('hides what hideForKeycloakUsers names from a token without a groups claim, as from a member', async () => {
    const expected: Shape = {
      pages: [],
      sections: { Everyone: ['Homework'], 'Not for Bob': ['Presents'] },
    };
    expect(await shapeOf(dashboard, tokens.kimWithGroups!)).toEqual(expected);
    expect(await shapeOf(dashboard, tokens.kim!)).toEqual(expected);
  });

  it('refuses the hidden page and the hidden items to that token on every route', async () => {
    expect((await dashboard.get('/grown-ups.yml', tokens.kim)).status).toBe(403);
    expect(await statusCheck(dashboard, 'https://bank.example.test', tokens.kim!)).toBe(403);
    expect(await statusCheck(dashboard, 'https://streams.example.test', tokens.kim!)).toBe(403);
  });

  it('treats an empty claim as known: a user in other groups sees the group rules pass', async () => {
    // Carol's token has groups but no roles claim: the roles rule hides Payroll from her.
    expect(await shapeOf(dashboard, tokens.carol!)).toEqual({
      pages: ['Grown-ups'],
      sections: { Everyone: ['Homework', 'Bank'], 'Late-night TV': ['Streams'], "Carol's corner": ['Diary'], 'Not for Bob': ['Presents'] },
    });
    expect((await dashboard.get('/grown-ups.yml', tokens.carol)).status).toBe(200);
    expect(await statusCheck(dashboard, 'https://payroll.example.test', tokens.carol!)).toBe(403);
  });

  it('matches user rules on preferred_username only, never on an email', async () => {
    // Mallory's email equals an entry of showForUsers; without a username she matches no user
    // rule, and hideForUsers cannot tell that she is not Bob.
    expect(await shapeOf(dashboard, tokens.mallory!)).toEqual({
      pages: ['Grown-ups'],
      sections: { Everyone: ['Homework', 'Bank'], 'Late-night TV': ['Streams'] },
    });
    expect(await statusCheck(dashboard, 'https://diary.example.test', tokens.mallory!)).toBe(403);
  });
});

describe('a roles-claim provider (Keycloak)', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    provider = await startTestProvider({
      shape: 'keycloak',
      realm: 'home',
      clientId: CLIENT_ID,
      accounts: [
        { id: 'ingrid', claims: { preferred_username: 'ingrid', realm_access: { roles: ['intern'] } } },
        { id: 'olaf', claims: { preferred_username: 'olaf', realm_access: { roles: ['staff'] } } },
      ],
    });
    dashboard = await startTestDashboard({
      config: confYml(`    enableKeycloak: true
    keycloak:
      serverUrl: http://127.0.0.1:${provider.port}
      realm: home
      clientId: ${CLIENT_ID}`),
      files: { 'grown-ups.yml': 'sections:\n  - name: Wine cellar\n' },
    });
    tokens.ingridWithRoles = (await signIn(provider, 'ingrid')).idToken;
    tokens.ingrid = (await signIn({ ...provider, scope: 'openid profile email' }, 'ingrid')).idToken;
    tokens.olaf = (await signIn(provider, 'olaf')).idToken;
  });

  afterAll(async () => {
    await dashboard?.stop();
    await provider?.close();
  });

  it('hides what a roles rule names from a token without roles, as from a holder', async () => {
    expect(decodeJwt(tokens.ingrid!)).not.toHaveProperty('realm_access');
    // Without a groups claim the groups rules hide too, whoever it is.
    const expected: Shape = { pages: [], sections: { Everyone: ['Homework'], 'Not for Bob': ['Presents'] } };
    expect(await shapeOf(dashboard, tokens.ingridWithRoles!)).toEqual(expected);
    expect(await shapeOf(dashboard, tokens.ingrid!)).toEqual(expected);
    expect(await statusCheck(dashboard, 'https://payroll.example.test', tokens.ingrid!)).toBe(403);
  });

  it('hides what a groups rule names from every user of a provider that sends no groups', async () => {
    // Olaf holds roles but his token, like every Keycloak token without a groups mapper, has no
    // groups claim: the groups rules hide from him; the roles rule does not.
    expect(decodeJwt(tokens.olaf!)).not.toHaveProperty('groups');
    expect(await shapeOf(dashboard, tokens.olaf!)).toEqual({
      pages: [],
      sections: { Everyone: ['Homework', 'Payroll'], 'Not for Bob': ['Presents'] },
    });
  });
});
