import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

describe.each(DB_PROVIDERS)('admin API: users on %s', (provider) => {
  let server: TestServer;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    const signedIn = await signedInUser(server, { username: 'root-admin', isAdmin: true });
    admin = signedIn.cookie;
    adminId = signedIn.user.id;
  });
  afterAll(async () => server?.stop());

  const createUser = async (body: Record<string, unknown>) => {
    const res = await api(server, 'POST', '/api/admin/users', { cookie: admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.user as { id: string; username: string };
  };

  describe('guards', () => {
    it('answers 401 without a session', async () => {
      const res = await api(server, 'GET', '/api/admin/users');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
      expect((await api(server, 'POST', '/api/admin/users', { body: { username: 'x' } })).status).toBe(401);
    });

    it('answers 403 to a signed-in non-admin', async () => {
      const { cookie } = await signedInUser(server, { isAdmin: false });
      const res = await api(server, 'GET', '/api/admin/users', { cookie });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
      expect((await api(server, 'POST', '/api/admin/users', { cookie, body: { username: 'sneaky' } })).status).toBe(403);
    });

    it('refuses a cross-site POST even with an admin cookie', async () => {
      const res = await api(server, 'POST', '/api/admin/users', {
        cookie: admin,
        body: { username: 'csrf-victim' },
        origin: 'http://evil.example',
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('cross-site');
      const search = await api(server, 'GET', '/api/admin/users?search=csrf-victim', { cookie: admin });
      expect(search.body.total).toBe(0);
    });

    it('accepts a script sending JSON without Origin', async () => {
      const res = await api(server, 'POST', '/api/admin/users', { cookie: admin, body: { username: 'scripted' }, origin: null });
      expect(res.status).toBe(201);
    });
  });

  describe('CRUD', () => {
    it('creates, reads, updates and deletes a user', async () => {
      const created = await api(server, 'POST', '/api/admin/users', {
        cookie: admin,
        body: { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' },
      });
      expect(created.status).toBe(201);
      const user = created.body.user;
      expect(user).toMatchObject({
        username: 'alice',
        email: 'alice@example.com',
        firstName: 'Alice',
        lastName: 'Liddell',
        displayName: 'Alice Liddell',
        isAdmin: false,
        disabled: false,
      });
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);

      const read = await api(server, 'GET', `/api/admin/users/${user.id}`, { cookie: admin });
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ user, groups: [] });

      const patched = await api(server, 'PATCH', `/api/admin/users/${user.id}`, {
        cookie: admin,
        body: { displayName: 'Al', email: null },
      });
      expect(patched.status).toBe(200);
      // Fields not sent stay as they were; null clears an optional one.
      expect(patched.body.user).toMatchObject({ username: 'alice', firstName: 'Alice', displayName: 'Al', email: null });

      expect((await api(server, 'DELETE', `/api/admin/users/${user.id}`, { cookie: admin })).status).toBe(204);
      expect((await api(server, 'GET', `/api/admin/users/${user.id}`, { cookie: admin })).status).toBe(404);
    });

    it('answers 404 for an unknown user on every route', async () => {
      const id = '00000000-0000-0000-0000-000000000000';
      for (const [method, path, body] of [
        ['GET', `/api/admin/users/${id}`, undefined],
        ['PATCH', `/api/admin/users/${id}`, { firstName: 'x' }],
        ['DELETE', `/api/admin/users/${id}`, undefined],
        ['PUT', `/api/admin/users/${id}/groups`, { groupIds: [] }],
        ['POST', `/api/admin/users/${id}/one-time-access-token`, {}],
      ] as const) {
        const res = await api(server, method, path, { cookie: admin, body });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error).toBe('not_found');
      }
    });
  });

  describe('validation', () => {
    const USERNAME_RULE = 'Username must be 1 to 64 letters, digits or _ . @ -, starting with a letter or digit';
    it.each([
      [{}, 'username', 'Enter a username'],
      [{ username: '' }, 'username', 'Enter a username'],
      [{ username: 'has space' }, 'username', USERNAME_RULE],
      [{ username: '-leading-dash' }, 'username', USERNAME_RULE],
      [{ username: 'a'.repeat(65) }, 'username', USERNAME_RULE],
      [{ username: 42 }, 'username', 'Username must be text'],
      [{ username: 'bob', email: 'not-an-email' }, 'email', 'Enter a valid email address'],
      [{ username: 'bob', firstName: 'x'.repeat(101) }, 'firstName', 'First name must be at most 100 characters'],
      [{ username: 'bob', isAdmin: 'yes' }, 'isAdmin', 'Administrator must be true or false'],
    ])('refuses %j with a 400 naming %s, in words', async (body, field, message) => {
      const res = await api(server, 'POST', '/api/admin/users', { cookie: admin, body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid', field, message });
    });

    it('validates PATCH bodies and query strings too', async () => {
      const user = await createUser({ username: 'validate-me' });
      const patch = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { username: 'bad name!' } });
      expect(patch.status).toBe(400);
      expect(patch.body.field).toBe('username');
      const disabled = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { disabled: 'no' } });
      expect(disabled.body.field).toBe('disabled');
      const page = await api(server, 'GET', '/api/admin/users?page=0', { cookie: admin });
      expect(page.status).toBe(400);
      expect(page.body.field).toBe('page');
      const size = await api(server, 'GET', '/api/admin/users?pageSize=1000', { cookie: admin });
      expect(size.body.field).toBe('pageSize');
      const groups = await api(server, 'PUT', `/api/admin/users/${user.id}/groups`, { cookie: admin, body: { groupIds: 'all' } });
      expect(groups.status).toBe(400);
      expect(groups.body.field).toBe('groupIds');
    });
  });

  describe('username clashes', () => {
    it('answers 409 for a username taken in another case', async () => {
      await createUser({ username: 'Carol' });
      const res = await api(server, 'POST', '/api/admin/users', { cookie: admin, body: { username: 'carol' } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'conflict', field: 'username' });
    });

    it('answers 409 when renaming onto a taken username', async () => {
      await createUser({ username: 'dave' });
      const erin = await createUser({ username: 'erin' });
      const res = await api(server, 'PATCH', `/api/admin/users/${erin.id}`, { cookie: admin, body: { username: 'DAVE' } });
      expect(res.status).toBe(409);
      expect(res.body.field).toBe('username');
    });
  });

  describe('search and paging', () => {
    it('searches username, name and email, and pages by username', async () => {
      for (const n of [1, 2, 3, 4, 5]) {
        await createUser({ username: `pager-${n}`, email: `p${n}@pages.example`, firstName: n === 3 ? 'Zebediah' : 'Pat' });
      }
      const first = await api(server, 'GET', '/api/admin/users?search=pager-&page=1&pageSize=2', { cookie: admin });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      expect(first.body.users.map((u: { username: string }) => u.username)).toEqual(['pager-1', 'pager-2']);
      const last = await api(server, 'GET', '/api/admin/users?search=PAGER-&page=3&pageSize=2', { cookie: admin });
      expect(last.body.users.map((u: { username: string }) => u.username)).toEqual(['pager-5']);
      const beyond = await api(server, 'GET', '/api/admin/users?search=pager-&page=9&pageSize=2', { cookie: admin });
      expect(beyond.body).toMatchObject({ users: [], total: 5 });

      const byName = await api(server, 'GET', '/api/admin/users?search=zebed', { cookie: admin });
      expect(byName.body.users.map((u: { username: string }) => u.username)).toEqual(['pager-3']);
      const byEmail = await api(server, 'GET', '/api/admin/users?search=p4%40pages', { cookie: admin });
      expect(byEmail.body.users.map((u: { username: string }) => u.username)).toEqual(['pager-4']);
    });

    it('continues from the username at the edge of a page (after, before), with or without a search', async () => {
      for (const name of ['Keyset-c', 'keyset-a', 'keyset-e', 'KEYSET-b', 'keyset-d']) await createUser({ username: name });
      const usernames = (res: { body: { users: { username: string }[] } }) => res.body.users.map((u) => u.username);
      const get = (query: string) => api(server, 'GET', `/api/admin/users?${query}`, { cookie: admin });

      const next = await get('q=keyset&pageSize=2&page=2&after=KEYSET-b');
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(usernames(next)).toEqual(['Keyset-c', 'keyset-d']);
      expect(usernames(await get('search=keyset&pageSize=2&page=3&after=keyset-d'))).toEqual(['keyset-e']);
      expect(usernames(await get('search=keyset&pageSize=2&page=2&before=keyset-e'))).toEqual(['Keyset-c', 'keyset-d']);
      expect(usernames(await get('search=keyset&pageSize=2&page=1&before=keyset-c'))).toEqual(['keyset-a', 'KEYSET-b']);

      // Without a search, the whole list in username order, from the index.
      const all = await get('pageSize=3&after=keyset-a');
      expect(usernames(all)).toEqual(['KEYSET-b', 'Keyset-c', 'keyset-d']);
      expect(all.body.total).toBeGreaterThan(5);
    });

    it('treats % and _ in a search as plain characters', async () => {
      await createUser({ username: 'under_score' });
      await createUser({ username: 'underXscore' });
      const res = await api(server, 'GET', `/api/admin/users?search=${encodeURIComponent('under_')}`, { cookie: admin });
      expect(res.body.users.map((u: { username: string }) => u.username)).toEqual(['under_score']);
      const percent = await api(server, 'GET', `/api/admin/users?search=${encodeURIComponent('%')}`, { cookie: admin });
      expect(percent.body.total).toBe(0);
    });
  });

  describe('the last administrator', () => {
    it('cannot demote, disable or delete themself while they are the only admin', async () => {
      for (const body of [{ isAdmin: false }, { disabled: true }]) {
        const res = await api(server, 'PATCH', `/api/admin/users/${adminId}`, { cookie: admin, body });
        expect(res.status).toBe(409);
        expect(res.body.message).toContain('last administrator');
      }
      const del = await api(server, 'DELETE', `/api/admin/users/${adminId}`, { cookie: admin });
      expect(del.status).toBe(409);
      expect(del.body.message).toContain('last administrator');
      const still = await api(server, 'GET', `/api/admin/users/${adminId}`, { cookie: admin });
      expect(still.body.user).toMatchObject({ isAdmin: true, disabled: false });
    });

    it('may step down once another admin exists', async () => {
      const other = await createUser({ username: 'second-admin', isAdmin: true });
      const { cookie: otherCookie } = await signedInUser(server, { username: 'temp-admin', isAdmin: true });
      const step = await api(server, 'PATCH', `/api/admin/users/${other.id}`, { cookie: otherCookie, body: { isAdmin: false } });
      expect(step.status).toBe(200);
      expect(step.body.user.isAdmin).toBe(false);
      // temp-admin and root-admin remain; temp-admin may now delete itself.
      const me = await api(server, 'GET', '/api/admin/users?search=temp-admin', { cookie: admin });
      const self = await api(server, 'DELETE', `/api/admin/users/${me.body.users[0].id}`, { cookie: otherCookie });
      expect(self.status).toBe(204);
      // Its session went with it.
      expect((await api(server, 'GET', '/api/admin/users', { cookie: otherCookie })).status).toBe(401);
    });

    it('lets only one of two admins demoting each other at once succeed', async () => {
      const a = await signedInUser(server, { username: 'race-a', isAdmin: true });
      const b = await signedInUser(server, { username: 'race-b', isAdmin: true });
      // root-admin steps down first so that race-a and race-b are the only admins.
      const down = await api(server, 'PATCH', `/api/admin/users/${adminId}`, { cookie: a.cookie, body: { isAdmin: false } });
      expect(down.status).toBe(200);
      const results = await Promise.all([
        api(server, 'PATCH', `/api/admin/users/${b.user.id}`, { cookie: a.cookie, body: { isAdmin: false } }),
        api(server, 'PATCH', `/api/admin/users/${a.user.id}`, { cookie: b.cookie, body: { isAdmin: false } }),
      ]);
      const statuses = results.map((r) => r.status).sort();
      // Either one wins and the other meets the last-admin rule, or the loser was already
      // demoted by the time its request was authorised (403).
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const restore = await api(server, 'PATCH', `/api/admin/users/${adminId}`, {
        cookie: results[0]!.status === 200 ? a.cookie : b.cookie,
        body: { isAdmin: true },
      });
      expect(restore.status).toBe(200);
    });
  });

  describe('disabling', () => {
    it('ends the sessions of a disabled user', async () => {
      const { user, cookie } = await signedInUser(server, { username: 'soon-disabled', isAdmin: true });
      expect((await api(server, 'GET', '/api/admin/users', { cookie })).status).toBe(200);
      const res = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { disabled: true } });
      expect(res.status).toBe(200);
      expect(res.body.user.disabled).toBe(true);
      expect((await api(server, 'GET', '/api/admin/users', { cookie })).status).toBe(401);
      // Enabling again does not revive the old session.
      await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { disabled: false } });
      expect((await api(server, 'GET', '/api/admin/users', { cookie })).status).toBe(401);
    });
  });

  describe('a changed email', () => {
    it('is unverified after an admin changes it, unless the same change says it is verified', async () => {
      const user = await createUser({ username: 'verified-mover', email: 'old@example.com', emailVerified: true });
      const renamed = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { firstName: 'Vera', email: 'old@example.com' } });
      expect(renamed.body.user).toMatchObject({ emailVerified: true });
      const moved = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { email: 'new@example.com' } });
      expect(moved.status).toBe(200);
      expect(moved.body.user).toMatchObject({ email: 'new@example.com', emailVerified: false });
      const vouched = await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { email: 'other@example.com', emailVerified: true } });
      expect(vouched.body.user).toMatchObject({ email: 'other@example.com', emailVerified: true });
    });

    it('is unverified after its owner changes it on their profile', async () => {
      const { cookie } = await signedInUser(server, { username: 'self-mover', email: 'mine@example.com', emailVerified: true });
      const same = await api(server, 'PATCH', '/api/me', { cookie, body: { email: 'mine@example.com', firstName: 'Sam' } });
      expect(same.body.user).toMatchObject({ emailVerified: true });
      const moved = await api(server, 'PATCH', '/api/me', { cookie, body: { email: 'elsewhere@example.com' } });
      expect(moved.status).toBe(200);
      expect(moved.body.user).toMatchObject({ email: 'elsewhere@example.com', emailVerified: false });
      // Whether an address is verified is not the owner's to say.
      expect((await api(server, 'PATCH', '/api/me', { cookie, body: { emailVerified: true } })).status).toBe(400);
    });
  });

  describe('one-time login links', () => {
    it('creates a link under APP_URL/lc/ that expires in an hour', async () => {
      const user = await createUser({ username: 'link-me' });
      const before = Math.floor(Date.now() / 1000);
      const res = await api(server, 'POST', `/api/admin/users/${user.id}/one-time-access-token`, { cookie: admin });
      expect(res.status).toBe(201);
      expect(res.body.url).toMatch(new RegExp(`^${server.url}/lc/[A-Za-z0-9_-]{16,}$`));
      expect(res.body.expiresAt).toBeGreaterThanOrEqual(before + 3600);
      expect(res.body.expiresAt).toBeLessThanOrEqual(before + 3610);
    });

    it('accepts a custom lifetime within bounds', async () => {
      const user = await createUser({ username: 'link-me-short' });
      const res = await api(server, 'POST', `/api/admin/users/${user.id}/one-time-access-token`, {
        cookie: admin,
        body: { ttlSeconds: 600 },
      });
      expect(res.status).toBe(201);
      expect(res.body.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
      const bad = await api(server, 'POST', `/api/admin/users/${user.id}/one-time-access-token`, {
        cookie: admin,
        body: { ttlSeconds: 5 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('ttlSeconds');
    });

    it('refuses a link for a disabled user', async () => {
      const user = await createUser({ username: 'link-disabled' });
      await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { disabled: true } });
      const res = await api(server, 'POST', `/api/admin/users/${user.id}/one-time-access-token`, { cookie: admin });
      expect(res.status).toBe(409);
    });
  });
});
