// GET /conf.yml (and sub-pages) with `Accept: application/json`: the same per-requester view
// as the YAML answer, with who is asking, whether they may edit, and (for admins) what Dashy
// would warn about. Against a real dashboard and a real OIDC provider.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = 'json-view-client';

function confYml(endpoint: string): string {
  return `pageInfo:
  title: Home Lab
appConfig:
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${endpoint}
      adminGroup: admins
      clientSecret: not-for-browsers
pages:
  - name: Work
    path: /teams/work.yml
  - name: Ops
    path: ops.yml
    displayData:
      showForKeycloakUsers: { groups: [admins] }
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan
        description:
      - title: Bookmarklet
        url: javascript:alert(document.cookie)
  - name: Admin only
    displayData:
      showForKeycloakUsers: { groups: [admins] }
    items:
      - title: Router
        url: http://192.168.1.1
        statusCheckHeaders: { X-Api-Key: router-api-key }
    widgets:
      - type: gl-current-cpu
        options: { hostname: http://glances.lan, password: glances-password }
`;
}

interface JsonView {
  kind: string;
  config: { pageInfo?: { title?: string }; appConfig?: Record<string, unknown> & { auth?: Record<string, unknown> }; pages?: Array<{ name: string }>; sections?: Array<{ name: string; items?: Array<Record<string, unknown>> }> };
  viewer: Record<string, unknown>;
  canEdit: boolean;
  warnings: Array<{ path: string; line?: number; message: string }>;
}

let provider: TestProvider;
let dashboard: TestDashboard;
let adminToken: string;
let memberToken: string;

const asJson = (path: string, token?: string, accept = 'application/json') =>
  fetch(`${dashboard.url}${path}`, { headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

async function view(path: string, token?: string): Promise<JsonView> {
  const response = await asJson(path, token);
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await response.json()) as JsonView;
  expect(response.headers.get('x-hearth-config-view')).toBe(body.kind);
  return body;
}

beforeAll(async () => {
  provider = await startTestProvider({
    shape: 'pocket-id',
    clientId: CLIENT_ID,
    accounts: [
      { id: 'alice', claims: { preferred_username: 'alice', groups: ['admins', 'family'] } },
      { id: 'bob', claims: { preferred_username: 'bob', groups: ['family'] } },
    ],
  });
  dashboard = await startTestDashboard({ config: confYml(provider.issuer) });
  await mkdir(join(dashboard.userDataDir, 'teams'));
  await writeFile(join(dashboard.userDataDir, 'teams', 'work.yml'), 'sections:\n  - name: Board\n    icon:\n');
  await writeFile(join(dashboard.userDataDir, 'ops.yml'), 'sections:\n  - name: Ops board\n');
  adminToken = (await signIn(provider, 'alice')).idToken;
  memberToken = (await signIn(provider, 'bob')).idToken;
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

describe('the JSON view with sign-in', () => {
  it('gives an admin the whole file, without secrets or unsafe links, with the warnings and canEdit', async () => {
    const body = await view('/conf.yml', adminToken);
    expect(body.kind).toBe('source');
    expect(body.viewer).toEqual({ signedIn: true, user: 'alice', isAdmin: true, groups: ['admins', 'family'], roles: [], method: 'oidc' });
    expect(body.canEdit).toBe(true);
    expect(body.config.sections?.map((section) => section.name)).toEqual(['Media', 'Admin only']);
    expect(body.config.sections?.[0]?.items).toEqual([{ title: 'Jellyfin', url: 'http://jellyfin.lan' }, { title: 'Bookmarklet' }]);
    expect(body.config.appConfig?.auth).toEqual({ enableOidc: true, oidc: { clientId: CLIENT_ID, endpoint: provider.issuer, adminGroup: 'admins' } });
    expect(body.warnings).toEqual([
      { path: 'sections[0].items[0].description', line: 24, column: 21, message: 'Invalid input: expected string, received null; ignored' },
      { path: 'sections[0].items[1].url', line: 26, column: 14, message: 'a javascript: link could run code in the dashboard; ignored' },
    ]);
    const config = JSON.stringify(body.config);
    for (const secret of ['router-api-key', 'not-for-browsers', 'glances-password', 'javascript:']) expect(config).not.toContain(secret);
    expect(body.config.sections?.[1]).toMatchObject({ widgets: [{ type: 'gl-current-cpu', options: { hostname: 'http://glances.lan' } }] });
  });

  it('gives a non-admin the filtered, read-only view, and no warnings', async () => {
    const body = await view('/conf.yml', memberToken);
    expect(body).toMatchObject({ kind: 'filtered', canEdit: false, warnings: [] });
    expect(body.viewer).toEqual({ signedIn: true, user: 'bob', isAdmin: false, groups: ['family'], roles: [], method: 'oidc' });
    expect(body.config.sections?.map((section) => section.name)).toEqual(['Media']);
    expect(body.config.pages?.map((page) => page.name)).toEqual(['Work']);
    expect(body.config.appConfig?.disableConfiguration).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/192\.168\.1\.1|Router|router-api-key|javascript:|not-for-browsers/);
  });

  it('gives a signed-out visitor the bootstrap and nothing else, the same bytes every time', async () => {
    const first = await asJson('/conf.yml');
    const text = await first.text();
    expect(JSON.parse(text)).toEqual({
      kind: 'bootstrap',
      config: {
        pageInfo: { title: 'Login | Home Lab' },
        appConfig: { auth: { enableOidc: true, oidc: { clientId: CLIENT_ID, endpoint: provider.issuer, adminGroup: 'admins' } } },
      },
      viewer: { signedIn: false, user: null, isAdmin: false, groups: [], roles: [], method: null },
      canEdit: false,
      warnings: [],
    });
    expect(await (await asJson('/conf.yml')).text()).toBe(text);
    // The same view as the YAML answer.
    expect(JSON.parse(text).config).toEqual(parse(await (await dashboard.get('/conf.yml')).text()));
  });

  it('answers sub-pages in sub-folders the same way', async () => {
    const admin = await view('/teams/work.yml', adminToken);
    expect(admin).toMatchObject({ kind: 'source', canEdit: true, config: { sections: [{ name: 'Board' }] } });
    expect(admin.warnings).toEqual([{ path: 'sections[0].icon', line: 3, column: 10, message: 'Invalid input: expected string, received null; ignored' }]);
    expect(await view('/teams/work.yml', memberToken)).toMatchObject({ kind: 'filtered', canEdit: false, warnings: [], config: { sections: [{ name: 'Board' }] } });

    const hidden = await asJson('/ops.yml', memberToken);
    expect(hidden.status).toBe(403);
    expect(await hidden.json()).toEqual({ error: 'forbidden', reason: 'this page is not visible to you' });
    const signedOut = await asJson('/teams/work.yml');
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toEqual({ error: 'unauthorized', reason: 'sign-in required' });
  });

  it('keeps YAML for every client that does not prefer JSON, Dashy\'s own included', async () => {
    for (const accept of ['application/json, text/plain, */*', '*/*', 'application/yaml', 'text/html']) {
      const response = await asJson('/conf.yml', adminToken, accept);
      expect(response.headers.get('content-type'), accept).toBe('application/yaml; charset=utf-8');
      expect(await response.text()).toBe(confYml(provider.issuer));
    }
  });

  it('is private and varies by who asks and by format, 401s included', async () => {
    for (const [path, token] of [['/conf.yml', undefined], ['/conf.yml', adminToken], ['/conf.yml', memberToken], ['/teams/work.yml', undefined]] as const) {
      const response = await asJson(path, token);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(response.headers.get('vary')).toBe('Authorization, Accept');
    }
  });
});

describe('the JSON view without sign-in', () => {
  it('treats everyone as an admin, as Dashy does, and follows disableConfiguration', async () => {
    const open = await startTestDashboard({ config: 'pageInfo:\n  title: Open\nsections:\n  - name: A\n    items:\n      - { title: T, target: iframe }\n' });
    try {
      const response = await fetch(`${open.url}/conf.yml`, { headers: { accept: 'application/json' } });
      expect(response.headers.get('vary')).toBe('Accept');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.json()).toEqual({
        kind: 'source',
        config: { pageInfo: { title: 'Open' }, sections: [{ name: 'A', items: [{ title: 'T' }] }] },
        viewer: { signedIn: false, user: null, isAdmin: true, groups: [], roles: [], method: null },
        canEdit: true,
        warnings: [{ path: 'sections[0].items[0].target', line: 6, column: 29, message: expect.stringMatching(/^Invalid option: .*; ignored$/) }],
      });
      const yaml = await fetch(`${open.url}/conf.yml`);
      expect(yaml.headers.get('vary')).toBe('Accept');

      const saved = await open.save({ config: 'appConfig:\n  disableConfiguration: true\n' });
      expect(saved.status).toBe(200);
      const locked = (await (await fetch(`${open.url}/conf.yml`, { headers: { accept: 'application/json' } })).json()) as JsonView;
      expect(locked).toMatchObject({ canEdit: false, viewer: { isAdmin: true } });
    } finally {
      await open.stop();
    }
  });
});
