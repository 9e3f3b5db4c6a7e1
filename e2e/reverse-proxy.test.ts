// Hearth ID and the dashboard behind Debian's Caddy and nginx, configured as
// docs/reverse-proxy.md shows, on HTTPS with a certificate from a CA made for the run (which
// Chromium is told to trust): the first admin's passkey registers and signs in through the
// proxy, the issuer and every redirect use the public URLs, the session cookie is Secure and
// host-only, the audit log names the client the proxy saw, and the dashboard signs in through
// Hearth ID's public URL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../apps/dashboard/src/index.js';
import { createClient } from '../apps/id/src/clients/clients.js';
import { SESSION_COOKIE } from '../apps/id/src/sessions/sessions.js';
import { completeSetupWizard, openPerson, openSignInWithAutofillParked, watchForPageErrors, type VirtualAuthenticator } from '../apps/id/test/browser/support.js';
import { freePort, signedInUser, startTestServer, type TestServer } from '../apps/id/test/support/server.js';
import { requireDashboardWebApp, signInThroughHearthId, storedIdToken } from './support/journeys.js';
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
const DASHBOARD_HOST = 'dash.hearth.test';
const HOSTS = [ID_HOST, DASHBOARD_HOST];
const missing = missingTools();

function confYml(clientId: string, endpoint: string): string {
  return `pageInfo:
  title: Home Lab behind a proxy
appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: ${clientId}
      endpoint: ${endpoint}
      adminGroup: admins
      scope: openid profile email groups
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan:8096
`;
}

// Reported as skipped on a machine without the proxies (.ci/run installs them).
describe.skipIf(missing !== null)('Hearth behind a reverse proxy with HTTPS', () => {
  let dir: string;
  let pki: TestPki;
  let browser: Browser;
  let undoTrust: () => void = () => {};

  beforeAll(async () => {
    requireDashboardWebApp();
    dir = await mkdtemp(join(tmpdir(), 'hearth-proxy-'));
    pki = createTestPki(join(dir, 'pki'), HOSTS);
    undoTrust = trustAndResolveInThisProcess(pki, HOSTS);
    browser = await launchTrustingBrowser(dir, pki, HOSTS);
  });
  afterAll(async () => {
    await browser?.close();
    undoTrust();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each<ProxyKind>(['caddy', 'nginx'])('%s', (kind) => {
    let id: TestServer;
    let dashboard: RunningDashboard;
    let proxy: RunningProxy;
    let idUrl: string;
    let dashboardUrl: string;
    let clientId: string;
    let page: Page;
    let authenticator: VirtualAuthenticator;
    let errors: string[];

    beforeAll(async () => {
      const port = await freePort();
      idUrl = `https://${ID_HOST}:${port}`;
      dashboardUrl = `https://${DASHBOARD_HOST}:${port}`;
      id = await startTestServer({ env: { APP_URL: idUrl, TRUST_PROXY: 'true', DASHBOARD_URL: dashboardUrl } });
      const { client } = await createClient(id.ctx.database.db, {
        name: 'Hearth Dashboard',
        callbackUrls: [dashboardUrl, `${dashboardUrl}/`],
        logoutCallbackUrls: [dashboardUrl],
        isPublic: true,
        pkceEnabled: true,
        trusted: true,
      });
      clientId = client.id;
      const userDataDir = join(dir, `${kind}-user-data`);
      dashboard = await startDashboard({ userDataDir, config: confYml(client.id, idUrl), trustProxy: true });
      proxy = await startProxy(kind, {
        dir: join(dir, kind),
        pki,
        port,
        sites: [
          { host: ID_HOST, upstreamPort: id.config.port },
          { host: DASHBOARD_HOST, upstreamPort: Number(new URL(dashboard.url).port) },
        ],
      });
      ({ page, authenticator } = await openPerson(browser));
      // Two servers, a proxy and a browser on a busy machine: room for a slow page.
      page.setDefaultTimeout(30_000);
      errors = watchForPageErrors(page);
    });
    afterAll(async () => {
      await page?.context().close();
      await proxy?.stop();
      await dashboard?.close();
      await id?.stop();
    });

    async function audited(event: string): Promise<Array<{ ip: string | null }>> {
      return id.ctx.database.db.selectFrom('audit_log').select('ip').where('event', '=', event).execute();
    }

    it('sets up the first admin with a passkey through the proxy and signs in with it again', async () => {
      await page.goto(`${idUrl}/setup`);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
      await page.getByRole('heading', { name: 'Set up Hearth ID' }).waitFor();
      await completeSetupWizard(page, { username: 'admin', email: 'admin@example.com', firstName: 'Home', lastName: 'Admin' });
      expect(await authenticator.credentialCount()).toBe(1);

      // The session cookie: Secure, HttpOnly, and host-only (no Domain), so the dashboard's
      // host never receives it.
      const session = (await page.context().cookies(idUrl)).find((cookie) => cookie.name === SESSION_COOKIE);
      expect(session).toMatchObject({ domain: ID_HOST, secure: true, httpOnly: true, path: '/' });
      expect((await page.context().cookies(dashboardUrl)).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);

      await page.goto(`${idUrl}/settings/account`);
      await openSignInWithAutofillParked(page, authenticator, () => page.getByRole('button', { name: 'Sign out' }).click());
      await page.waitForURL(`${idUrl}/login`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL((url) => url.origin === idUrl && url.pathname !== '/login');

      // The browser reached the proxy from 127.0.0.1; that is the address on record.
      expect(await audited('setup_completed')).toEqual([{ ip: '127.0.0.1' }]);
      expect(await audited('sign_in')).toEqual([{ ip: '127.0.0.1' }]);
      expect(errors).toEqual([]);
    });

    it('publishes the public URL as issuer, redirects to public URLs and keeps its cookies Secure', async () => {
      const discovery = await requestThrough(`${idUrl}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      const metadata = JSON.parse(discovery.body) as Record<string, unknown>;
      expect(metadata.issuer).toBe(idUrl);
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint']) {
        expect(String(metadata[endpoint]), endpoint).toMatch(new RegExp(`^${idUrl.replace(/\./g, '\\.')}/`));
      }

      const authorize = new URL(`${idUrl}/authorize`);
      authorize.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: `${dashboardUrl}/`,
        response_type: 'code',
        scope: 'openid',
        state: 'state-1',
        nonce: 'nonce-1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const redirect = await requestThrough(authorize.href);
      expect(redirect.status).toBeGreaterThanOrEqual(300);
      expect(redirect.status).toBeLessThan(400);
      const location = new URL(String(redirect.headers.location), idUrl);
      expect(location.origin).toBe(idUrl);
      expect(location.pathname).toMatch(/^\/interaction\//);
      const cookies = (redirect.headers['set-cookie'] ?? []) as string[];
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) {
        expect(cookie).toMatch(/;\s*secure/i);
        expect(cookie).not.toMatch(/;\s*domain=/i);
      }
    });

    it('records the client address the proxy saw, not the proxy’s, and not what the client claimed', async () => {
      // A client on another loopback address, claiming to be someone else: the proxy passes
      // on the address it saw as the last X-Forwarded-For hop, and TRUST_PROXY=true believes
      // exactly that hop.
      const { user, cookie } = await signedInUser(id);
      const response = await requestThrough(`${idUrl}/api/logout`, {
        method: 'POST',
        from: '127.0.0.9',
        headers: { cookie, origin: idUrl, 'x-forwarded-for': '198.51.100.7', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBeLessThan(300);
      const row = await id.ctx.database.db.selectFrom('audit_log').select('ip').where('event', '=', 'sign_out').where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.ip).toBe('127.0.0.9');
    });

    it('signs in to the dashboard behind the proxy through Hearth ID’s public URL', async () => {
      await page.goto(dashboardUrl);
      await signInThroughHearthId(page, idUrl, dashboardUrl).catch(async (error: Error) => {
        throw new Error(`${error.message}\nat ${page.url()} showing ${JSON.stringify((await page.locator('body').innerText().catch(() => '')).slice(0, 400))}`);
      });
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByText('Jellyfin', { exact: true }).first().waitFor();
      const token = await storedIdToken(page);
      const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8'));
      expect(claims).toMatchObject({ iss: idUrl, aud: clientId, preferred_username: 'admin' });
      expect(errors).toEqual([]);
    });
  });
});
