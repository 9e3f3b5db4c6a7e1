// Dashy's built-in users (appConfig.auth.users), checked on the server: sign-in through
// POST /auth/login, the session cookie, what each kind of visitor receives, who may save,
// and that no password hash ever reaches a browser.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const ALICE_HASH = sha256('alice-password').toUpperCase();
const BOB_HASH = sha256('bob-password');
const NEW_BOB_HASH = sha256('bob-new-password');
const HASHES = [ALICE_HASH, BOB_HASH, NEW_BOB_HASH];

const CONF = `# Family dashboard: kept as written
pageInfo:
  title: Family Lab
appConfig:
  auth:
    users:
      - user: Alice
        hash: ${ALICE_HASH} # echo -n 'alice-password' | sha256sum
        type: admin
      - user: bob
        hash: "${BOB_HASH}"
sections:
  - name: Everyone
    items:
      - title: Status
        url: https://status.example.test
  - name: Alice only
    displayData:
      showForUsers: ['alice']
    items:
      - title: Router
        url: http://192.168.1.1
  - name: Not for Bob
    displayData:
      hideForUsers: ['BOB']
    items:
      - title: Budget
        url: https://budget.example.test
  - name: Members
    displayData:
      hideForGuests: true
    items:
      - title: Photos
        url: https://photos.example.test
`;
const MASKED = CONF.replace(ALICE_HASH, "'********'").replace(`"${BOB_HASH}"`, "'********'");

/** Every body the server sent in this file; none may contain a hash. */
const answers: string[] = [];

interface Client {
  get(path: string, cookie?: string): Promise<Response>;
  login(username: string, password: string, headers?: Record<string, string>): Promise<Response>;
  save(config: string, cookie: string, headers?: Record<string, string>): Promise<Response>;
}

function clientOf(dashboard: TestDashboard): Client {
  const send = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${dashboard.url}${path}`, init);
    answers.push(await response.clone().text());
    return response;
  };
  return {
    get: (path, cookie) => send(path, { headers: cookie ? { cookie } : {} }),
    login: (username, password, headers = {}) =>
      send('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) }),
    save: (config, cookie, headers = { origin: dashboard.url }) =>
      send('/config-manager/save', { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ config }) }),
  };
}

/** The `name=value` part of the session cookie a response set. */
function sessionOf(response: Response): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('hearth_session='));
  if (!line) throw new Error(`no session cookie in ${response.status} answer`);
  return line.split(';')[0] ?? '';
}

async function signedIn(client: Client, username: string, password: string): Promise<string> {
  const response = await client.login(username, password);
  expect(response.status).toBe(200);
  return sessionOf(response);
}

async function viewer(client: Client, cookie?: string): Promise<Record<string, unknown>> {
  return ((await (await client.get('/auth/session', cookie)).json()) as { viewer: Record<string, unknown> }).viewer;
}

function sectionNames(text: string): string[] {
  return ((parse(text) as { sections?: Array<{ name: string }> }).sections ?? []).map((section) => section.name);
}

let userDataDir: string;
let dashboard: TestDashboard;
let client: Client;

beforeAll(async () => {
  userDataDir = await mkdtemp(join(tmpdir(), 'hearth-users-'));
  dashboard = await startTestDashboard({ userDataDir, config: CONF, files: { 'team.yml': 'sections:\n  - name: Team\n' } });
  client = clientOf(dashboard);
});

afterAll(async () => {
  await dashboard?.stop();
  await rm(userDataDir, { recursive: true, force: true });
});

describe('signed out, without guest access', () => {
  it('receives the sign-in bootstrap only: no users, no hash, no section', async () => {
    const response = await client.get('/conf.yml');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('bootstrap');
    expect(parse(await response.text())).toEqual({ pageInfo: { title: 'Login | Family Lab' }, appConfig: { auth: { hearthSignIn: 'users' } } });
  });

  it('gets 401 for sub-pages and status checks, and a signed-out viewer', async () => {
    expect((await client.get('/team.yml')).status).toBe(401);
    expect((await client.get(`/status-check?url=${encodeURIComponent('https://status.example.test')}`)).status).toBe(401);
    expect(await viewer(client)).toEqual({ signedIn: false, user: null, isAdmin: false, groups: [], roles: [], method: null });
  });

  it('cannot save', async () => {
    const response = await fetch(`${dashboard.url}/config-manager/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: dashboard.url },
      body: JSON.stringify({ config: 'sections: []\n' }),
    });
    expect(response.status).toBe(401);
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(CONF);
  });
});

describe('POST /auth/login', () => {
  it('signs in with the password whose SHA-256 is the hash, the name in any case', async () => {
    const response = await client.login('ALICE', 'alice-password');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ viewer: { signedIn: true, user: 'Alice', isAdmin: true, groups: [], roles: [], method: 'users' } });
    const [cookie = ''] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^hearth_session=v1\.[\w-]+\.[\w-]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Strict$/);
  });

  it('answers the same 401 for a wrong password and an unknown user, and logs no password', async () => {
    const wrongPassword = await client.login('alice', 'bob-password');
    const unknownUser = await client.login('mallory', 'alice-password');
    for (const response of [wrongPassword, unknownUser]) {
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.json()).toEqual({ error: 'unauthorized', reason: 'wrong username or password' });
    }
    const logged = JSON.stringify(dashboard.logs);
    expect(logged).toContain('sign-in refused: wrong password');
    expect(logged).toContain('sign-in refused: unknown user');
    expect(logged).not.toContain('bob-password');
    expect(logged).not.toContain('mallory');
  });

  it('refuses what is not a JSON login, and logins sent from another site', async () => {
    const form = await fetch(`${dashboard.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    expect(form.status).toBe(415);
    expect((await client.login('alice', '')).status).toBe(400);
    const crossSite = await client.login('alice', 'alice-password', { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie()).toEqual([]);
  });

  it('marks the cookie Secure when the request came over https through a trusted proxy', async () => {
    const behindProxy = await startTestDashboard({ userDataDir, trustProxy: true });
    try {
      const response = await fetch(`${behindProxy.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ username: 'bob', password: 'bob-password' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()[0]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await behindProxy.close();
    }
  });

  it('answers 429 with Retry-After after 10 wrong passwords from one address, even for the right one', async () => {
    const limited = await startTestDashboard({ userDataDir, trustProxy: true });
    try {
      const attempt = (password: string, address: string) =>
        fetch(`${limited.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({ username: 'alice', password }),
        });
      for (let index = 0; index < 10; index += 1) expect((await attempt(`guess-${index}`, '203.0.113.7')).status).toBe(401);
      const blocked = await attempt('alice-password', '203.0.113.7');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(250);
      expect(blocked.headers.getSetCookie()).toEqual([]);
      expect((await attempt('alice-password', '203.0.113.8')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('a signed-in normal user', () => {
  let bob: string;
  beforeAll(async () => {
    bob = await signedIn(client, 'bob', 'bob-password');
  });

  it('sees what the visibility rules allow, without users or hashes', async () => {
    const response = await client.get('/conf.yml', bob);
    expect(response.headers.get('x-hearth-config-view')).toBe('filtered');
    const text = await response.text();
    expect(sectionNames(text)).toEqual(['Everyone', 'Members']);
    expect((parse(text) as { appConfig: unknown }).appConfig).toEqual({ auth: { hearthSignIn: 'users' } });
    expect(await viewer(client, bob)).toEqual({ signedIn: true, user: 'bob', isAdmin: false, groups: [], roles: [], method: 'users' });
  });

  it('may check the status of visible items only', async () => {
    const hidden = await client.get(`/status-check?url=${encodeURIComponent('http://192.168.1.1')}`, bob);
    expect(hidden.status).toBe(403);
    expect(((await hidden.json()) as { reason: string }).reason).toBe('this URL is not an item of your dashboard');
  });

  it('cannot save, and is told why', async () => {
    const response = await client.save(MASKED.replace('Family Lab', 'Bob was here'), bob);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'forbidden',
      reason: 'only admins can save the configuration: "bob" is a normal user (type: admin in appConfig.auth.users makes an admin)',
    });
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(CONF);
  });

  it('is signed out by POST /auth/logout', async () => {
    const response = await fetch(`${dashboard.url}/auth/logout`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['hearth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict']);
    expect(((await response.json()) as { viewer: { signedIn: boolean } }).viewer.signedIn).toBe(false);
  });
});

describe('a signed-in admin', () => {
  let alice: string;
  beforeAll(async () => {
    alice = await signedIn(client, 'alice', 'alice-password');
  });

  it('receives the file as written, with every hash replaced by a placeholder', async () => {
    const response = await client.get('/conf.yml', alice);
    expect(response.headers.get('x-hearth-config-view')).toBe('source');
    expect(await response.text()).toBe(MASKED);
  });

  it('saves the placeholders back as the hashes on disk, comments and all', async () => {
    const response = await client.save(MASKED.replace('Family Lab', 'Our Lab'), alice);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, restartRequired: false });
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(CONF.replace('Family Lab', 'Our Lab'));
    expect((await client.login('bob', 'bob-password')).status).toBe(200);
  });

  it('refuses a placeholder it cannot restore, naming the entry and line', async () => {
    const added = MASKED.replace('sections:', "      - user: carol\n        hash: '********'\nsections:");
    const response = await client.save(added, alice);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      reason: 'invalid configuration',
      errors: [{ path: 'appConfig.auth.users[2].hash', line: 13, message: expect.stringContaining('user "carol" has no saved password to keep') }],
    });
  });

  it('refuses a user entry whose hash is not a SHA-256', async () => {
    const response = await client.save(MASKED.replace("hash: '********'\nsections", 'hash: abc\nsections'), alice);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ path: 'appConfig.auth.users[1].hash', line: 11 });
  });

  it('refuses cookie-authenticated saves that are not provably from the dashboard', async () => {
    const original = await readFile(join(userDataDir, 'conf.yml'), 'utf8');
    const attempts: Array<Record<string, string>> = [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site', origin: dashboard.url },
      { 'sec-fetch-site': 'same-site' },
      {},
      { origin: dashboard.url, 'content-type': 'text/plain' },
    ];
    for (const headers of attempts) {
      const response = await client.save(MASKED.replace('Family Lab', 'Forged'), alice, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(((await response.json()) as { reason: string }).reason).toMatch(/^(refused a request|requests signed in by cookie)/);
    }
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(original);
    expect((await client.save(MASKED, alice, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});

describe('sessions follow conf.yml', () => {
  it('end when the password changes, and the new password works', async () => {
    const alice = await signedIn(client, 'alice', 'alice-password');
    const bob = await signedIn(client, 'bob', 'bob-password');
    const changed = MASKED.replace(`hash: '********'\nsections`, `hash: ${NEW_BOB_HASH}\nsections`);
    expect((await client.save(changed, alice)).status).toBe(200);
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toContain(ALICE_HASH);

    const stale = await client.get('/auth/session', bob);
    expect(((await stale.json()) as { viewer: { signedIn: boolean } }).viewer.signedIn).toBe(false);
    expect(stale.headers.getSetCookie()[0]).toMatch(/^hearth_session=; Path=\/; Max-Age=0/);
    expect((await client.login('bob', 'bob-password')).status).toBe(401);
    expect((await viewer(client, await signedIn(client, 'bob', 'bob-new-password'))).user).toBe('bob');
    expect((await viewer(client, alice)).user).toBe('Alice');
  });

  it('end when the user is removed or their type changes', async () => {
    const alice = await signedIn(client, 'alice', 'alice-password');
    const bob = await signedIn(client, 'bob', 'bob-new-password');
    const promoted = (await (await client.get('/conf.yml', alice)).text()).replace(/(- user: bob\n\s+hash: '\*{8}')/, '$1\n        type: admin');
    expect((await client.save(promoted, alice)).status).toBe(200);
    expect((await viewer(client, bob)).signedIn).toBe(false);

    const withoutBob = (await (await client.get('/conf.yml', alice)).text()).replace(/ {6}- user: bob\n.*\n.*\n/, '');
    expect(withoutBob).not.toContain('bob');
    expect((await client.save(withoutBob, alice)).status).toBe(200);
    expect((await client.login('bob', 'bob-new-password')).status).toBe(401);
    expect((await client.get('/conf.yml', alice)).headers.get('x-hearth-config-view')).toBe('source');
  });

  it('survive a restart, because the signing key is kept in the user data folder', async () => {
    const alice = await signedIn(client, 'alice', 'alice-password');
    expect((await stat(join(userDataDir, '.hearth-session-key'))).mode & 0o777).toBe(0o600);
    await dashboard.close();
    dashboard = await startTestDashboard({ userDataDir });
    client = clientOf(dashboard);
    expect((await viewer(client, alice)).user).toBe('Alice');
  });

  it('refuse a cookie that was tampered with', async () => {
    const alice = await signedIn(client, 'alice', 'alice-password');
    const [name, value = ''] = alice.split('=');
    const [version, body = '', mac] = value.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, u: 'bob' })).toString('base64url');
    expect((await viewer(client, `${name}=${version}.${forged}.${mac}`)).signedIn).toBe(false);
    expect((await viewer(client, `${name}=not-a-session`)).signedIn).toBe(false);
  });
});

describe('sessions', () => {
  it('expire after their lifetime', async () => {
    const short = await startTestDashboard({ userDataDir, sessionLifetimeSeconds: 1 });
    try {
      const shortClient = clientOf(short);
      const response = await shortClient.login('alice', 'alice-password');
      expect(response.headers.getSetCookie()[0]).toContain('Max-Age=1;');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await viewer(shortClient, sessionOf(response))).signedIn).toBe(false);
    } finally {
      await short.close();
    }
  });
});

describe('no password hash in any answer', () => {
  it('holds for every answer in this file', () => {
    expect(answers.length).toBeGreaterThan(40);
    for (const body of answers) {
      for (const hash of HASHES) {
        expect(body).not.toContain(hash);
        expect(body).not.toContain(hash.toLowerCase());
      }
    }
  });
});
