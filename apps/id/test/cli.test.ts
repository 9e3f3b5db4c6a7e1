import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient } from '../src/clients/clients.js';
import { groupClaimOfUser } from '../src/groups/groups.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { api, startTestServer, type TestServer } from './support/server.js';

describe('scripting Hearth ID from the command line', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('creates a group once with --if-missing, and the first admin from setup joins "admins"', async () => {
    const first = await runCli(['create-group', '--name', 'Dashboard admins', '--friendly-name', 'admins', '--if-missing'], server.env);
    expect(first.code).toBe(0);
    const again = await runCli(['create-group', '--name', 'Other', '--friendly-name', 'admins', '--if-missing'], server.env);
    expect(again.stdout).toBe(first.stdout);
    const clash = await runCli(['create-group', '--name', 'Other', '--friendly-name', 'ADMINS'], server.env);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('already exists');

    const setup = await new TestBrowser(server.url).post('/api/setup', { username: 'owner', email: 'owner@example.com' });
    expect(setup.status).toBe(201);
    expect(await groupClaimOfUser(server.ctx.database.db, setup.json().user.id)).toEqual(['admins']);
  });

  it('creates a public client with a chosen ID, idempotently', async () => {
    const args = [
      'create-client',
      '--name', 'Hearth Dashboard',
      '--callback-url', 'http://localhost:4000',
      '--callback-url', 'http://localhost:4000/',
      '--logout-callback-url', 'http://localhost:4000',
      '--public', '--trusted',
      '--id', 'hearth-dashboard',
      '--if-missing',
    ];
    const first = await runCli(args, server.env);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('hearth-dashboard');
    expect((await runCli(args, server.env)).stdout.trim()).toBe('hearth-dashboard');
    const client = await findClient(server.ctx.database.db, 'hearth-dashboard');
    expect(client).toMatchObject({
      name: 'Hearth Dashboard',
      callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'],
      logoutCallbackUrls: ['http://localhost:4000'],
      isPublic: true,
      pkceEnabled: true,
      trusted: true,
    });
    const duplicate = await runCli(args.filter((arg) => arg !== '--if-missing'), server.env);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr.trim()).toBe('hearth-id: a client with the ID "hearth-dashboard" already exists');
  });

  it('prints a confidential client’s secret once and refuses a bad callback URL', async () => {
    const result = await runCli(['create-client', '--name', 'Grafana', '--callback-url', 'https://grafana.lan/login/generic_oauth'], server.env);
    expect(result.code).toBe(0);
    const [id, secret] = result.stdout.trim().split('\n');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await findClient(server.ctx.database.db, id!))?.authMethod).toBe('client_secret_basic');
    const post = await runCli(['create-client', '--name', 'Form post', '--callback-url', 'https://app.lan/cb', '--secret-in-body'], server.env);
    expect((await findClient(server.ctx.database.db, post.stdout.trim().split('\n')[0]!))?.authMethod).toBe('client_secret_post');
    const listed = await api(server, 'GET', `/api/admin/clients/${id}`);
    expect(listed.status).toBe(401);

    const bad = await runCli(['create-client', '--name', 'Bad', '--callback-url', 'not a url'], server.env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"not a url" is not an absolute URL');
    // A wildcard would be stored as a literal that never matches: refused, as in the admin screen.
    const wildcard = await runCli(['create-client', '--name', 'Wild', '--callback-url', 'https://*.lan/cb'], server.env);
    expect(wildcard.code).not.toBe(0);
    expect(wildcard.stderr).toContain('Callback URL "https://*.lan/cb" contains a *, but callback URLs are matched exactly and wildcards are not supported');
  });
});
