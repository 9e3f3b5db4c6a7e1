import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as oidc from 'openid-client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient, updateClient } from '../src/clients/clients.js';
import { loadConfig } from '../src/config/config.js';
import { startIdServer } from '../src/boot.js';
import { findGroupByFriendlyName, groupClaimOfUser, setUserGroups, updateGroup } from '../src/groups/groups.js';
import { ProvisioningError } from '../src/provisioning/load.js';
import { provisioningJsonSchema } from '../src/provisioning/schema.js';
import { findUserByUsername } from '../src/users/users.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { seedScenario } from './support/fixtures.js';
import { startLoggedServer, type LoggedServer } from './support/logged-server.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, api, startTestServer, type TestServer } from './support/server.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-id-provisioning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRAFANA_SECRET = 'grafana-secret-from-a-file-0123456789';
const JELLYFIN_SECRET = 'jellyfin-secret-from-the-environment-42';
const CALLBACK = 'https://grafana.lan/login/generic_oauth';

let files = 0;
/** Writes a provisioning file (YAML text) and returns its path. */
function provisioningFile(text: string): string {
  const file = join(dir, `provisioning-${(files += 1)}.yaml`);
  writeFileSync(file, text);
  return file;
}

writeFileSync(join(dir, 'grafana-secret'), `${GRAFANA_SECRET}\n`);

const HOMELAB = `# yaml-language-server: $schema=http://localhost:1411/provisioning.schema.json
groups:
  - friendlyName: media
    name: Media fans
  - friendlyName: monitoring
    name: Monitoring
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Liddell
    isAdmin: true
    groups: [media, monitoring]
  - username: bob
    email: bob@example.com
    groups: [media]
clients:
  - clientId: grafana
    name: Grafana
    callbackUrls: ['${CALLBACK}']
    logoutCallbackUrls: ['https://grafana.lan/login']
    allowedGroups: [monitoring]
    secretFile: grafana-secret
  - clientId: jellyfin
    name: Jellyfin
    callbackUrls: ['https://jellyfin.lan/sso/OID/redirect/hearth']
    authMethod: client_secret_post
    pkceEnabled: true
    trusted: true
    allowedGroups: [media]
    secretEnv: JELLYFIN_SECRET
`;

/** Everything provisioning may touch, to show that a run changed nothing (timestamps included). */
async function snapshot(server: TestServer) {
  const { db } = server.ctx.database;
  const [groups, users, clients, members, allowed, audit] = await Promise.all([
    db.selectFrom('user_groups').selectAll().orderBy('id').execute(),
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('oidc_clients').selectAll().orderBy('id').execute(),
    db.selectFrom('user_group_members').selectAll().orderBy('user_id').orderBy('group_id').execute(),
    db.selectFrom('oidc_client_allowed_groups').selectAll().orderBy('client_id').orderBy('group_id').execute(),
    db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { groups, users, clients, members, allowed, auditRows: Number(audit.n) };
}

function expectNoSecrets(text: string) {
  expect(text).not.toContain(GRAFANA_SECRET);
  expect(text).not.toContain(JELLYFIN_SECRET);
}

describe.each(DB_PROVIDERS)('the provisioning file on %s', (provider) => {
  let server: TestServer;
  let env: Record<string, string>;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  beforeAll(async () => {
    server = await startTestServer({ provider });
    // An administrator with a passkey, the `admins` group and a Dashy-like client, made as the admin API would.
    scenario = await seedScenario(server, { trusted: true });
    env = { ...server.env, JELLYFIN_SECRET };
  });
  afterAll(async () => server?.stop());

  it('applied twice: creates everything, then reports every entry unchanged and changes nothing', async () => {
    const file = provisioningFile(HOMELAB);
    const first = await runCli(['provision', file], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([
      'group "media": created',
      'group "monitoring": created',
      'client "grafana": created',
      'client "jellyfin": created',
      'user "alice": created',
      'user "bob": created',
      '6 created, 0 changed, 0 unchanged',
    ]);
    const { db } = server.ctx.database;
    const alice = await findUserByUsername(db, 'alice');
    expect(alice).toMatchObject({ email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', isAdmin: true });
    expect(await groupClaimOfUser(db, alice!.id)).toEqual(['media', 'monitoring']);
    const monitoring = await findGroupByFriendlyName(db, 'monitoring');
    expect(await findClient(db, 'grafana')).toMatchObject({
      name: 'Grafana',
      callbackUrls: [CALLBACK],
      logoutCallbackUrls: ['https://grafana.lan/login'],
      isPublic: false,
      hasSecret: true,
      authMethod: 'client_secret_basic',
      allowedGroupIds: [monitoring!.id],
    });
    expect(await findClient(db, 'jellyfin')).toMatchObject({ authMethod: 'client_secret_post', pkceEnabled: true, trusted: true });
    // The audit log says the changes came from the file.
    const audited = await db.selectFrom('audit_log').select('data').where('event', '=', 'admin_change').execute();
    const fromFile = audited.map((row) => JSON.parse(row.data)).filter((data) => data.source === 'provisioning');
    expect(fromFile.map((data) => data.action).sort()).toEqual(['client.create', 'client.create', 'group.create', 'group.create', 'user.create', 'user.create']);

    const before = await snapshot(server);
    const second = await runCli(['provision', file], env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n')).toEqual([
      'group "media": unchanged',
      'group "monitoring": unchanged',
      'client "grafana": unchanged',
      'client "jellyfin": unchanged',
      'user "alice": unchanged',
      'user "bob": unchanged',
      '0 created, 0 changed, 6 unchanged',
    ]);
    expect(await snapshot(server)).toEqual(before);
    expectNoSecrets(first.stdout + first.stderr + second.stdout + second.stderr);
  });

  it('reports what differs as changed, and leaves alone what the file does not name', async () => {
    const file = provisioningFile(
      HOMELAB.replace(`callbackUrls: ['${CALLBACK}']`, `callbackUrls: ['${CALLBACK}', 'https://grafana.example.com/login/generic_oauth']`)
        .replace('groups: [media]\n', 'groups: [media, monitoring]\n')
        .replace('JELLYFIN_SECRET\n', 'JELLYFIN_NEW_SECRET\n'),
    );
    const result = await runCli(['provision', file], { ...env, JELLYFIN_NEW_SECRET: `${JELLYFIN_SECRET}-rotated` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('client "grafana": changed (callbackUrls)\n');
    expect(result.stdout).toContain('client "jellyfin": changed (secret)\n');
    expect(result.stdout).toContain('user "bob": changed (groups)\n');
    expect(result.stdout).toContain('user "alice": unchanged\n');
    expect(result.stdout).toContain('0 created, 3 changed, 3 unchanged');
    expect(result.stdout + result.stderr).not.toContain(`${JELLYFIN_SECRET}-rotated`);
    // The seed's admin, group and client are not in the file: still there, as they were.
    expect(await findClient(server.ctx.database.db, scenario.client.id)).not.toBeNull();
    expect(await findUserByUsername(server.ctx.database.db, scenario.user.username)).toMatchObject({ isAdmin: true });
  });

  it('a bad file changes nothing and exits 1 naming each entry and field', async () => {
    const before = await snapshot(server);
    const file = provisioningFile(`groups:
  - friendlyName: new-group
    name: New
clients:
  - clientId: ok
    name: Fine
    callbackUrls: ['https://ok.lan/cb']
    isPublic: true
  - clientId: grafana
    name: Grafana
    callbackUrls: ['not a url']
    secretFile: missing-secret
    colour: blue
users:
  - email: nobody@example.com
`);
    const result = await runCli(['provision', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nothing was changed');
    expect(result.stderr).toContain('clients[1] "grafana": callbackUrls[0] is not an absolute URL');
    expect(result.stderr).toContain('clients[1] "grafana" has an unknown field "colour"');
    expect(result.stderr).toContain('users[0]: username is required');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await snapshot(server)).toEqual(before);
  });

  it('a problem found while applying undoes the whole file', async () => {
    const before = await snapshot(server);
    // The group is fine and comes first; the last administrator losing admin rights is not.
    const file = provisioningFile(`groups:
  - friendlyName: half-done
    name: Would be created first
users:
  - username: alice
    isAdmin: false
  - username: ${scenario.user.username}
    isAdmin: false
  - username: carol
    groups: [no-such-group]
`);
    const result = await runCli(['provision', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('users[2] "carol": groups[0] names no group: "no-such-group"');
    expect(await snapshot(server)).toEqual(before);

    const lastAdmin = await runCli(['provision', provisioningFile(readFileSync(file, 'utf8').replace(/ {2}- username: carol\n.*\n/, ''))], env);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toContain(`users[1] "${scenario.user.username}": isAdmin: cannot remove admin rights from ${scenario.user.username}: they are the last administrator`);
    expect(lastAdmin.stderr).not.toMatch(/\n\s+at /);
    expect(await snapshot(server)).toEqual(before);
    expect(await findGroupByFriendlyName(server.ctx.database.db, 'half-done')).toBeNull();
  });

  it('a dry run reports what it would do and changes nothing', async () => {
    const before = await snapshot(server);
    const file = provisioningFile(`groups:
  - friendlyName: media
    name: Media lovers
  - friendlyName: dry
    name: Dry run only
`);
    const result = await runCli(['provision', file, '--dry-run'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'group "media": changed (name)',
      'group "dry": created',
      '1 created, 1 changed, 0 unchanged (dry run: nothing was saved)',
    ]);
    expect(await snapshot(server)).toEqual(before);
  });

  it('the secret from the file works at the token endpoint, the old one does not', async () => {
    const { db } = server.ctx.database;
    const monitoring = await findGroupByFriendlyName(db, 'monitoring');
    await setUserGroups(db, scenario.user.id, [scenario.admins.id, monitoring!.id]);
    const signIn = async (secret: string) => {
      const config = await relyingParty(server, 'grafana', secret);
      const result = await authorize(config, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, extra: { prompt: 'consent' } });
      return oidc.authorizationCodeGrant(config, result.callbackUrl, {
        pkceCodeVerifier: result.codeVerifier ?? undefined,
        expectedState: result.state,
        expectedNonce: result.nonce,
      });
    };
    const tokens = await signIn(GRAFANA_SECRET);
    expect(tokens.claims()?.groups).toEqual(['admins', 'monitoring']);
    const refused = await signIn('a-wrong-secret-of-enough-length').then(
      () => 'accepted',
      // A 401 with a WWW-Authenticate challenge carries the error code in the challenge.
      (error: { error?: string; cause?: { parameters?: { error?: string } }[] }) => error.error ?? (Array.isArray(error.cause) ? error.cause[0]?.parameters?.error : undefined),
    );
    expect(refused).toBe('invalid_client');
  });

  it('CLI exit codes: 0 applied, 1 for a file that cannot be read, 2 for a usage mistake', async () => {
    const missing = await runCli(['provision', join(dir, 'nope.yaml')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    const notYaml = await runCli(['provision', provisioningFile('groups: [\n')], env);
    expect(notYaml.code).toBe(1);
    expect(notYaml.stderr).toMatch(/line \d+, column \d+: .*\(not valid YAML\)/);
    const usage = await runCli(['provision'], env);
    expect(usage.code).toBe(2);
    const empty = await runCli(['provision', provisioningFile('')], env);
    expect(empty.code).toBe(0);
    expect(empty.stdout.trim()).toBe('0 created, 0 changed, 0 unchanged');
  });

  it('prune deletes what the file does not name, but never the last administrator', async () => {
    const { db } = server.ctx.database;
    const before = await snapshot(server);
    const stray = await runCli(['provision', provisioningFile(`prune: true\nusers:\n  - username: bob\n    groups: [media]\n`)], env);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain('users[0] "bob": groups[0] names no group: "media" is not in groups (with prune: true, every group used must be)');
    const refused = await runCli(['provision', provisioningFile(`prune: true\ngroups:\n  - friendlyName: media\n    name: Media fans\n`)], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/prune: user "(alice|pocketid-admin)": cannot delete .* they are the last administrator; name them in users/);
    expect(await snapshot(server)).toEqual(before);

    const file = provisioningFile(`prune: true
groups:
  - friendlyName: admins
    name: Dashy admins
users:
  - username: ${scenario.user.username}
clients:
  - clientId: ${scenario.client.id}
    name: Dashy
    callbackUrls: ['http://localhost:4000', 'http://localhost:4000/']
`);
    const result = await runCli(['provision', file], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('client "grafana": deleted (prune)\n');
    expect(result.stdout).toContain('user "bob": deleted (prune)\n');
    expect(result.stdout).toContain('group "monitoring": deleted (prune)\n');
    expect(result.stdout).toContain('3 unchanged, 6 deleted');
    expect(await findClient(db, 'grafana')).toBeNull();
    expect(await findUserByUsername(db, 'alice')).toBeNull();
    expect(await findGroupByFriendlyName(db, 'media')).toBeNull();
    expect(await findUserByUsername(db, scenario.user.username)).toMatchObject({ isAdmin: true });
  });

  it('keeps the rules of the admin screens: the last administrator stays one, a changed email is unverified', async () => {
    const { db } = server.ctx.database;
    // After the prune above, the seed's administrator is the only one.
    const before = await snapshot(server);
    const demote = await runCli(['provision', provisioningFile(`users:\n  - username: ${scenario.user.username}\n    isAdmin: false\n`)], env);
    expect(demote.code).toBe(1);
    expect(demote.stderr).toContain(`cannot remove admin rights from ${scenario.user.username}: they are the last administrator`);
    expect(await snapshot(server)).toEqual(before);

    const carol = (email: string, verified?: boolean) =>
      provisioningFile(`users:\n  - username: carol\n    email: ${email}\n${verified === undefined ? '' : `    emailVerified: ${verified}\n`}`);
    expect((await runCli(['provision', carol('carol@example.com', true)], env)).code).toBe(0);
    expect(await findUserByUsername(db, 'carol')).toMatchObject({ emailVerified: true });
    const moved = await runCli(['provision', carol('carol@new.example.com')], env);
    expect(moved.stdout).toContain('user "carol": changed (email)\n');
    expect(await findUserByUsername(db, 'carol')).toMatchObject({ email: 'carol@new.example.com', emailVerified: false });
    // A file that names the new address verified is believed, and applying it again changes nothing.
    const vouched = carol('carol@third.example.com', true);
    expect((await runCli(['provision', vouched], env)).stdout).toContain('user "carol": changed (email, emailVerified)\n');
    expect(await findUserByUsername(db, 'carol')).toMatchObject({ email: 'carol@third.example.com', emailVerified: true });
    expect((await runCli(['provision', vouched], env)).stdout).toContain('user "carol": unchanged\n');
  });
});

describe.each(DB_PROVIDERS)('PROVISIONING_FILE at boot on %s', (provider) => {
  let server: LoggedServer;
  beforeAll(async () => {
    server = await startLoggedServer({ provider, env: { PROVISIONING_FILE: provisioningFile(HOMELAB), JELLYFIN_SECRET } });
  });
  afterAll(async () => server?.stop());

  it('is applied before the server answers, and the log reports it without the secrets', async () => {
    expect(await findClient(server.ctx.database.db, 'jellyfin')).toMatchObject({ name: 'Jellyfin' });
    expect(server.logText()).toContain('provisioning: client \\"grafana\\": created');
    expect(server.logText()).toContain('6 created, 0 changed, 0 unchanged');
    expectNoSecrets(server.logText());
  });

  it('a bad file stops the start before it listens and leaves the database untouched', async () => {
    const before = await snapshot(server);
    // The new group comes first and is fine; taking the only administrator's rights is not.
    const bad = provisioningFile(HOMELAB.replace('    name: Monitoring\n', '    name: Monitoring\n  - friendlyName: extra\n    name: Extra\n').replace('isAdmin: true', 'isAdmin: false'));
    const config = loadConfig({ ...server.env, PORT: '0', PROVISIONING_FILE: bad, JELLYFIN_SECRET });
    const error = await startIdServer(config, pino({ level: 'silent' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect((error as ProvisioningError).problems).toEqual([
      'users[0] "alice": isAdmin: cannot remove admin rights from alice: they are the last administrator; make another user an administrator first',
    ]);
    expect(await snapshot(server)).toEqual(before);

    // The real binary: exit 1, the problems in words, no stack trace, no secret.
    const result = await runCli([], { ...server.env, PORT: '0', PROVISIONING_FILE: bad, JELLYFIN_SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('users[0] "alice": isAdmin: cannot remove admin rights from alice');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('listening');
    expectNoSecrets(result.stdout + result.stderr);
    expect(await snapshot(server)).toEqual(before);
    expect(await findGroupByFriendlyName(server.ctx.database.db, 'extra')).toBeNull();
  });

  it('publishes the JSON Schema of the file, the same as the committed copy', async () => {
    const response = await api(server, 'GET', '/provisioning.schema.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/schema+json');
    expect(response.body).toEqual(provisioningJsonSchema());
    const committed = JSON.parse(readFileSync(new URL('../provisioning.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(provisioningJsonSchema());
    expect(Object.keys((committed.properties.clients.items as { properties: object }).properties)).toEqual(
      expect.arrayContaining(['clientId', 'name', 'callbackUrls', 'logoutCallbackUrls', 'isPublic', 'pkceEnabled', 'trusted', 'authMethod', 'allowedGroups', 'secretFile', 'secretEnv']),
    );
  });
});

describe('the provisioning file `npm start` writes (scripts/start-provisioning.mjs)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('creates the dashboard client and the admins group once, then keeps an admin’s later changes', async () => {
    const module = pathToFileURL(join(import.meta.dirname, '../../../scripts/start-provisioning.mjs')).href;
    const { startProvisioningYaml } = (await import(module)) as { startProvisioningYaml(options: { appUrl: string; dashboardUrl: string }): string };
    const file = provisioningFile(startProvisioningYaml({ appUrl: server.url, dashboardUrl: 'http://localhost:4000' }));
    const first = await runCli(['provision', file], server.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('group "admins": created\nclient "hearth-dashboard": created\n');
    const { db } = server.ctx.database;
    expect(await findClient(db, 'hearth-dashboard')).toMatchObject({
      name: 'Hearth Dashboard',
      callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'],
      logoutCallbackUrls: ['http://localhost:4000'],
      isPublic: true,
      pkceEnabled: true,
      trusted: true,
      allowedGroupIds: [],
    });
    expect(await findGroupByFriendlyName(db, 'admins')).toMatchObject({ name: 'Dashboard admins' });

    // The admin changes both in the admin screens; the next `npm start` leaves them be.
    const admins = await findGroupByFriendlyName(db, 'admins');
    await updateGroup(db, admins!.id, { name: 'Family admins' });
    await updateClient(db, 'hearth-dashboard', { name: 'Our dashboard', trusted: false, allowedGroupIds: [admins!.id] });
    const second = await runCli(['provision', file], server.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('group "admins": unchanged\nclient "hearth-dashboard": unchanged\n0 created, 0 changed, 2 unchanged\n');
    expect(await findClient(db, 'hearth-dashboard')).toMatchObject({ name: 'Our dashboard', trusted: false, allowedGroupIds: [admins!.id] });
    expect(await findGroupByFriendlyName(db, 'admins')).toMatchObject({ name: 'Family admins' });
  });
});
