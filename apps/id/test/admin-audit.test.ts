import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProvisioning } from '../src/provisioning/apply.js';
import { loadProvisioningFile } from '../src/provisioning/load.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { PUBLIC_CALLBACK, codeFlow } from './support/conformance.js';
import { registerPasskey } from './support/fixtures.js';
import { relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

interface Entry {
  event: string;
  kind: string | null;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  summary: string;
  device: string;
  data: { action?: string; target?: string; via?: string };
}

/** Internal codes (`token_issued`, `group.update`) never reach the sentences people read. */
const CODE = /\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_.]+\b/;

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
    return res.body as { entries: Entry[]; page: number; pageSize: number; total: number };
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
      ['?kind=everything', 'kind'],
      [`?q=${'x'.repeat(201)}`, 'q'],
    ]) {
      const res = await api(server, 'GET', `/api/admin/audit-log${query}`, { cookie: admin });
      expect(res.status, query).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it('says each kind of event in words, with the names of today and the device', async () => {
    const made = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      body: { name: 'Grafana', callbackUrls: [PUBLIC_CALLBACK], isPublic: true, pkceEnabled: true, trusted: true },
    });
    const clientId = made.body.client.id as string;
    const bob = await signedInUser(server, { username: 'bob' });
    const authenticator = await registerPasskey(server, bob.cookie);
    await codeFlow(await relyingParty(server, clientId), new TestBrowser(server.url), authenticator, { redirectUri: PUBLIC_CALLBACK });
    const group = (await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name: 'Family', friendlyName: 'family' } })).body.group;
    await api(server, 'PATCH', `/api/admin/groups/${group.id}`, { cookie: admin, body: { friendlyName: 'kin' } });
    await api(server, 'POST', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userId: bob.user.id } });
    await api(server, 'POST', `/api/admin/users/${bob.user.id}/one-time-access-token`, { cookie: admin });
    // Renamed: the log says the app's name of today.
    await api(server, 'PATCH', `/api/admin/clients/${clientId}`, { cookie: admin, body: { name: 'Grafana Cloud' } });

    const summaries = async () => (await auditLog('?pageSize=20')).entries;
    let entries = await summaries();
    const sentence = (event: string) => entries.find((e) => e.event === event)?.summary;
    expect(sentence('passkey_added')).toMatch(/^bob added the passkey "/);
    expect(sentence('sign_in')).toBe('bob signed in to Grafana Cloud with a passkey');
    expect(sentence('token_issued')).toBe('A token was issued to Grafana Cloud for bob');
    const summaryOf = (action: string) => entries.find((e) => e.data.action === action)?.summary;
    expect(summaryOf('group.create')).toBe('audit-admin created the group Family');
    expect(summaryOf('group.update')).toBe('audit-admin changed the group Family: friendly name');
    expect(summaryOf('group.members.add')).toBe('audit-admin added bob to the group Family');
    expect(summaryOf('user.one_time_access_token.create')).toBe('audit-admin created a login link for the user bob');
    expect(summaryOf('client.update')).toBe('audit-admin changed the app Grafana Cloud: name');
    expect(entries.find((e) => e.event === 'sign_in')?.device).toBe('a Node.js program');

    // Gone: the names stored with each entry stand in.
    await api(server, 'DELETE', `/api/admin/clients/${clientId}`, { cookie: admin });
    await api(server, 'DELETE', `/api/admin/groups/${group.id}`, { cookie: admin });
    entries = await summaries();
    expect(summaryOf('client.delete')).toBe('audit-admin deleted the app Grafana Cloud');
    expect(summaryOf('group.delete')).toBe('audit-admin deleted the group Family');
    expect(summaryOf('group.create')).toBe('audit-admin created the group Family');
    expect(sentence('token_issued')).toBe('A token was issued to Grafana for bob');

    for (const entry of entries) {
      expect(entry.summary, entry.summary).not.toMatch(CODE);
      expect(entry.kind).not.toBeNull();
    }
  });

  it('marks command-line and provisioning changes as such', { timeout: 120_000 }, async () => {
    const made = await runCli(['create-group', '--name', 'Cousins', '--friendly-name', 'cousins'], server.env);
    expect(made.code, made.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'audit-provisioning-'));
    try {
      const file = join(dir, 'hearth.yaml');
      writeFileSync(file, 'groups:\n  - friendlyName: neighbours\n    name: Neighbours\n');
      await applyProvisioning(server.ctx.database, await loadProvisioningFile(file, {}));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { entries } = await auditLog('?kind=admin-changes&pageSize=2');
    expect(entries.map((e) => [e.summary, e.device])).toEqual([
      ['The group Neighbours was created (provisioning file hearth.yaml)', 'provisioning file'],
      ['The group Cousins was created (command line)', 'command line'],
    ]);
  });

  it('filters by person (about them or by them) and by kind of event, with a total for the pager', async () => {
    const carol = await signedInUser(server, { username: 'carol-filter' });
    const carla = await signedInUser(server, { username: 'carla-filter' });
    await registerPasskey(server, carol.cookie);
    await registerPasskey(server, carla.cookie);
    await api(server, 'PATCH', `/api/admin/users/${carol.user.id}`, { cookie: admin, body: { lastName: 'Filtered' } });

    const exact = await auditLog('?q=carol-filter');
    expect(exact.entries.map((e) => e.summary)).toEqual([
      'audit-admin changed the user carol-filter: last name',
      expect.stringMatching(/^carol-filter added the passkey/),
    ]);
    expect(exact.total).toBe(2);
    // Part of a name: everyone it matches.
    const both = await auditLog('?q=-FILTER&kind=passkeys');
    expect(both.entries.map((e) => e.summary.split(' ')[0])).toEqual(['carla-filter', 'carol-filter']);
    expect(both.total).toBe(2);
    // By them: what the admin did is found under their name.
    const byAdmin = await auditLog(`?q=audit-admin&kind=admin-changes&pageSize=1`);
    expect(byAdmin.entries[0]?.summary).toBe('audit-admin changed the user carol-filter: last name');
    expect(byAdmin.total).toBeGreaterThan(1);
    const page2 = await auditLog(`?q=audit-admin&kind=admin-changes&pageSize=1&page=2`);
    expect(page2.entries).toHaveLength(1);
    expect(page2.entries[0]?.summary).not.toBe(byAdmin.entries[0]?.summary);
    // Nobody by that name: nothing, rather than everything.
    expect(await auditLog('?q=nobody-at-all')).toMatchObject({ entries: [], total: 0 });
    // Every kind keeps only its events.
    for (const [kind, events] of [
      ['sign-ins', ['sign_in', 'sign_out', 'one_time_access_used']],
      ['tokens', ['token_issued', 'grant_revoked']],
      ['passkeys', ['passkey_added', 'passkey_removed']],
    ] as const) {
      const { entries } = await auditLog(`?kind=${kind}&pageSize=200`);
      for (const entry of entries) expect(events as readonly string[]).toContain(entry.event);
    }
  });
});
