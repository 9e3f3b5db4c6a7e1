import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../src/audit/audit.js';
import { createClient } from '../src/clients/clients.js';
import { hashToken } from '../src/crypto/crypto.js';
import { epochSeconds } from '../src/db/database.js';
import { createGroup, groupClaimOfUser } from '../src/groups/groups.js';
import { findUserByUsername } from '../src/users/users.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { api, DB_PROVIDERS, signedInUser, startTestServer, type TestServer } from './support/server.js';

// Each command starts a process of its own: give the tests time on a busy machine.
const SLOW = 180_000;

describe.each(DB_PROVIDERS)('users, groups and clients from the command line (%s)', (provider) => {
  let server: TestServer;
  const cli = (...args: string[]) => runCli(args, server.env);
  const db = () => server.ctx.database.db;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    await createGroup(db(), { name: 'Dashboard admins', friendlyName: 'admins' });
    await createGroup(db(), { name: 'Family', friendlyName: 'family' });
  });
  afterAll(async () => server?.stop());

  /** The audit rows the command line wrote for a user, newest first. */
  async function cliAudit(userId: string) {
    return (await listAudit(db(), { userId })).entries.filter((entry) => entry.data.via === 'cli');
  }

  it('create-user makes a user in the named groups, prints their ID and audits it as a command-line change', async () => {
    const result = await cli('create-user', '--username', 'alice', '--email', 'alice@example.com', '--first-name', 'Alice', '--last-name', 'Liddell', '--admin', '--group', 'admins', '--group', 'FAMILY');
    expect(result.stderr).toContain('Created administrator "alice" in admins, family');
    expect(result.code).toBe(0);
    const user = await findUserByUsername(db(), 'alice');
    expect(result.stdout.trim()).toBe(user!.id);
    expect(user).toMatchObject({ email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', displayName: 'Alice Liddell', isAdmin: true });
    expect(await groupClaimOfUser(db(), user!.id)).toEqual(['admins', 'family']);
    const audit = await cliAudit(user!.id);
    expect(audit.map((entry) => entry.data.action).sort()).toEqual(['group.members.add', 'group.members.add', 'user.create']);
    expect(audit[0]).toMatchObject({ event: 'admin_change', actorId: null, ip: null, userAgent: 'hearth-id command line' });

    const plain = await cli('create-user', '--username', 'bob');
    expect(plain.code).toBe(0);
    expect(await findUserByUsername(db(), 'bob')).toMatchObject({ isAdmin: false, email: null });
  }, SLOW);

  it('create-user refuses bad input with exit code 1, creating nobody, and usage mistakes with exit code 2', async () => {
    const unknownGroup = await cli('create-user', '--username', 'carol', '--group', 'admins', '--group', 'wizards');
    expect(unknownGroup.code).toBe(1);
    expect(unknownGroup.stderr.trim()).toBe('hearth-id: no group with the friendly name "wizards"; the groups are: admins, family');
    expect(await findUserByUsername(db(), 'carol')).toBeNull();

    const taken = await cli('create-user', '--username', 'ALICE');
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toMatch(/^hearth-id: the username "ALICE" is already taken$/i);
    const badEmail = await cli('create-user', '--username', 'carol', '--email', 'nope');
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain('--email: "nope" is not an email address');
    const badName = await cli('create-user', '--username', '-carol');
    expect(badName.code).not.toBe(0);

    const missing = await cli('create-user', '--email', 'carol@example.com');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--username <username>' not specified");
    const unknownOption = await cli('create-user', '--username', 'carol', '--colour', 'blue');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--colour'");
    expect((await cli('no-such-command')).code).toBe(2);
    expect((await cli('add-to-group', 'alice')).code).toBe(2);
    expect(await findUserByUsername(db(), 'carol')).toBeNull();
  }, SLOW);

  it('add-to-group and remove-from-group change one membership, say when nothing changed, and name what is missing', async () => {
    const bob = (await findUserByUsername(db(), 'bob'))!;
    const added = await cli('add-to-group', 'bob', 'family');
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe('Added bob to family.');
    expect(await groupClaimOfUser(db(), bob.id)).toEqual(['family']);
    expect((await cli('add-to-group', 'Bob', 'family')).stdout.trim()).toBe('bob is already in family.');

    const ghost = await cli('add-to-group', 'ghost', 'family');
    expect(ghost.code).toBe(1);
    expect(ghost.stderr.trim()).toBe('hearth-id: no user named "ghost"');
    const noGroup = await cli('remove-from-group', 'bob', 'wizards');
    expect(noGroup.code).toBe(1);
    expect(noGroup.stderr).toContain('no group with the friendly name "wizards"');

    const removed = await cli('remove-from-group', 'bob', 'family');
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe('Removed bob from family.');
    expect(await groupClaimOfUser(db(), bob.id)).toEqual([]);
    expect((await cli('remove-from-group', 'bob', 'family')).stdout.trim()).toBe('bob is not in family; nothing changed.');
    expect((await cliAudit(bob.id)).map((entry) => entry.data.action)).toEqual(['group.members.remove', 'group.members.add', 'user.create']);
  }, SLOW);

  it('list-users prints a table, and JSON with --json', async () => {
    const table = await cli('list-users');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+NAME\s+EMAIL\s+ROLE\s+GROUPS$/);
    expect(lines[1]).toMatch(/^alice\s+Alice Liddell\s+alice@example\.com\s+admin\s+admins, family$/);
    expect(lines[2]).toMatch(/^bob\s+user$/);
    // Columns line up.
    expect(lines[1]!.indexOf('Alice Liddell')).toBe(lines[0]!.indexOf(' NAME') + 1);

    const json = JSON.parse((await cli('list-users', '--json')).stdout);
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({ username: 'alice', email: 'alice@example.com', isAdmin: true, disabled: false, groups: ['admins', 'family'] });
    expect(json[1]).toMatchObject({ username: 'bob', isAdmin: false, groups: [] });
  }, SLOW);

  it('list-clients prints client IDs, names and callback URLs, and JSON with --json', async () => {
    expect((await cli('list-clients')).stdout).toContain('No OIDC clients yet');
    const family = (await server.ctx.database.db.selectFrom('user_groups').select('id').where('friendly_name', '=', 'family').executeTakeFirstOrThrow()).id;
    await createClient(db(), { id: 'hearth-dashboard', name: 'Hearth Dashboard', callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'], isPublic: true });
    await createClient(db(), { id: 'grafana', name: 'Grafana', callbackUrls: ['https://grafana.lan/login/generic_oauth'], allowedGroupIds: [family] });

    const table = await cli('list-clients');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLIENT ID\s+NAME\s+TYPE\s+CALLBACK URLS$/);
    expect(lines[1]).toMatch(/^grafana\s+Grafana\s+confidential\s+https:\/\/grafana\.lan\/login\/generic_oauth$/);
    expect(lines[2]).toMatch(/^hearth-dashboard\s+Hearth Dashboard\s+public\s+http:\/\/localhost:4000$/);
    expect(lines[3]).toMatch(/^\s+http:\/\/localhost:4000\/$/);
    expect(lines[3]!.indexOf('http')).toBe(lines[0]!.indexOf('CALLBACK URLS'));

    const json = JSON.parse((await cli('list-clients', '--json')).stdout);
    expect(json).toEqual([
      expect.objectContaining({ id: 'grafana', name: 'Grafana', callbackUrls: ['https://grafana.lan/login/generic_oauth'], isPublic: false, allowedGroups: ['family'] }),
      expect.objectContaining({ id: 'hearth-dashboard', callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'], isPublic: true, allowedGroups: [] }),
    ]);
    expect(table.stdout + JSON.stringify(json)).not.toMatch(/secret_hash|secretHash/);
  }, SLOW);

  it('one-time-access-token --ttl sets when the link expires, refuses more than 7 days, and the link signs in', async () => {
    const alice = (await findUserByUsername(db(), 'alice'))!;
    const expiresIn = async (...ttl: string[]) => {
      const before = epochSeconds();
      const result = await cli('one-time-access-token', 'alice', ...ttl);
      expect(result.code).toBe(0);
      const token = result.stdout.trim().split('/lc/')[1]!;
      const row = await db().selectFrom('one_time_access_tokens').select('expires_at').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      return { seconds: Number(row.expires_at) - before, result, token };
    };
    const near = (seconds: number, expected: number) => expect(Math.abs(seconds - expected)).toBeLessThanOrEqual(30);

    const byDefault = await expiresIn();
    near(byDefault.seconds, 3600);
    expect(byDefault.result.stderr).toContain('works once, within 1 hour');
    near((await expiresIn('--ttl', '30m')).seconds, 30 * 60);
    const day = await expiresIn('--ttl', '24h');
    near(day.seconds, 24 * 3600);
    expect(day.result.stderr).toContain('within 1 day');
    near((await expiresIn('--ttl', '7d')).seconds, 7 * 86400);

    for (const [ttl, message] of [
      ['8d', 'a login link may live at most 7 days (7d); 8d is longer'],
      ['169h', 'a login link may live at most 7 days (7d); 169h is longer'],
      ['0m', 'a login link must live at least 1 minute (got 0m)'],
      ['1w', '--ttl: "1w" is not a duration; use a number and m, h or d, e.g. 30m, 24h or 7d'],
      ['soon', '--ttl: "soon" is not a duration'],
    ] as const) {
      const refused = await cli('one-time-access-token', 'alice', '--ttl', ttl);
      expect(refused.code, ttl).toBe(1);
      expect(refused.stderr).toContain(message);
      expect(refused.stdout).toBe('');
    }

    const audit = (await cliAudit(alice.id)).filter((entry) => entry.event === 'one_time_access_created');
    expect(audit).toHaveLength(4);
    expect(audit[0]!.data).toMatchObject({ action: 'user.one_time_access_token.create', via: 'cli' });
    expect(JSON.stringify(audit)).not.toContain(day.token);

    // The admin API keeps the same limit.
    const { cookie } = await signedInUser(server, { username: 'linkadmin', isAdmin: true });
    const tooLong = await api(server, 'POST', `/api/admin/users/${alice.id}/one-time-access-token`, { cookie, body: { ttlSeconds: 8 * 86400 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ error: 'invalid', field: 'ttlSeconds', message: expect.stringMatching(/at most/) });
    const week = await api(server, 'POST', `/api/admin/users/${alice.id}/one-time-access-token`, { cookie, body: { ttlSeconds: 7 * 86400 } });
    expect(week.status).toBe(201);

    const browser = new TestBrowser(server.url);
    expect((await browser.post(`/lc/${day.token}`)).status).toBe(303);
    expect((await browser.get('/api/me')).json().user.username).toBe('alice');
  }, SLOW);
});
