// Forward auth through Debian's Caddy (`forward_auth`) and nginx (`auth_request`), configured as
// docs/forward-auth.md shows, over HTTPS: a small app without sign-in of its own behind the
// proxy; a signed-out visitor is sent to Hearth ID, signs in with a passkey and lands back on
// the app, which sees Remote-User and Remote-Groups; someone outside the rule's group gets 403.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForwardAuthRule } from '../apps/id/src/forward-auth/rules.js';
import { createGroup, setUserGroups } from '../apps/id/src/groups/groups.js';
import { SESSION_COOKIE } from '../apps/id/src/sessions/sessions.js';
import { createUser, type User } from '../apps/id/src/users/users.js';
import { openSignInWithAutofillParked } from '../apps/id/test/browser/support.js';
import { freePort, startTestServer, type TestServer } from '../apps/id/test/support/server.js';
import { personWithPasskey, type Person } from './support/journeys.js';
import {
  createTestPki,
  launchTrustingBrowser,
  missingTools,
  requestThrough,
  startProxy,
  trustAndResolveInThisProcess,
  type ProxyKind,
  type RunningProxy,
  type TestPki,
} from './support/reverse-proxy.js';

const ID_HOST = 'id.hearth.test';
const APP_HOST = 'app.hearth.test';
const HOSTS = [ID_HOST, APP_HOST];
const missing = missingTools();

/** The app behind the proxy: shows the identity headers it received, as JSON. */
async function startEchoApp(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const seen = { path: request.url, user: request.headers['remote-user'] ?? null, groups: request.headers['remote-groups'] ?? null };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

describe.skipIf(missing !== null)('forward auth through a reverse proxy with HTTPS', () => {
  let dir: string;
  let pki: TestPki;
  let browser: Browser;
  let app: { server: Server; port: number };
  let undoTrust: () => void = () => {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-forward-auth-'));
    pki = createTestPki(join(dir, 'pki'), HOSTS);
    undoTrust = trustAndResolveInThisProcess(pki, HOSTS);
    browser = await launchTrustingBrowser(dir, pki, HOSTS);
    app = await startEchoApp();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.server.close(resolve));
    undoTrust();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each<ProxyKind>(['caddy', 'nginx'])('%s', (kind) => {
    let id: TestServer;
    let proxy: RunningProxy;
    let idUrl: string;
    let appUrl: string;
    const users = {} as Record<'alice' | 'bob', User>;
    const people: Person[] = [];

    beforeAll(async () => {
      const port = await freePort();
      idUrl = `https://${ID_HOST}:${port}`;
      appUrl = `https://${APP_HOST}:${port}`;
      // The session cookie goes to every host under hearth.test, the app's included.
      id = await startTestServer({ env: { APP_URL: idUrl, TRUST_PROXY: 'true', SESSION_COOKIE_DOMAIN: 'hearth.test' } });
      const { db } = id.ctx.database;
      const family = await createGroup(db, { name: 'Family', friendlyName: 'family' });
      for (const username of ['alice', 'bob'] as const) {
        users[username] = await createUser(db, { username, email: `${username}@example.com`, firstName: username, lastName: 'Example', isAdmin: false });
      }
      await setUserGroups(db, users.alice.id, [family.id]);
      await createForwardAuthRule(db, { host: `${APP_HOST}:${port}`, pathPrefix: '/', allowedGroupIds: [family.id] });
      proxy = await startProxy(kind, {
        dir: join(dir, kind),
        pki,
        port,
        sites: [
          { host: ID_HOST, upstreamPort: id.config.port },
          { host: APP_HOST, upstreamPort: app.port, forwardAuth: { idPort: id.config.port } },
        ],
      });
    });
    afterAll(async () => {
      for (const person of people) await person.context.close();
      await proxy?.stop();
      await id?.stop();
    });

    /** Opens the app signed out, is sent to Hearth ID, signs in with the passkey there and lands back on the app. */
    async function signInThroughTheApp(username: 'alice' | 'bob', path: string): Promise<Person> {
      const person = await personWithPasskey(browser, id, users[username]);
      people.push(person);
      const { page, authenticator } = person;
      await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${appUrl}${path}`));
      const login = new URL(page.url());
      expect(login.origin + login.pathname).toBe(`${idUrl}/login`);
      expect(login.searchParams.get('rd')).toBe(`${appUrl}${path}`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL((url) => url.origin === appUrl);
      return person;
    }

    it('sends a signed-out visitor to the sign-in page, and ignores identity headers they send', async () => {
      // A query string with several parameters comes back whole after the sign-in.
      const response = await requestThrough(`${appUrl}/photos?album=2024&sort=new`, { headers: { 'remote-user': 'alice', 'remote-groups': 'family' } });
      expect(response.status).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(location.origin + location.pathname).toBe(`${idUrl}/login`);
      expect(location.searchParams.get('rd')).toBe(`${appUrl}/photos?album=2024&sort=new`);
      expect(response.body).not.toContain('"user"');
    });

    it('lets a member of the group in after a passkey sign-in; the app sees who it is', async () => {
      const { page, context } = await signInThroughTheApp('alice', '/photos');
      expect(page.url()).toBe(`${appUrl}/photos`);
      expect(JSON.parse(await page.locator('body').innerText())).toEqual({ path: '/photos', user: 'alice', groups: 'family' });

      // A visitor's own Remote-* headers never reach the app: the proxy sets them from Hearth ID's answer.
      const session = (await context.cookies(appUrl)).find((cookie) => cookie.name === SESSION_COOKIE);
      expect(session).toMatchObject({ domain: '.hearth.test', secure: true, httpOnly: true });
      const spoofed = await requestThrough(`${appUrl}/photos`, { headers: { cookie: `${SESSION_COOKIE}=${session!.value}`, 'remote-user': 'bob', 'remote-groups': 'admins' } });
      expect(spoofed.status).toBe(200);
      expect(JSON.parse(spoofed.body)).toMatchObject({ user: 'alice', groups: 'family' });
    });

    it('refuses a signed-in person outside the group with 403', async () => {
      const { page } = await signInThroughTheApp('bob', '/photos');
      const response = await page.goto(`${appUrl}/photos`);
      expect(response!.status()).toBe(403);
      expect(await page.locator('body').innerText()).not.toContain('"user"');
    });
  });
});
