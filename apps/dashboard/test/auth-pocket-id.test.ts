// The sign-in pipeline against a provider shaped like Pocket ID / Hearth ID: groups in the
// ID token, admin by group. Tokens come from a real authorization-code + PKCE sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = '268a3701-e9ec-41f6-bad5-87c78ce87c94';

let provider: TestProvider;
let dashboard: TestDashboard;
let adminToken: string;
let memberToken: string;

function confYml(endpoint: string): string {
  return `# Home lab dashboard
pageInfo:
  title: Home Lab
appConfig:
  theme: nord
  enableServiceWorker: false
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${endpoint}
      adminGroup: admins
      scope: openid profile email groups
pages:
  - name: Work
    path: work.yml
sections:
  - name: Media
    items:
      - title: Jellyfin # the film server
        url: http://jellyfin.lan:8096
  - name: Internal Tools
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
    items:
      - title: Router
        url: http://192.168.1.1
`;
}

beforeAll(async () => {
  provider = await startTestProvider({
    shape: 'pocket-id',
    clientId: CLIENT_ID,
    accounts: [
      { id: 'alice', claims: { preferred_username: 'alice', email: 'alice@example.test', groups: ['admins'] } },
      { id: 'bob', claims: { preferred_username: 'bob', email: 'bob@example.test', groups: ['family'] } },
    ],
  });
  dashboard = await startTestDashboard({
    config: confYml(provider.issuer),
    files: { 'work.yml': 'sections:\n  - name: Tickets\n    items:\n      - title: Jira\n        url: https://jira.example.test\n' },
  });
  adminToken = (await signIn(provider, 'alice')).idToken;
  memberToken = (await signIn(provider, 'bob')).idToken;
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

describe('a provider shaped like Pocket ID', () => {
  it('puts groups in the ID token obtained through a real sign-in', async () => {
    const { claims } = await signIn(provider, 'alice');
    expect(claims.groups).toEqual(['admins']);
    expect(claims.iss).toBe(provider.issuer);
    expect(claims.aud).toBe(CLIENT_ID);
  });

  it('gives a signed-out browser only the sign-in bootstrap', async () => {
    const response = await dashboard.get('/conf.yml');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('bootstrap');
    const text = await response.text();
    expect(parse(text)).toEqual({
      pageInfo: { title: 'Login | Home Lab' },
      appConfig: {
        auth: {
          enableOidc: true,
          oidc: { clientId: CLIENT_ID, endpoint: provider.issuer, adminGroup: 'admins', scope: 'openid profile email groups' },
        },
        enableServiceWorker: false,
      },
    });
    for (const secret of ['jellyfin', 'Router', '192.168', 'Media', 'work.yml', 'nord']) expect(text).not.toContain(secret);
  });

  it('refuses sub-pages to a signed-out browser', async () => {
    const response = await dashboard.get('/work.yml');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized', reason: 'sign-in required' });
  });

  it('marks every YAML response private and varying by Authorization, 401s included', async () => {
    for (const [path, token] of [
      ['/conf.yml', undefined],
      ['/conf.yml', adminToken],
      ['/conf.yml', memberToken],
      ['/work.yml', undefined],
      ['/work.yml', memberToken],
      ['/conf.yml', 'not-a-token'],
    ] as const) {
      const response = await dashboard.get(path, token);
      expect(response.headers.get('cache-control'), `${path} ${token?.slice(0, 8)}`).toBe('private, no-store');
      expect(response.headers.get('vary')).toMatch(/Authorization/);
    }
  });

  it('gives an admin (by group) the file as written, comments included', async () => {
    const response = await dashboard.get('/conf.yml', adminToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('source');
    expect(await response.text()).toBe(confYml(provider.issuer));
  });

  it('gives a signed-in non-admin the filtered, read-only view', async () => {
    const response = await dashboard.get('/conf.yml', memberToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('filtered');
    const view = parse(await response.text());
    expect(view.sections.map((section: { name: string }) => section.name)).toEqual(['Media']);
    expect(view.appConfig.disableConfiguration).toBe(true);
    const page = await dashboard.get('/work.yml', memberToken);
    expect(page.status).toBe(200);
    expect(parse(await page.text()).sections[0].items[0].title).toBe('Jira');
  });

  it('lets only admins save: 401 signed out, 403 non-admin, 200 admin', async () => {
    const config = confYml(provider.issuer).replace('theme: nord', 'theme: dracula');
    const signedOut = await dashboard.save({ config });
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toEqual({ error: 'unauthorized', reason: 'sign-in required' });
    const member = await dashboard.save({ config }, memberToken);
    expect(member.status).toBe(403);
    // The reason shows what the token carried, so a display-name/friendly-name mix-up is plain to see.
    const refusal = (await member.json()) as { error: string; reason: string };
    expect(refusal.error).toBe('forbidden');
    expect(refusal.reason).toContain('admins need the group "admins" in their token, which has groups [');
    expect(await (await dashboard.get('/conf.yml', adminToken)).text()).toContain('theme: nord');
    const admin = await dashboard.save({ config }, adminToken);
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ success: true, file: 'conf.yml', restartRequired: false });
    expect(await (await dashboard.get('/conf.yml', adminToken)).text()).toContain('theme: dracula');
  });

  it('answers a bad token with 401, a reason, and a log line saying why', async () => {
    const response = await dashboard.get('/conf.yml', 'abc.def.ghi');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized', reason: 'malformed token' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(dashboard.logs.some((line) => String(line.msg).startsWith('token rejected: malformed token'))).toBe(true);
  });

  it('refuses a header that is not a Bearer token', async () => {
    const response = await fetch(`${dashboard.url}/conf.yml`, { headers: { authorization: 'Basic YWxpY2U6cw==' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ reason: 'expected "Authorization: Bearer <id_token>"' });
  });
});
