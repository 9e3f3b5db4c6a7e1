import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOneTimeAccessToken } from '../src/one-time-access/one-time-access.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { registerPasskey } from './support/fixtures.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

const exec = promisify(execFile);

describe.each(DB_PROVIDERS)('first admin and login links on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    // Races send many requests from one address; the sign-in rate limit would answer some with 429.
    server = await startTestServer({ provider, env: { SIGN_IN_RATE_LIMIT: '0' } });
  });
  afterAll(async () => server?.stop());

  it('answers a setup form with a missing or bad field in words, naming the field', async () => {
    for (const [body, field, message] of [
      [{}, 'username', 'Enter a username'],
      [{ username: '   ' }, 'username', 'Enter a username'],
      [{ username: 'admin', email: 'not-an-email' }, 'email', 'Enter a valid email address'],
      [{ username: 'admin', firstName: 'x'.repeat(101) }, 'firstName', 'First name must be at most 100 characters'],
    ] as const) {
      const res = await api(server, 'POST', '/api/setup', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error: 'invalid', field, message });
    }
    expect((await api(server, 'GET', '/api/setup')).body).toEqual({ setupRequired: true });
  });

  it('offers setup while no user exists; 20 concurrent attempts create exactly one admin; then setup is gone', async () => {
    expect((await api(server, 'GET', '/api/setup')).body).toEqual({ setupRequired: true });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(server, 'POST', '/api/setup', { body: { username: `admin${i}`, email: `admin${i}@example.com`, firstName: 'First', lastName: 'Admin' } }),
      ),
    );
    const created = attempts.filter((attempt) => attempt.status === 201);
    expect(created).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.status === 404)).toHaveLength(19);
    expect(created[0]!.body.user).toMatchObject({ isAdmin: true, firstName: 'First', lastName: 'Admin' });
    const cookie = created[0]!.headers.getSetCookie().find((c) => c.startsWith('hearth_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await api(server, 'GET', '/api/me', { cookie: cookie.split(';')[0] });
    expect(me.body.user.isAdmin).toBe(true);
    expect((await api(server, 'GET', '/api/setup')).status).toBe(404);
    const late = await api(server, 'POST', '/api/setup', { body: { username: 'late', email: 'late@example.com' } });
    expect(late.status).toBe(404);
    expect(late.body.message).toContain('sign in instead');
  });

  it('validates the setup form with a 400 naming the field', async () => {
    const fresh = await startTestServer({ provider });
    try {
      const bad = await api(fresh, 'POST', '/api/setup', { body: { username: 'ok', email: 'not-an-email' } });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('email');
      const badName = await api(fresh, 'POST', '/api/setup', { body: { username: 'has space', email: 'a@b.co' } });
      expect(badName.status).toBe(400);
      expect(badName.body.field).toBe('username');
    } finally {
      await fresh.stop();
    }
  });

  it('redeems a login link exactly once out of 50 concurrent attempts', async () => {
    const { user } = await signedInUser(server, { username: 'racer' });
    const { token } = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    const attempts = await Promise.all(Array.from({ length: 50 }, () => api(server, 'POST', `/api/one-time-access-token/${token}`, { body: {} })));
    expect(attempts.filter((attempt) => attempt.status === 200)).toHaveLength(1);
    const refused = attempts.filter((attempt) => attempt.status !== 200);
    expect(refused).toHaveLength(49);
    for (const attempt of refused) {
      expect(attempt.status).toBe(400);
      expect(attempt.body.message).toBe('Token is invalid or expired');
    }
  });

  it('answers "Token is invalid or expired" for a used, expired or unknown link', async () => {
    const { user } = await signedInUser(server, { username: 'linkuser' });
    const { token } = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    const browser = new TestBrowser(server.url);
    const landing = await browser.get(`/lc/${token}`);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain(`action="/lc/${token}"`);
    const first = await browser.post(`/lc/${token}`);
    expect(first.status).toBe(303);
    expect(first.location?.pathname).toBe('/settings/account');
    expect((await browser.get('/api/me')).json().user.username).toBe('linkuser');

    const used = await new TestBrowser(server.url).post(`/lc/${token}`);
    expect(used.status).toBe(400);
    expect(used.text).toContain('Token is invalid or expired');

    const expired = await createOneTimeAccessToken(server.ctx.database.db, user.id, { ttlSeconds: -1 });
    const late = await api(server, 'POST', `/api/one-time-access-token/${expired.token}`, { body: {} });
    expect(late.status).toBe(400);
    expect(late.body.message).toBe('Token is invalid or expired');

    const unknown = await api(server, 'POST', '/api/one-time-access-token/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { body: {} });
    expect(unknown.body.message).toBe('Token is invalid or expired');
  });

  it('lands a login link on the passkey prompt without a passkey, on My apps with one', async () => {
    const { user, cookie } = await signedInUser(server, { username: 'lander' });
    const first = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    expect((await new TestBrowser(server.url).post(`/lc/${first.token}`)).location?.pathname).toBe('/settings/account');
    expect((await api(server, 'POST', `/api/one-time-access-token/${(await createOneTimeAccessToken(server.ctx.database.db, user.id)).token}`, { body: {} })).body.redirectTo).toBe('/settings/account');

    await registerPasskey(server, cookie);
    const second = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    expect((await new TestBrowser(server.url).post(`/lc/${second.token}`)).location?.pathname).toBe('/apps');
    const third = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    expect((await api(server, 'POST', `/api/one-time-access-token/${third.token}`, { body: {} })).body.redirectTo).toBe('/apps');
  });

  it('refuses cross-site requests that change state', async () => {
    const { cookie } = await signedInUser(server, { username: 'csrf' });
    const forged = await api(server, 'POST', '/api/logout', { cookie, origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
    const form = await fetch(new URL('/api/logout', server.url), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    // Fastify refuses the form body before anything runs (415); JSON without Origin would be a script, not a form.
    expect([403, 415]).toContain(form.status);
    expect((await api(server, 'GET', '/api/me', { cookie })).status).toBe(200);
  });
});

describe('the documented SQLite recipe and CLI line', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider: 'sqlite' });
  });
  afterAll(async () => server?.stop());

  it('inserts an admin with sqlite3, verbatim, and the printed one-time link signs them in', async () => {
    const db = server.env.DB_CONNECTION_STRING!;
    // The statement exactly as documented (only the database path differs).
    const recipe = `sqlite3 ${db} "
INSERT INTO users (id, created_at, updated_at, username, email, first_name, last_name, display_name, is_admin, email_verified)
VALUES (\\"admin-uuid-001\\", datetime(\\"now\\"), datetime(\\"now\\"), \\"pocketid-admin\\", \\"[email protected]\\", \\"Pocket ID\\", \\"Admin\\", \\"Admin\\", 1, 1);
"`;
    await exec('sh', ['-c', recipe]);

    const result = await runCli(['one-time-access-token', 'pocketid-admin'], server.env);
    expect(result.code).toBe(0);
    const link = result.stdout.trim();
    expect(link).toMatch(new RegExp(`^${server.url}/lc/[A-Za-z0-9_-]+$`));

    const browser = new TestBrowser(server.url);
    expect((await browser.post(new URL(link).pathname)).status).toBe(303);
    const me = (await browser.get('/api/me')).json();
    expect(me.user).toMatchObject({ id: 'admin-uuid-001', username: 'pocketid-admin', isAdmin: true, emailVerified: true, displayName: 'Admin' });
    expect(me.user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await browser.get('/api/admin/users')).status).toBe(200);
    // Setup is over: a user exists.
    expect((await browser.get('/api/setup')).status).toBe(404);
  });

  it('says which user does not exist, and usernames match regardless of case', async () => {
    const missing = await runCli(['one-time-access-token', 'nobody'], server.env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('hearth-id: no user named "nobody"');
    const upper = await runCli(['one-time-access-token', 'PocketID-Admin'], server.env);
    expect(upper.code).toBe(0);
  });

  it('refuses a login link for a disabled user, as the admin screen does', async () => {
    const { user } = await signedInUser(server, { username: 'on-leave', disabled: true });
    const result = await runCli(['one-time-access-token', 'on-leave'], server.env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('hearth-id: on-leave is disabled; enable the account before sending a login link');
    await expect(createOneTimeAccessToken(server.ctx.database.db, user.id)).rejects.toThrow('on-leave is disabled');
  });

  it('creates an admin without a browser with create-admin and prints a working link', async () => {
    const result = await runCli(['create-admin', '--username', 'headless', '--email', 'headless@example.com', '--first-name', 'Head'], server.env);
    expect(result.code).toBe(0);
    const browser = new TestBrowser(server.url);
    expect((await browser.post(new URL(result.stdout.trim()).pathname)).status).toBe(303);
    expect((await browser.get('/api/me')).json().user).toMatchObject({ username: 'headless', isAdmin: true, firstName: 'Head' });

    const again = await runCli(['create-admin', '--username', 'HEADLESS', '--email', 'x@example.com'], server.env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already taken');
    const badEmail = await runCli(['create-admin', '--username', 'x', '--email', 'nope'], server.env);
    expect(badEmail.stderr).toContain('--email');
  });
});
