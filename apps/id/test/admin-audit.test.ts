import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

interface Entry {
  event: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  data: { action?: string; target?: string };
}

describe.each(DB_PROVIDERS)('admin API: audit log on %s', (provider) => {
  let server: TestServer;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    const signedIn = await signedInUser(server, { username: 'audit-admin', isAdmin: true });
    admin = signedIn.cookie;
    adminId = signedIn.user.id;
  });
  afterAll(async () => server?.stop());

  const auditLog = async (query = '') => {
    const res = await api(server, 'GET', `/api/admin/audit-log${query}`, { cookie: admin });
    expect(res.status).toBe(200);
    return res.body as { entries: Entry[]; page: number; pageSize: number };
  };

  it('answers 401 without a session and 403 to a non-admin', async () => {
    expect((await api(server, 'GET', '/api/admin/audit-log')).status).toBe(401);
    const { cookie } = await signedInUser(server);
    expect((await api(server, 'GET', '/api/admin/audit-log', { cookie })).status).toBe(403);
  });

  it('records every admin change with who did it, newest first', async () => {
    const user = (await api(server, 'POST', '/api/admin/users', { cookie: admin, body: { username: 'audited' } })).body.user;
    await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { firstName: 'Aud' } });
    const group = (await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name: 'G', friendlyName: 'g' } })).body.group;
    await api(server, 'PATCH', `/api/admin/groups/${group.id}`, { cookie: admin, body: { name: 'G2' } });
    await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: [user.id] } });
    await api(server, 'PUT', `/api/admin/users/${user.id}/groups`, { cookie: admin, body: { groupIds: [] } });
    const created = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      body: { name: 'Secretive', callbackUrls: ['https://app.example/cb'] },
    });
    const client = created.body.client;
    await api(server, 'PATCH', `/api/admin/clients/${client.id}`, { cookie: admin, body: { trusted: true } });
    const renewed = await api(server, 'POST', `/api/admin/clients/${client.id}/secret`, { cookie: admin });
    const link = await api(server, 'POST', `/api/admin/users/${user.id}/one-time-access-token`, { cookie: admin });
    await api(server, 'DELETE', `/api/admin/clients/${client.id}`, { cookie: admin });
    await api(server, 'DELETE', `/api/admin/groups/${group.id}`, { cookie: admin });
    await api(server, 'DELETE', `/api/admin/users/${user.id}`, { cookie: admin });

    const { entries, page, pageSize } = await auditLog();
    expect({ page, pageSize }).toEqual({ page: 1, pageSize: 50 });
    expect(entries.map((e) => e.data.action)).toEqual([
      'user.delete',
      'group.delete',
      'client.delete',
      'user.one_time_access_token.create',
      'client.secret.regenerate',
      'client.update',
      'client.create',
      'user.groups.set',
      'group.members.set',
      'group.update',
      'group.create',
      'user.update',
      'user.create',
    ]);
    for (const entry of entries) {
      expect(entry.actorId).toBe(adminId);
      expect(entry.ip).toBeTruthy();
    }
    expect(entries.find((e) => e.data.action === 'client.create')?.data.target).toBe(client.id);
    expect(entries.find((e) => e.data.action === 'user.create')).toMatchObject({ event: 'admin_change', userId: user.id });
    expect(entries.find((e) => e.data.action === 'user.one_time_access_token.create')?.event).toBe('one_time_access_created');

    // Secrets and login tokens never reach the log.
    const json = JSON.stringify(entries);
    expect(json).not.toContain(created.body.secret);
    expect(json).not.toContain(renewed.body.secret);
    expect(json).not.toContain(link.body.url.split('/lc/')[1]);
  });

  it('filters by user and pages', async () => {
    const user = (await api(server, 'POST', '/api/admin/users', { cookie: admin, body: { username: 'filtered' } })).body.user;
    await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { lastName: 'One' } });
    await api(server, 'PATCH', `/api/admin/users/${user.id}`, { cookie: admin, body: { lastName: 'Two' } });

    const mine = await auditLog(`?userId=${user.id}`);
    expect(mine.entries.map((e) => e.data.action)).toEqual(['user.update', 'user.update', 'user.create']);
    const second = await auditLog(`?userId=${user.id}&page=2&pageSize=2`);
    expect(second).toMatchObject({ page: 2, pageSize: 2 });
    expect(second.entries.map((e) => e.data.action)).toEqual(['user.create']);
  });

  it('validates its query', async () => {
    for (const [query, field] of [
      ['?page=-1', 'page'],
      ['?page=abc', 'page'],
      ['?pageSize=500', 'pageSize'],
    ]) {
      const res = await api(server, 'GET', `/api/admin/audit-log${query}`, { cookie: admin });
      expect(res.status, query).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });
});
