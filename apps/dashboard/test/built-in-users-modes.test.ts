// Built-in users next to the other settings: guest access, OIDC configured as well (OIDC
// wins, as in Dashy), unusable entries at start, and the real configs that use them.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../src/index.js';
import { startTestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const ADMIN_HASH = sha256('admin-password');

function conf(auth: string): string {
  return `pageInfo:
  title: Home
appConfig:
  auth:
${auth}
sections:
  - name: Open
    items:
      - title: Status
        url: https://status.example.test
  - name: Members
    displayData:
      hideForGuests: true
    items:
      - title: Photos
        url: https://photos.example.test
`;
}

const USERS = `    users:
      - user: admin
        hash: ${ADMIN_HASH}
        type: admin`;

async function login(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

describe('guest access', () => {
  it('on: signed-out visitors get the guest view (never a hash) and can still sign in', async () => {
    const dashboard = await startTestDashboard({ config: conf(`    enableGuestAccess: true\n${USERS}`) });
    try {
      const guest = await dashboard.get('/conf.yml');
      expect(guest.headers.get('x-hearth-config-view')).toBe('filtered');
      const text = await guest.text();
      const view = parse(text) as { appConfig: unknown; sections: Array<{ name: string }> };
      expect(view.sections.map((section) => section.name)).toEqual(['Open']);
      expect(view.appConfig).toEqual({ auth: { enableGuestAccess: true, hearthSignIn: 'users' } });
      expect(text).not.toContain(ADMIN_HASH);

      const signedIn = await login(dashboard.url, 'admin', 'admin-password');
      expect(signedIn.status).toBe(200);
      const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const source = await fetch(`${dashboard.url}/conf.yml`, { headers: { cookie } });
      expect(await source.text()).toBe(conf(`    enableGuestAccess: true\n${USERS}`).replace(ADMIN_HASH, "'********'"));
    } finally {
      await dashboard.stop();
    }
  });

  it('off: signed-out visitors get the bootstrap and 401 elsewhere', async () => {
    const dashboard = await startTestDashboard({ config: conf(`    enableGuestAccess: false\n${USERS}`) });
    try {
      const response = await dashboard.get('/conf.yml');
      expect(response.headers.get('x-hearth-config-view')).toBe('bootstrap');
      expect(parse(await response.text())).toEqual({
        pageInfo: { title: 'Login | Home' },
        appConfig: { auth: { enableGuestAccess: false, hearthSignIn: 'users' } },
      });
      expect((await dashboard.get(`/status-check?url=${encodeURIComponent('https://status.example.test')}`)).status).toBe(401);
    } finally {
      await dashboard.stop();
    }
  });
});

describe('OIDC and built-in users together', () => {
  it('signs in through OIDC only, says so, and still never sends a hash', async () => {
    const provider = await startTestProvider({
      shape: 'pocket-id',
      clientId: 'both',
      accounts: [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }],
    });
    const text = conf(`${USERS}\n    enableOidc: true\n    oidc:\n      clientId: both\n      endpoint: ${provider.issuer}\n      adminGroup: admins`);
    const dashboard = await startTestDashboard({ config: text });
    try {
      expect(dashboard.logs.some((line) => String(line.msg).startsWith('appConfig.auth.users is ignored'))).toBe(true);
      const refused = await login(dashboard.url, 'admin', 'admin-password');
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { reason: string }).reason).toContain('appConfig.auth.users is ignored while OIDC or Keycloak is enabled');
      expect(refused.headers.getSetCookie()).toEqual([]);

      const bootstrap = await (await dashboard.get('/conf.yml')).text();
      expect(parse(bootstrap)).toEqual({
        pageInfo: { title: 'Login | Home' },
        appConfig: { auth: { enableOidc: true, oidc: { clientId: 'both', endpoint: provider.issuer, adminGroup: 'admins' } } },
      });

      const { idToken } = await signIn(provider, 'alice');
      const source = await (await dashboard.get('/conf.yml', idToken)).text();
      expect(source).toBe(text.replace(ADMIN_HASH, "'********'"));
      const session = (await (await dashboard.get('/auth/session', idToken)).json()) as { viewer: unknown };
      expect(session.viewer).toEqual({ signedIn: true, user: 'alice', isAdmin: true, groups: ['admins'], roles: [], method: 'oidc' });
    } finally {
      await dashboard.stop();
      await provider.close();
    }
  });
});

describe('unusable built-in users', () => {
  it('stop the start with an error naming the entry and its line', async () => {
    const start = startTestDashboard({ config: conf(`${USERS}\n      - user: lu\n        hash: 12345`) });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/conf\.yml:10 appConfig\.auth\.users\[1\]\.hash: user "lu": hash must be the SHA-256 of the password/);
  });

  it('name an entry without a user', async () => {
    const start = startTestDashboard({ config: conf(`${USERS}\n      - hash: ${ADMIN_HASH}`) });
    await expect(start).rejects.toThrow(/conf\.yml:9 appConfig\.auth\.users\[1\]\.user: /);
  });
});

// The auth blocks of real configs (shared/dashy-confs 01, 37 and 43), verbatim: upper- and
// lower-case hashes, an entry without a type, a comment after a hash, unused OIDC settings.
const REAL_AUTH_BLOCKS = [
  `  auth:
    users:
    - user: alexis
      hash: D39D9778C23AFC1FB2C8211347A77AAF35DF49AC42E48EB0C53D110B358C7E84
      type: admin`,
  `  auth:
    enableGuestAccess: false
    users:
      - user: zhang
        hash: 592d3d245e5ff0e463467f10d3718a57f6825ceef6d83d08d174cb3439eaf221
        type: admin
      - user: lu
        hash: fa8611f25e32e0b8692a6ad41a60c8bf8d0731b0bd57a510f786efb314915093
    enableKeycloak: false`,
  `  auth:
    enableGuestAccess: true
    users:
      - user: admin
        hash: 02A652A17DC11935D37387C3F635B9817285E5040E3F2D6D6DEBBA6717A39265 # oooooo looky here a hashed password (echo -n "password" | sha256sum)
        type: admin
    enableHeaderAuth: false
    headerAuth:
      userHeader: REMOTE_USER
      proxyWhitelist: []
    enableKeycloak: false
    enableOidc: false
    oidc: {}`,
];

describe('real Dashy auth blocks', () => {
  it('start, send signed-out visitors no hash, and refuse a wrong password', async () => {
    for (const block of REAL_AUTH_BLOCKS) {
      const text = `pageInfo:\n  title: Real\nappConfig:\n${block}\nsections:\n  - name: Open\n    items: []\n`;
      const hashes = [...block.matchAll(/hash: ([0-9a-fA-F]{64})/g)].map((match) => (match[1] ?? '').toLowerCase());
      expect(hashes.length).toBeGreaterThan(0);
      const dashboard = await startTestDashboard({ config: text });
      try {
        const body = (await (await dashboard.get('/conf.yml')).text()).toLowerCase();
        for (const hash of hashes) expect(body).not.toContain(hash);
        const user = /- user: (\w+)/.exec(block)?.[1] ?? '';
        expect((await login(dashboard.url, user, 'not-the-password')).status).toBe(401);
      } finally {
        await dashboard.stop();
      }
    }
  });
});
