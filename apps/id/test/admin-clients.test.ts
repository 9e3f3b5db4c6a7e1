import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient, listClients } from '../src/clients/clients.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

describe.each(DB_PROVIDERS)('admin API: OIDC clients on %s', (provider) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    admin = (await signedInUser(server, { username: 'client-admin', isAdmin: true })).cookie;
  });
  afterAll(async () => server?.stop());

  /** The seed's Dashy client: both callback URLs, a logout URL, public, PKCE on. */
  const dashy = {
    name: 'Dashy',
    callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'],
    logoutCallbackUrls: ['http://localhost:4000'],
    isPublic: true,
    pkceEnabled: true,
  };

  it('answers 401 without a session and 403 to a non-admin', async () => {
    expect((await api(server, 'GET', '/api/admin/clients')).status).toBe(401);
    const { cookie } = await signedInUser(server);
    expect((await api(server, 'GET', '/api/admin/clients', { cookie })).status).toBe(403);
    expect((await api(server, 'POST', '/api/admin/clients', { cookie, body: dashy })).status).toBe(403);
  });

  it('refuses a cross-site POST', async () => {
    const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: dashy, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('creates the seed\'s public Dashy client with a UUID and no secret', async () => {
    const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: dashy });
    expect(res.status).toBe(201);
    expect(res.body.secret).toBeNull();
    expect(res.body.client).toMatchObject({ ...dashy, trusted: false, allowedGroupIds: [], hasSecret: false });
    expect(res.body.client.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Kept byte for byte: with and without the trailing slash are two URLs.
    expect(res.body.client.callbackUrls).toEqual(['http://localhost:4000', 'http://localhost:4000/']);

    const read = await api(server, 'GET', `/api/admin/clients/${res.body.client.id}`, { cookie: admin });
    expect(read.body).toEqual({ client: res.body.client });
    const list = await api(server, 'GET', '/api/admin/clients', { cookie: admin });
    expect(list.body.clients.map((c: { id: string }) => c.id)).toContain(res.body.client.id);
  });

  it('shows a confidential client\'s secret once, never its hash, and regenerates it', async () => {
    const res = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      body: { name: 'Grafana', callbackUrls: ['https://grafana.home.example/login/generic_oauth'] },
    });
    expect(res.status).toBe(201);
    const { client, secret } = res.body;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(client).toMatchObject({ isPublic: false, pkceEnabled: false, hasSecret: true });

    const read = await api(server, 'GET', `/api/admin/clients/${client.id}`, { cookie: admin });
    const list = await api(server, 'GET', '/api/admin/clients', { cookie: admin });
    for (const body of [read.body, list.body]) {
      const json = JSON.stringify(body);
      expect(json).not.toContain(secret);
      expect(json).not.toMatch(/secret_?hash/i);
      expect(json).not.toMatch(/[0-9a-f]{64}/);
    }
    const patched = await api(server, 'PATCH', `/api/admin/clients/${client.id}`, { cookie: admin, body: { name: 'Grafana 11' } });
    expect(patched.body).toMatchObject({ client: { name: 'Grafana 11', hasSecret: true }, secret: null });

    const renewed = await api(server, 'POST', `/api/admin/clients/${client.id}/secret`, { cookie: admin });
    expect(renewed.status).toBe(200);
    expect(renewed.body.secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(renewed.body.secret).not.toBe(secret);
  });

  it('makes a secret when a public client turns confidential and drops it when it turns public', async () => {
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { ...dashy, name: 'Switcher' } });
    const id = created.body.client.id;
    const secretless = await api(server, 'POST', `/api/admin/clients/${id}/secret`, { cookie: admin });
    expect(secretless.status).toBe(400);

    const confidential = await api(server, 'PATCH', `/api/admin/clients/${id}`, { cookie: admin, body: { isPublic: false } });
    expect(confidential.status).toBe(200);
    expect(confidential.body.secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(confidential.body.client).toMatchObject({ isPublic: false, hasSecret: true });

    const publicAgain = await api(server, 'PATCH', `/api/admin/clients/${id}`, { cookie: admin, body: { isPublic: true } });
    expect(publicAgain.body).toMatchObject({ client: { isPublic: true, pkceEnabled: true, hasSecret: false }, secret: null });
  });

  it('limits a client to groups, and refuses groups that do not exist', async () => {
    const group = await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name: 'Home', friendlyName: 'home' } });
    const groupId = group.body.group.id;
    const res = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      body: { ...dashy, name: 'Limited', allowedGroupIds: [groupId] },
    });
    expect(res.status).toBe(201);
    expect(res.body.client.allowedGroupIds).toEqual([groupId]);

    const bad = await api(server, 'PATCH', `/api/admin/clients/${res.body.client.id}`, {
      cookie: admin,
      body: { allowedGroupIds: [groupId, 'no-such-group'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('allowedGroupIds');
    const cleared = await api(server, 'PATCH', `/api/admin/clients/${res.body.client.id}`, { cookie: admin, body: { allowedGroupIds: [] } });
    expect(cleared.body.client.allowedGroupIds).toEqual([]);
  });

  it.each([
    [{ ...dashy, name: '' }, 'name'],
    [{ ...dashy, name: undefined }, 'name'],
    [{ ...dashy, callbackUrls: [] }, 'callbackUrls'],
    [{ ...dashy, callbackUrls: 'http://localhost:4000' }, 'callbackUrls'],
    [{ ...dashy, callbackUrls: ['http://localhost:4000', 'not a url'] }, 'callbackUrls.1'],
    [{ ...dashy, callbackUrls: ['http://localhost:4000/#frag'] }, 'callbackUrls.0'],
    [{ ...dashy, callbackUrls: ['javascript:alert(1)'] }, 'callbackUrls.0'],
    [{ ...dashy, logoutCallbackUrls: ['/relative'] }, 'logoutCallbackUrls.0'],
    [{ ...dashy, isPublic: 'true' }, 'isPublic'],
    [{ ...dashy, allowedGroupIds: [1] }, 'allowedGroupIds.0'],
    [{ ...dashy, authMethod: 'private_key_jwt' }, 'authMethod'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid', field });
  });

  it('refuses wildcards and other URLs that could never match, naming the entry in words, on create and update', async () => {
    const refusals: [Record<string, string[]>, string, string][] = [
      [
        { callbackUrls: ['https://app.home.example/cb', 'https://*.home.example/cb'] },
        'callbackUrls.1',
        'Callback URL 2 "https://*.home.example/cb" contains a *, but callback URLs are matched exactly and wildcards are not supported; list each URL in full',
      ],
      [
        { callbackUrls: ['*'] },
        'callbackUrls.0',
        'Callback URL "*" contains a *, but callback URLs are matched exactly and wildcards are not supported; list each URL in full',
      ],
      [
        { callbackUrls: ['https://app.home.example/cb'], logoutCallbackUrls: ['https://app.home.example/*'] },
        'logoutCallbackUrls.0',
        'Logout callback URL "https://app.home.example/*" contains a *, but callback URLs are matched exactly and wildcards are not supported; list each URL in full',
      ],
      [
        { callbackUrls: ['not a url'] },
        'callbackUrls.0',
        'Callback URL "not a url" is not an absolute URL; enter it in full, like https://app.example.com/callback',
      ],
      [
        { callbackUrls: ['ftp://files.home.example/cb'] },
        'callbackUrls.0',
        'Callback URL "ftp://files.home.example/cb" must start with https:// or http:// (or an app\'s own scheme such as com.example.app:/callback)',
      ],
      [{ callbackUrls: ['https://app.home.example/cb#'] }, 'callbackUrls.0', 'Callback URL "https://app.home.example/cb#" must not contain a #fragment'],
      [{ callbackUrls: ['https://app.home.example/cb', '  '] }, 'callbackUrls.1', 'Callback URL 2 is empty; enter a URL or remove it'],
      [{ callbackUrls: [] }, 'callbackUrls', 'Enter at least one callback URL'],
    ];
    const before = (await listClients(server.ctx.database.db)).length;
    for (const [urls, field, message] of refusals) {
      const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { name: 'Wildcard app', ...urls } });
      expect(res.status, JSON.stringify(urls)).toBe(400);
      expect(res.body).toEqual({ error: 'invalid', field, message });
    }
    expect((await listClients(server.ctx.database.db)).length).toBe(before);

    const created = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      // Pasted with spaces; a phone app's own scheme (RFC 8252) is a callback too.
      body: { name: 'Immich', callbackUrls: [' https://photos.home.example/auth/login ', 'app.immich:///oauth-callback'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.client.callbackUrls).toEqual(['https://photos.home.example/auth/login', 'app.immich:///oauth-callback']);
    for (const [urls, field, message] of refusals) {
      const res = await api(server, 'PATCH', `/api/admin/clients/${created.body.client.id}`, { cookie: admin, body: urls });
      expect(res.body).toEqual({ error: 'invalid', field, message });
    }
    expect((await findClient(server.ctx.database.db, created.body.client.id))?.callbackUrls).toEqual(created.body.client.callbackUrls);
  });

  it('names a missing field in words', async () => {
    const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { callbackUrls: ['https://app.home.example/cb'] } });
    expect(res.body).toEqual({ error: 'invalid', field: 'name', message: 'Enter a name' });
    const noUrls = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { name: 'No URLs' } });
    expect(noUrls.body).toEqual({ error: 'invalid', field: 'callbackUrls', message: 'Enter a callback URL' });
  });

  it('records how a confidential client sends its secret', async () => {
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { ...dashy, name: 'Poster', isPublic: false } });
    expect(created.body.client.authMethod).toBe('client_secret_basic');
    const patched = await api(server, 'PATCH', `/api/admin/clients/${created.body.client.id}`, {
      cookie: admin,
      body: { authMethod: 'client_secret_post' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.client.authMethod).toBe('client_secret_post');
  });

  it('validates PATCH bodies the same way', async () => {
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { ...dashy, name: 'Patchy' } });
    const res = await api(server, 'PATCH', `/api/admin/clients/${created.body.client.id}`, {
      cookie: admin,
      body: { callbackUrls: ['ftp//broken'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('callbackUrls.0');
  });

  it('lists clients a page at a time by name, searched by name or client ID, with a total', async () => {
    const ids: string[] = [];
    for (const name of ['Paged app b', 'paged app A', 'Paged app C']) {
      const res = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { ...dashy, name } });
      expect(res.status).toBe(201);
      ids.push(res.body.client.id);
    }
    const list = async (query: string) => {
      const res = await api(server, 'GET', `/api/admin/clients?${query}`, { cookie: admin });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { clients: { id: string; name: string; callbackUrls: string[] }[]; total: number; page: number; pageSize: number };
    };

    const first = await list('q=PAGED%20APP&pageSize=2');
    expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(first.clients.map((c) => c.name)).toEqual(['paged app A', 'Paged app b']);
    expect(first.clients[0]!.callbackUrls).toEqual(dashy.callbackUrls);
    expect((await list('q=paged%20app&page=2&pageSize=2')).clients.map((c) => c.name)).toEqual(['Paged app C']);
    // A client ID, or part of one, finds its client.
    expect((await list(`q=${ids[2]!.slice(0, 13)}`)).clients.map((c) => c.id)).toEqual([ids[2]]);
    expect((await list('q=no%20such%20app')).total).toBe(0);

    const all = await list('');
    expect(all.pageSize).toBe(50);
    expect(all.total).toBeGreaterThanOrEqual(3);

    for (const query of ['page=0', 'pageSize=201', `q=${'x'.repeat(201)}`]) {
      expect((await api(server, 'GET', `/api/admin/clients?${query}`, { cookie: admin })).status, query).toBe(400);
    }
  });

  it('deletes a client and answers 404 for unknown ones', async () => {
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: admin, body: { ...dashy, name: 'Doomed' } });
    const id = created.body.client.id;
    expect((await api(server, 'DELETE', `/api/admin/clients/${id}`, { cookie: admin })).status).toBe(204);
    for (const [method, path, body] of [
      ['GET', `/api/admin/clients/${id}`, undefined],
      ['PATCH', `/api/admin/clients/${id}`, { name: 'x' }],
      ['DELETE', `/api/admin/clients/${id}`, undefined],
      ['POST', `/api/admin/clients/${id}/secret`, undefined],
    ] as const) {
      const res = await api(server, method, path, { cookie: admin, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });
});
