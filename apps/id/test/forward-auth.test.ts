import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createOneTimeAccessToken } from '../src/one-time-access/one-time-access.js';
import { loadProvisioningFile } from '../src/provisioning/load.js';
import { applyProvisioning, formatLine } from '../src/provisioning/apply.js';
import { DB_PROVIDERS, TEST_ENCRYPTION_KEY, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-id-forward-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Asked {
  host: string;
  uri?: string;
  proto?: string;
  cookie?: string;
  method?: string;
  nginx?: boolean;
  headers?: Record<string, string>;
}

/** Asks the forward-auth endpoint as a proxy would, about a request for proto://host/uri. */
async function ask(server: TestServer, asked: Asked) {
  const headers: Record<string, string> = {
    'x-forwarded-proto': asked.proto ?? 'https',
    'x-forwarded-host': asked.host,
    'x-forwarded-uri': asked.uri ?? '/',
    'x-forwarded-method': asked.method ?? 'GET',
    ...asked.headers,
  };
  if (asked.cookie) headers.cookie = asked.cookie;
  const response = await fetch(new URL(asked.nginx ? '/api/forward-auth/nginx' : '/api/forward-auth', server.url), {
    method: asked.method ?? 'GET',
    headers,
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe.each(DB_PROVIDERS)('forward auth on %s', (provider) => {
  let server: TestServer;
  let admin: string;
  let member: { id: string; cookie: string };
  let outsider: { id: string; cookie: string };
  let groups: { family: string; admins: string };

  const adminApi = (method: string, path: string, body?: unknown) => api(server, method, `/api/admin/forward-auth${path}`, { cookie: admin, body });
  const addRule = async (body: { host: string; pathPrefix?: string; allowedGroupIds: string[] }) => {
    const response = await adminApi('POST', '', body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.rule as { id: string; host: string; pathPrefix: string; allowedGroups: { friendlyName: string }[] };
  };

  beforeAll(async () => {
    server = await startTestServer({ provider });
    admin = (await signedInUser(server, { username: 'fa-admin', isAdmin: true })).cookie;
    const group = async (name: string, friendlyName: string) =>
      (await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name, friendlyName } })).body.group.id as string;
    groups = { family: await group('Family', 'family'), admins: await group('Admins', 'admins') };
    const a = await signedInUser(server, { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' });
    const b = await signedInUser(server, { username: 'bob', firstName: 'Bob', lastName: 'Stranger' });
    member = { id: a.user.id, cookie: a.cookie };
    outsider = { id: b.user.id, cookie: b.cookie };
    for (const groupId of [groups.family, groups.admins]) {
      await api(server, 'POST', `/api/admin/groups/${groupId}/members`, { cookie: admin, body: { userId: member.id } });
    }
    await addRule({ host: 'Photos.Example.com', allowedGroupIds: [groups.family] });
  });
  afterAll(async () => server?.stop());

  it('refuses a host no rule names, signed in or not (fail closed)', async () => {
    for (const cookie of [undefined, member.cookie, admin]) {
      const answer = await ask(server, { host: 'unknown.example.com', cookie });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('No forward-auth rule');
    }
    // A proxy that does not say which site was asked for is refused too.
    const response = await fetch(new URL('/api/forward-auth', server.url), { headers: { cookie: member.cookie }, redirect: 'manual' });
    expect(response.status).toBe(403);
  });

  it('sends a signed-out person to the sign-in page with the original address, or answers 401 to nginx', async () => {
    const original = 'https://photos.example.com/albums/2024?sort=new&x=%20y';
    const redirect = await ask(server, { host: 'photos.example.com', uri: '/albums/2024?sort=new&x=%20y' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${server.url}/login?rd=${encodeURIComponent(original)}`);
    // nginx cannot encode the address itself: the 401 carries the whole sign-in address.
    const nginx = await ask(server, { host: 'photos.example.com', uri: '/albums/2024?sort=new&x=%20y', nginx: true });
    expect(nginx.status).toBe(401);
    expect(nginx.headers.get('location')).toBe(`${server.url}/login?rd=${encodeURIComponent(original)}`);
  });

  it('lets a member through with Remote-User, -Groups, -Email and -Name, whatever the method', async () => {
    for (const nginx of [false, true]) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await ask(server, { host: 'photos.example.com', uri: '/albums', cookie: member.cookie, nginx, method, headers: { origin: 'https://photos.example.com', 'content-type': 'multipart/form-data; boundary=x' } });
        expect(answer.status, answer.text).toBe(200);
        expect(answer.headers.get('remote-user')).toBe('alice');
        expect(answer.headers.get('remote-groups')).toBe('admins,family');
        expect(answer.headers.get('remote-email')).toBe('alice@example.com');
        expect(answer.headers.get('remote-name')).toBe('Alice Liddell');
        expect(answer.headers.get('cache-control')).toBe('no-store');
      }
    }
  });

  it('sends names beyond ASCII as UTF-8, and answers HEAD too', async () => {
    const { cookie } = await signedInUser(server, { username: 'zoe', firstName: 'Zoë', lastName: '李' });
    await addRule({ host: 'open.example.com', allowedGroupIds: [] });
    const answer = await ask(server, { host: 'open.example.com', cookie });
    expect(answer.status).toBe(200);
    expect(Buffer.from(answer.headers.get('remote-name')!, 'latin1').toString('utf8')).toBe('Zoë 李');
    expect(answer.headers.get('remote-groups')).toBe('');
    expect((await ask(server, { host: 'open.example.com', cookie, method: 'HEAD' })).status).toBe(200);
  });

  it('refuses a signed-in person outside the rule\'s groups with 403 and a short text', async () => {
    const answer = await ask(server, { host: 'photos.example.com', cookie: outsider.cookie });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(answer.text).toBe('bob may not use photos.example.com.\n');
    expect(answer.headers.get('remote-user')).toBeNull();
  });

  it('lets the longest matching path prefix decide, however the path is spelled', async () => {
    await addRule({ host: 'wiki.example.com', allowedGroupIds: [] });
    await addRule({ host: 'wiki.example.com', pathPrefix: '/admin/', allowedGroupIds: [groups.admins] });
    const outsiderAt = async (uri: string) => (await ask(server, { host: 'wiki.example.com', uri, cookie: outsider.cookie })).status;
    expect(await outsiderAt('/')).toBe(200);
    expect(await outsiderAt('/pages/home')).toBe(200);
    expect(await outsiderAt('/administrator')).toBe(200);
    for (const uri of ['/admin', '/admin/', '/admin/users?x=1', '/%61dmin/users', '/pages/../admin', '//admin', '/./admin/x', '/admin%2fusers']) {
      expect(await outsiderAt(uri), uri).toBe(403);
    }
    expect((await ask(server, { host: 'wiki.example.com', uri: '/admin/users', cookie: member.cookie })).status).toBe(200);
    // A port is part of the host: a rule without one does not cover another port.
    expect((await ask(server, { host: 'wiki.example.com:8443', cookie: member.cookie })).status).toBe(403);
    expect((await ask(server, { host: 'wiki.example.com:443', cookie: member.cookie })).status).toBe(200);
  });

  it('applies a rule changed in the admin API at once', async () => {
    const rule = await addRule({ host: 'media.example.com', allowedGroupIds: [groups.admins] });
    expect((await ask(server, { host: 'media.example.com', cookie: outsider.cookie })).status).toBe(403);
    expect((await adminApi('PATCH', `/${rule.id}`, { allowedGroupIds: [] })).status).toBe(200);
    expect((await ask(server, { host: 'media.example.com', cookie: outsider.cookie })).status).toBe(200);
    expect((await adminApi('DELETE', `/${rule.id}`)).status).toBe(204);
    expect((await ask(server, { host: 'media.example.com', cookie: outsider.cookie })).status).toBe(403);
    const audit = await server.ctx.database.db.selectFrom('audit_log').select('data').where('event', '=', 'admin_change').execute();
    const actions = audit.map((row) => JSON.parse(row.data).action);
    expect(actions).toEqual(expect.arrayContaining(['forward_auth.create', 'forward_auth.update', 'forward_auth.delete']));
  });

  it('keeps a rule whose groups were all deleted closed, rather than open to everyone', async () => {
    const temporary = (await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name: 'Temp', friendlyName: 'temp' } })).body.group.id;
    await api(server, 'POST', `/api/admin/groups/${temporary}/members`, { cookie: admin, body: { userId: outsider.id } });
    await addRule({ host: 'temp.example.com', allowedGroupIds: [temporary] });
    expect((await ask(server, { host: 'temp.example.com', cookie: outsider.cookie })).status).toBe(200);
    expect((await api(server, 'DELETE', `/api/admin/groups/${temporary}`, { cookie: admin })).status).toBe(204);
    expect((await ask(server, { host: 'temp.example.com', cookie: outsider.cookie })).status).toBe(403);
    expect((await ask(server, { host: 'temp.example.com', cookie: member.cookie })).status).toBe(403);
  });

  it('admin API: only administrators, input errors in words, one rule per host and path', async () => {
    expect((await api(server, 'GET', '/api/admin/forward-auth')).status).toBe(401);
    expect((await api(server, 'GET', '/api/admin/forward-auth', { cookie: member.cookie })).status).toBe(403);
    const list = await adminApi('GET', '');
    expect(list.status).toBe(200);
    expect(list.body.rules.find((rule: { host: string }) => rule.host === 'photos.example.com')).toMatchObject({
      pathPrefix: '/',
      allowAnyUser: false,
      allowedGroups: [{ id: groups.family, name: 'Family', friendlyName: 'family' }],
    });
    const badHost = await adminApi('POST', '', { host: 'https://x.example.com/path', allowedGroupIds: [] });
    expect(badHost.status).toBe(400);
    expect(badHost.body).toMatchObject({ field: 'host' });
    expect(badHost.body.message).toMatch(/^Host must be a host name like app\.example\.com/);
    const noHost = await adminApi('POST', '', { host: '', allowedGroupIds: [] });
    expect(noHost.body).toMatchObject({ field: 'host', message: 'Enter a host' });
    const badPath = await adminApi('POST', '', { host: 'ok.example.com', pathPrefix: 'admin', allowedGroupIds: [] });
    expect(badPath.body).toMatchObject({ field: 'pathPrefix' });
    const badGroup = await adminApi('POST', '', { host: 'ok.example.com', allowedGroupIds: ['no-such-group'] });
    expect(badGroup.body).toMatchObject({ field: 'allowedGroupIds' });
    const duplicate = await adminApi('POST', '', { host: 'PHOTOS.example.com', pathPrefix: '/', allowedGroupIds: [] });
    expect(duplicate.status).toBe(409);
    expect((await adminApi('GET', '/no-such-rule')).status).toBe(404);
    expect((await api(server, 'GET', '/api/admin/forward-auth')).status).toBe(401);
  });

  it('follows a return address only to Hearth ID or a host a rule protects', async () => {
    const returnUrl = async (rd: string) => (await api(server, 'GET', `/api/forward-auth/return-url?rd=${encodeURIComponent(rd)}`)).body.url;
    expect(await returnUrl('https://photos.example.com/albums?x=1')).toBe('https://photos.example.com/albums?x=1');
    expect(await returnUrl('http://photos.example.com/')).toBe('http://photos.example.com/');
    expect(await returnUrl(`${server.url}/settings`)).toBe(`${server.url}/settings`);
    expect(await returnUrl('/settings')).toBe(`${server.url}/settings`);
    for (const rd of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '\\\\evil.example',
      'javascript:alert(1)',
      'JavaScript:alert(1)//photos.example.com',
      'data:text/html,hi',
      'https://photos.example.com@evil.example/',
      'https://user:pass@photos.example.com/',
      'https://photos.example.com.evil.example/',
      'https://evil.example/?https://photos.example.com',
      'https://photos.example.com:8443/',
      'java\tscript:alert(1)',
      ' https://evil.example',
      'https://unknown.example.com/',
    ]) {
      expect(await returnUrl(rd), rd).toBeNull();
    }
  });
});

describe('SESSION_COOKIE_DOMAIN', () => {
  it('must contain APP_URL\'s host, and says so in words', () => {
    const base = { APP_URL: 'https://id.example.com', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    expect(loadConfig(base).sessionCookieDomain).toBeNull();
    expect(loadConfig({ ...base, SESSION_COOKIE_DOMAIN: '.Example.com' }).sessionCookieDomain).toBe('example.com');
    expect(() => loadConfig({ ...base, SESSION_COOKIE_DOMAIN: 'example.org' })).toThrow(
      "SESSION_COOKIE_DOMAIN is example.org, but APP_URL's host id.example.com is not inside it; set it to a domain id.example.com ends with, or leave it unset",
    );
    expect(() => loadConfig({ ...base, SESSION_COOKIE_DOMAIN: 'ample.com' })).toThrow(/not inside it/);
    expect(() => loadConfig({ ...base, SESSION_COOKIE_DOMAIN: 'https://example.com' })).toThrow(/must be a domain name like example.com/);
  });

  it('scopes the session cookie to the domain when set, and clears both forms on sign-out', async () => {
    const server = await startTestServer({ env: { SESSION_COOKIE_DOMAIN: 'localhost' } });
    try {
      const { user } = await signedInUser(server, { username: 'carol' });
      const { token } = await createOneTimeAccessToken(server.ctx.database.db, user.id);
      const signIn = await api(server, 'POST', `/api/one-time-access-token/${token}`);
      expect(signIn.status).toBe(200);
      const set = signIn.headers.getSetCookie();
      const session = set.find((cookie) => /^hearth_session=[^;]+;/.test(cookie));
      expect(session).toMatch(/; Domain=localhost;/);
      // An older host-only cookie is cleared, or the browser would send it first.
      expect(set.some((cookie) => /^hearth_session=;/.test(cookie) && !/Domain=/.test(cookie))).toBe(true);
      const cookie = session!.split(';')[0]!;
      const signOut = await api(server, 'POST', '/api/logout', { cookie });
      const cleared = signOut.headers.getSetCookie().filter((value) => value.startsWith('hearth_session=;'));
      expect(cleared.some((value) => value.includes('Domain=localhost'))).toBe(true);
      expect(cleared.some((value) => !value.includes('Domain='))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('leaves the cookie host-only by default', async () => {
    const server = await startTestServer();
    try {
      const { user } = await signedInUser(server, { username: 'dave' });
      const { token } = await createOneTimeAccessToken(server.ctx.database.db, user.id);
      const set = (await api(server, 'POST', `/api/one-time-access-token/${token}`)).headers.getSetCookie();
      expect(set).toHaveLength(1);
      expect(set[0]).not.toContain('Domain=');
    } finally {
      await server.stop();
    }
  });
});

describe.each(DB_PROVIDERS)('forward-auth rules in the provisioning file on %s', (provider) => {
  let server: TestServer;
  const write = (name: string, text: string) => {
    const file = join(dir, `${provider}-${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const FILE = `groups:
  - friendlyName: family
    name: Family
users:
  - username: erin
    groups: [family]
forwardAuth:
  - host: photos.example.com
    allowedGroups: [family]
  - host: photos.example.com
    pathPrefix: /public
    allowedGroups: []
`;

  beforeAll(async () => {
    server = await startTestServer({ provider, env: { PROVISIONING_FILE: write('boot', FILE) } });
  });
  afterAll(async () => server?.stop());

  const apply = async (file: string) => (await applyProvisioning(server.ctx.database, await loadProvisioningFile(file, {}))).lines.map(formatLine);

  it('creates the rules at boot, then finds them unchanged, changes them and prunes them', async () => {
    const { db } = server.ctx.database;
    const rules = await db.selectFrom('forward_auth_rules').select(['host', 'path_prefix', 'allow_any_user']).orderBy('path_prefix').execute();
    expect(rules).toEqual([
      { host: 'photos.example.com', path_prefix: '/', allow_any_user: 0 },
      { host: 'photos.example.com', path_prefix: '/public', allow_any_user: 1 },
    ]);
    expect((await apply(write('again', FILE))).filter((line) => line.startsWith('forward-auth'))).toEqual([
      'forward-auth rule "photos.example.com": unchanged',
      'forward-auth rule "photos.example.com/public": unchanged',
    ]);

    const { cookie } = await signedInUser(server, { username: 'frank' });
    expect((await ask(server, { host: 'photos.example.com', uri: '/public/a', cookie })).status).toBe(200);
    expect((await ask(server, { host: 'photos.example.com', uri: '/albums', cookie })).status).toBe(403);

    const changed = FILE.replace('  - host: photos.example.com\n    allowedGroups: [family]', '  - host: photos.example.com\n    allowedGroups: []');
    expect((await apply(write('changed', changed))).filter((line) => line.startsWith('forward-auth'))).toEqual([
      'forward-auth rule "photos.example.com": changed (allowedGroups)',
      'forward-auth rule "photos.example.com/public": unchanged',
    ]);
    // The change reaches the endpoint at once.
    expect((await ask(server, { host: 'photos.example.com', uri: '/albums', cookie })).status).toBe(200);

    const pruned = `prune: true
groups:
  - friendlyName: family
    name: Family
users:
  - username: erin
    groups: [family]
  - username: frank
forwardAuth:
  - host: photos.example.com
    allowedGroups: []
`;
    // Without a forwardAuth list (a file older than forward auth), prune leaves the rules alone.
    const prunedWithoutList = pruned.slice(0, pruned.indexOf('forwardAuth:'));
    expect((await apply(write('pruned-without-list', prunedWithoutList))).filter((line) => line.startsWith('forward-auth'))).toEqual([]);
    expect(await db.selectFrom('forward_auth_rules').select('path_prefix').orderBy('path_prefix').execute()).toEqual([{ path_prefix: '/' }, { path_prefix: '/public' }]);
    expect((await apply(write('pruned', pruned))).filter((line) => line.startsWith('forward-auth'))).toEqual([
      'forward-auth rule "photos.example.com": unchanged',
      'forward-auth rule "photos.example.com/public": deleted (prune)',
    ]);
    expect(await db.selectFrom('forward_auth_rules').select('path_prefix').execute()).toEqual([{ path_prefix: '/' }]);
  });

  it('reports a rule naming an unknown group or a bad host, and changes nothing', async () => {
    const bad = `forwardAuth:\n  - host: https://photos.example.com\n    allowedGroups: [nobody]\n`;
    await expect(loadProvisioningFile(write('bad-host', bad), {})).rejects.toThrow(/forwardAuth\[0\] "https:\/\/photos.example.com": host must be a host name/);
    const unknown = `forwardAuth:\n  - host: other.example.com\n    allowedGroups: [nobody]\n`;
    await expect(apply(write('unknown', unknown))).rejects.toThrow(/forwardAuth\[0\] "other.example.com": allowedGroups\[0\] names no group: "nobody"/);
    expect(await server.ctx.database.db.selectFrom('forward_auth_rules').selectAll().where('host', '=', 'other.example.com').execute()).toEqual([]);
  });
});
