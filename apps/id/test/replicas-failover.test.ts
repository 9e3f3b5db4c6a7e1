import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { createOneTimeAccessToken } from '../src/one-time-access/one-time-access.js';
import { SESSION_COOKIE } from '../src/sessions/sessions.js';
import { createUser, findUserByUsername } from '../src/users/users.js';
import { SoftwareAuthenticator } from './support/authenticator.js';
import { startTcpBalancer, type TcpBalancer } from './support/balancer.js';
import { TestBrowser } from './support/browser.js';
import { runCli } from './support/cli.js';
import { LoadTally } from './support/load-tally.js';
import { authorize } from './support/oidc-flow.js';
import { startReplica, type ReplicaProcess } from './support/replica.js';
import { createTestDatabase, freePort, TEST_ENCRYPTION_KEY } from './support/server.js';

// Two real `hearth-id` processes on one PostgreSQL database behind a TCP balancer, as in a
// two-replica deployment. People sign in, refresh and use login links through the balancer
// while one replica is killed with SIGKILL; afterwards nothing they were given is lost.

const CALLBACK = 'http://localhost:4000/';
const PEOPLE = 6;
const KILL_AFTER_OPERATIONS = 36;
const OPERATIONS_AFTER_KILL = 36;
const RACERS = 10;

interface Person {
  userId: string;
  username: string;
  /** Their phone: the passkey they sign in with in the load. */
  phone: SoftwareAuthenticator;
}
interface GrantChain {
  userId: string;
  accessToken: string;
  refreshToken: string;
  /** A refresh whose answer never arrived: the old token may be spent, so the chain proves nothing. */
  indeterminate: boolean;
}
interface Device {
  userId: string;
  authenticator: SoftwareAuthenticator;
  credentialId: string;
}

describe('two Hearth ID processes behind a balancer, one killed mid-load', () => {
  const tally = new LoadTally();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let env: Record<string, string>;
  let appUrl: string;
  let balancer: TcpBalancer;
  let a: ReplicaProcess;
  let b: ReplicaProcess;
  let rp: oidc.Configuration;
  let clientId: string;
  const people: Person[] = [];
  const sessions: { userId: string; cookie: string }[] = [];
  const grants: GrantChain[] = [];
  const devices: Device[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const [portA, portB] = [await freePort(), await freePort()];
    balancer = await startTcpBalancer([
      { name: 'a', port: portA },
      { name: 'b', port: portB },
    ]);
    appUrl = `http://localhost:${balancer.port}`;
    // One APP_URL, one ENCRYPTION_KEY, one database; sign-in limits off, since every request
    // comes from the one test address.
    env = { ...database.env, APP_URL: appUrl, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SIGN_IN_RATE_LIMIT: '0', LOG_LEVEL: 'info' };
    a = await startReplica('a', portA, env);
    b = await startReplica('b', portB, env);
    db = await openDatabase(loadConfig(env));

    const cli = async (args: string[]) => {
      const result = await runCli(args, env, { timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`hearth-id ${args[0]} failed: ${result.stderr}`);
      return result.stdout.trim().split('\n');
    };
    await cli(['create-group', '--name', 'Dashy admins', '--friendly-name', 'admins']);
    [clientId] = (await cli(['create-client', '--name', 'Dashy', '--callback-url', CALLBACK, '--public'])) as [string];
    const [adminLink] = await cli(['create-admin', '--username', 'admin', '--email', 'admin@example.com']);
    rp = await oidc.discovery(new URL(appUrl), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: tally.fetch as never,
    });

    // Everyone arrives with a login link (the admin's from the CLI) and adds their phone's passkey.
    for (let i = 0; i < PEOPLE; i += 1) {
      const username = i === 0 ? 'admin' : `person${i}`;
      const user = i === 0 ? (await findUserByUsername(db.db, 'admin'))! : await createUser(db.db, { username, email: null, firstName: 'Person', lastName: String(i), isAdmin: false });
      const link = i === 0 ? adminLink! : `${appUrl}/lc/${(await createOneTimeAccessToken(db.db, user.id)).token}`;
      const phone = new SoftwareAuthenticator({ origin: appUrl });
      const cookie = await redeemLoginLink(new URL(link).pathname.split('/')[2]!);
      await addPasskey(user.id, cookie, phone);
      people.push({ userId: user.id, username, phone });
    }
  }, 180_000);

  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await balancer?.close();
    await db?.close();
    await database?.drop();
  });

  function expectStatus(response: Response, status: number, what: string): void {
    if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}`);
  }

  async function redeemLoginLink(token: string, baseUrl = appUrl): Promise<string> {
    const response = await tally.fetch(new URL(`/api/one-time-access-token/${token}`, baseUrl), { method: 'POST', headers: { origin: appUrl } });
    await response.arrayBuffer();
    expectStatus(response, 200, 'login link');
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new Error('login link: no session cookie');
    return cookie.split(';')[0]!;
  }

  async function addPasskey(userId: string, cookie: string, authenticator: SoftwareAuthenticator): Promise<void> {
    const headers = { cookie, origin: appUrl, 'content-type': 'application/json' };
    const options = await tally.fetch(new URL('/api/me/passkeys/registration-options', appUrl), { method: 'POST', headers, body: '{}' });
    expectStatus(options, 200, 'registration options');
    const response = authenticator.register((await options.json()) as Parameters<SoftwareAuthenticator['register']>[0]);
    const created = await tally.fetch(new URL('/api/me/passkeys', appUrl), { method: 'POST', headers, body: JSON.stringify({ response }) });
    await created.arrayBuffer();
    expectStatus(created, 201, 'add passkey');
    sessions.push({ userId, cookie });
    devices.push({ userId, authenticator, credentialId: response.id });
  }

  async function oidcSignIn(person: Person): Promise<GrantChain> {
    const browser = new TestBrowser(appUrl);
    browser.send = tally.fetch;
    const result = await authorize(rp, browser, person.phone, { redirectUri: CALLBACK, scope: 'openid profile groups offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    expect(tokens.claims()?.sub).toBe(person.userId);
    sessions.push({ userId: person.userId, cookie: `${SESSION_COOKIE}=${browser.jar.get(SESSION_COOKIE)}` });
    return { userId: person.userId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, indeterminate: false };
  }

  async function refresh(chain: GrantChain): Promise<void> {
    let tokens;
    try {
      tokens = await oidc.refreshTokenGrant(rp, chain.refreshToken);
    } catch (error) {
      chain.indeterminate = true;
      throw error;
    }
    Object.assign(chain, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token! });
    const userinfo = await oidc.fetchUserInfo(rp, chain.accessToken, chain.userId);
    expect(userinfo.sub).toBe(chain.userId);
  }

  it(`redeems one code, one refresh token and one login link exactly once when ${RACERS} requests hit both processes at once`, async () => {
    const direct = [a, b].map((replica) => `http://127.0.0.1:${replica.port}`);
    const race = async (path: string, init: () => RequestInit) =>
      Promise.all(
        Array.from({ length: RACERS }, async (_, i) => {
          const response = await fetch(new URL(path, direct[i % 2]), init());
          await response.arrayBuffer();
          return response.status;
        }),
      );
    const tokenForm = (form: Record<string, string>) => () => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const counts = (statuses: number[]) => ({ '200': statuses.filter((s) => s === 200).length, '400': statuses.filter((s) => s === 400).length, other: statuses.filter((s) => s !== 200 && s !== 400).length });

    const browser = new TestBrowser(appUrl);
    const signIn = await authorize(rp, browser, people[0]!.phone, { redirectUri: CALLBACK, scope: 'openid offline_access', prompt: 'consent' });
    const code = signIn.callbackUrl.searchParams.get('code')!;
    const codeRace = await race('/token', tokenForm({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: clientId, code_verifier: signIn.codeVerifier! }));

    const chain = await oidcSignIn(people[1]!);
    const refreshRace = await race('/token', tokenForm({ grant_type: 'refresh_token', refresh_token: chain.refreshToken, client_id: clientId }));

    const { token } = await createOneTimeAccessToken(db.db, people[2]!.userId);
    const linkRace = await race(`/api/one-time-access-token/${token}`, () => ({ method: 'POST', headers: { origin: appUrl } }));

    const results = { 'authorization code': counts(codeRace), 'refresh token': counts(refreshRace), 'login link': counts(linkRace) };
    console.log(`\nSingle use across two processes (${RACERS} simultaneous redemptions, alternating between them):`);
    console.table(results);
    for (const result of Object.values(results)) expect(result).toEqual({ '200': 1, '400': RACERS - 1, other: 0 });
  }, 120_000);

  it('loses no session, grant or passkey when one process is killed mid-load, and answers no 5xx', async () => {
    let completed = 0;
    let completedAfterKill = 0;
    let killing: Promise<void> | undefined;
    const connectionsBeforeKill: Record<string, number> = {};
    const finished = () => {
      completed += 1;
      if (killing) completedAfterKill += 1;
      if (!killing && completed >= KILL_AFTER_OPERATIONS) {
        Object.assign(connectionsBeforeKill, balancer.stats.connections);
        killing = b.kill();
      }
    };

    async function person(index: number): Promise<void> {
      const me = people[index]!;
      const myChains: GrantChain[] = [];
      for (let step = 0; completedAfterKill < OPERATIONS_AFTER_KILL; step += 1) {
        const kind = step % 3;
        if (kind === 0 || myChains.length === 0) {
          const chain = await tally.run('OIDC sign-in with a passkey', () => oidcSignIn(me));
          if (chain) myChains.push(chain);
        } else if (kind === 1) {
          const live = myChains.filter((candidate) => !candidate.indeterminate);
          const chain = live[step % Math.max(1, live.length)];
          if (chain) await tally.run('refresh + userinfo', () => refresh(chain));
        } else {
          await tally.run('login link + new passkey', async () => {
            const { token } = await createOneTimeAccessToken(db.db, me.userId);
            const cookie = await redeemLoginLink(token);
            await addPasskey(me.userId, cookie, new SoftwareAuthenticator({ origin: appUrl }));
          });
        }
        finished();
      }
      grants.push(...myChains);
    }

    await Promise.all(people.map((_, index) => person(index)));
    await killing;

    // Afterwards, through the balancer (only process a is left): everything handed out still works.
    const after = { sessions: 0, grants: 0, 'grants left indeterminate': 0, passkeys: 0 };
    for (const session of sessions) {
      const response = await tally.fetch(new URL('/api/me', appUrl), { headers: { cookie: session.cookie } });
      expectStatus(response, 200, 'a session after the kill');
      expect(((await response.json()) as { user: { id: string } }).user.id).toBe(session.userId);
      after.sessions += 1;
    }
    for (const chain of grants) {
      if (chain.indeterminate) {
        after['grants left indeterminate'] += 1;
        continue;
      }
      await refresh(chain);
      after.grants += 1;
    }
    for (const device of devices) {
      const stored = await db.db.selectFrom('passkeys').select('user_id').where('credential_id', '=', device.credentialId).executeTakeFirst();
      expect(stored?.user_id).toBe(device.userId);
      const options = await tally.fetch(new URL('/api/passkey-login/options', appUrl), { method: 'POST', headers: { origin: appUrl, 'content-type': 'application/json' }, body: '{}' });
      const assertion = device.authenticator.authenticate((await options.json()) as Parameters<SoftwareAuthenticator['authenticate']>[0], { credentialId: device.credentialId });
      const verified = await tally.fetch(new URL('/api/passkey-login/verify', appUrl), {
        method: 'POST',
        headers: { origin: appUrl, 'content-type': 'application/json' },
        body: JSON.stringify({ response: assertion }),
      });
      expectStatus(verified, 200, 'a passkey after the kill');
      expect(((await verified.json()) as { user: { id: string } }).user.id).toBe(device.userId);
      after.passkeys += 1;
    }

    console.log('\nOperations through the balancer while process b was killed (SIGKILL) mid-load:');
    console.table(tally.table());
    console.log('Requests:');
    console.table({ requests: tally.requests });
    console.log('Balancer connections:');
    console.table({
      'before the kill': connectionsBeforeKill,
      'in all': { ...balancer.stats.connections, failovers: balancer.stats.failovers, resets: balancer.stats.resets, refused: balancer.stats.refused },
    });
    console.log('Checked afterwards:');
    console.table({ 'still working': after });

    // The load really was spread over both processes before one of them died.
    expect(connectionsBeforeKill.a).toBeGreaterThan(0);
    expect(connectionsBeforeKill.b).toBeGreaterThan(0);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.problems).toEqual([]);
    expect(a.output()).not.toMatch(/"statusCode":5\d\d/);
    expect(after.sessions).toBe(sessions.length);
    expect(after.passkeys).toBe(devices.length);
    expect(after.grants + after['grants left indeterminate']).toBe(grants.length);
    expect(after.grants).toBeGreaterThan(0);
  }, 300_000);
});
