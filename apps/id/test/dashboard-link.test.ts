import { afterEach, describe, expect, it } from 'vitest';
import { createGroup } from '../src/groups/groups.js';
import { api, startTestServer, type TestServer } from './support/server.js';

const admin = { username: 'admin', email: 'admin@example.com', firstName: 'First', lastName: 'Admin' };

describe('the setup API names the dashboard wired to Hearth ID (DASHBOARD_URL)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers the created admin with DASHBOARD_URL, and the admin joins "admins" for the dashboard', async () => {
    server = await startTestServer({ env: { DASHBOARD_URL: 'http://localhost:4000/' } });
    await createGroup(server.ctx.database.db, { name: 'Dashboard admins', friendlyName: 'admins' });
    // Nothing is said about the dashboard before the admin exists.
    expect((await api(server, 'GET', '/api/setup')).body).toEqual({ setupRequired: true });

    const created = await api(server, 'POST', '/api/setup', { body: admin });
    expect(created.status).toBe(201);
    expect(created.body.dashboardUrl).toBe('http://localhost:4000');
    expect(created.body.user).toMatchObject({ username: 'admin', isAdmin: true });

    const cookie = created.headers.getSetCookie().find((c) => c.startsWith('hearth_session='))!.split(';')[0];
    const me = await api(server, 'GET', '/api/me', { cookie });
    expect(me.body.groups.map((group: { friendlyName: string }) => group.friendlyName)).toEqual(['admins']);
  });

  it('answers dashboardUrl null when no dashboard is wired', async () => {
    server = await startTestServer();
    const created = await api(server, 'POST', '/api/setup', { body: admin });
    expect(created.status).toBe(201);
    expect(created.body).toHaveProperty('dashboardUrl', null);
  });

  it('keeps the dashboard address to itself once setup is done', async () => {
    server = await startTestServer({ env: { DASHBOARD_URL: 'http://localhost:4000' } });
    expect((await api(server, 'POST', '/api/setup', { body: admin })).status).toBe(201);
    const late = await api(server, 'POST', '/api/setup', { body: { ...admin, username: 'late', email: 'late@example.com' } });
    expect(late.status).toBe(404);
    expect(JSON.stringify(late.body)).not.toContain('4000');
  });
});
