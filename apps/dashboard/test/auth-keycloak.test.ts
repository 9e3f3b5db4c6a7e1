// The same pipeline against a second, independent provider shaped like Keycloak: issuer
// below /realms/<realm>, roles in realm_access / resource_access, no groups claim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = 'hearth-dashboard';

let provider: TestProvider;
const dashboards: TestDashboard[] = [];
const tokens: Record<string, string> = {};

function config(auth: string): string {
  return `pageInfo:
  title: Realm Lab
appConfig:
  auth:
${auth}
sections:
  - name: Everyone
    items:
      - title: Wiki
        url: https://wiki.example.test
  - name: Operators
    displayData:
      showForKeycloakUsers:
        roles: ['operator']
    items:
      - title: Grafana
        url: https://grafana.example.test
`;
}

async function dashboardWith(auth: string): Promise<TestDashboard> {
  const dashboard = await startTestDashboard({ config: config(auth) });
  dashboards.push(dashboard);
  return dashboard;
}

beforeAll(async () => {
  provider = await startTestProvider({
    shape: 'keycloak',
    realm: 'hearth',
    clientId: CLIENT_ID,
    accounts: [
      { id: 'rita', claims: { preferred_username: 'rita', realm_access: { roles: ['dashboard-admin', 'operator'] } } },
      {
        id: 'carl',
        claims: { preferred_username: 'carl', realm_access: { roles: ['user'] }, resource_access: { [CLIENT_ID]: { roles: ['dashboard-admin'] } } },
      },
      { id: 'olga', claims: { preferred_username: 'olga', realm_access: { roles: ['operator'] } } },
      { id: 'uma', claims: { preferred_username: 'uma', realm_access: { roles: ['user'] } } },
    ],
  });
  for (const id of ['rita', 'carl', 'olga', 'uma']) tokens[id] = (await signIn(provider, id)).idToken;
});

afterAll(async () => {
  for (const dashboard of dashboards) await dashboard.stop();
  await provider?.close();
});

describe('a provider shaped like Keycloak', () => {
  it('issues ID tokens with realm roles and no groups', async () => {
    const { claims } = await signIn(provider, 'rita');
    expect(claims.iss).toBe(`http://127.0.0.1:${provider.port}/realms/hearth`);
    expect(claims.realm_access).toEqual({ roles: ['dashboard-admin', 'operator'] });
    expect(claims.groups).toBeUndefined();
  });

  describe('with enableKeycloak (issuer = serverUrl/realms/realm)', () => {
    let dashboard: TestDashboard;
    beforeAll(async () => {
      dashboard = await dashboardWith(`    enableKeycloak: true
    keycloak:
      serverUrl: http://127.0.0.1:${provider.port}
      realm: hearth
      clientId: ${CLIENT_ID}
      adminRole: dashboard-admin`);
    });

    it('makes a realm-role holder an admin: source view and saving', async () => {
      const view = await dashboard.get('/conf.yml', tokens.rita);
      expect(view.headers.get('x-hearth-config-view')).toBe('source');
      const text = await view.text();
      const saved = await dashboard.save({ config: text.replace('Realm Lab', 'Realm Lab 2') }, tokens.rita);
      expect(saved.status).toBe(200);
    });

    it('makes a client-role holder (resource_access.<clientId>.roles) an admin', async () => {
      expect((await dashboard.get('/conf.yml', tokens.carl)).headers.get('x-hearth-config-view')).toBe('source');
    });

    it('filters by role for non-admins and refuses their saves with 403', async () => {
      const olga = parse(await (await dashboard.get('/conf.yml', tokens.olga)).text());
      expect(olga.sections.map((section: { name: string }) => section.name)).toEqual(['Everyone', 'Operators']);
      const uma = parse(await (await dashboard.get('/conf.yml', tokens.uma)).text());
      expect(uma.sections.map((section: { name: string }) => section.name)).toEqual(['Everyone']);
      const saved = await dashboard.save({ config: 'sections: []\n' }, tokens.olga);
      expect(saved.status).toBe(403);
    });

    it('sends the bootstrap to a signed-out browser and 401 to a signed-out save', async () => {
      const bootstrap = await dashboard.get('/conf.yml');
      expect(bootstrap.headers.get('cache-control')).toBe('private, no-store');
      expect(bootstrap.headers.get('vary')).toMatch(/Authorization/);
      const body = parse(await bootstrap.text());
      expect(Object.keys(body).sort()).toEqual(['appConfig', 'pageInfo']);
      expect(body.appConfig.auth.keycloak.realm).toBe('hearth');
      expect(body.sections).toBeUndefined();
      expect((await dashboard.save({ config: 'sections: []\n' })).status).toBe(401);
    });
  });

  describe('with enableOidc pointing at the realm', () => {
    it('uses the endpoint verbatim as the issuer and checks adminRole', async () => {
      const dashboard = await dashboardWith(`    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${provider.issuer}
      adminRole: dashboard-admin`);
      expect((await dashboard.get('/conf.yml', tokens.rita)).headers.get('x-hearth-config-view')).toBe('source');
      expect((await dashboard.get('/conf.yml', tokens.uma)).headers.get('x-hearth-config-view')).toBe('filtered');
    });

    it('refuses every token when the endpoint names another realm', async () => {
      // Discovery at /realms/other fails, so this is the provider being unreachable, not a 500.
      const dashboard = await dashboardWith(`    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: http://127.0.0.1:${provider.port}/realms/other
      adminRole: dashboard-admin`);
      const response = await dashboard.get('/conf.yml', tokens.rita);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: 'identity provider unavailable',
        reason: `cannot reach the identity provider at http://127.0.0.1:${provider.port}/realms/other`,
      });
    });
  });
});
