import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
