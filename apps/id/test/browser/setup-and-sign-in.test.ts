import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import {
  completeSetupWizard,
  launchBrowser,
  openPerson,
  openSignInWithAutofillParked,
  screenshot,
  useBrowserAndServer,
  watchForPageErrors,
} from './support.js';

describe('first run in a browser: setup wizard, passkey, sign out, sign in', () => {
  const shared = useBrowserAndServer();

  it('creates the first admin, registers their passkey, and signs in with it after signing out', async () => {
    const { browser, server } = shared;
    const { page, authenticator, context } = await openPerson(browser);
    const errors = watchForPageErrors(page);

    await page.goto(server.url);
    await page.waitForURL(`${server.url}/setup`);
    await page.getByRole('heading', { name: 'Set up Hearth ID' }).waitFor();
    await screenshot(page, 'setup');

    await completeSetupWizard(page);
    expect(await authenticator.credentialCount()).toBe(1);
    // No DASHBOARD_URL: nothing to open but Hearth ID itself.
    await expect(page.getByRole('link', { name: 'Open your dashboard' }).count()).resolves.toBe(0);

    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.waitForURL(`${server.url}/settings/account`);
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await passkeys.getByRole('listitem').first().waitFor();
    await expect(passkeys.getByRole('listitem').count()).resolves.toBe(1);
    await screenshot(page, 'account-passkeys');

    await openSignInWithAutofillParked(page, authenticator, () => page.getByRole('button', { name: 'Sign out' }).click());
    await page.waitForURL(`${server.url}/login`);
    expect((await context.cookies()).some((cookie) => cookie.name === 'hearth_session')).toBe(false);

    // Setup is gone for good: it now leads to the sign-in page.
    await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${server.url}/setup`));
    await page.waitForURL(`${server.url}/login`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await screenshot(page, 'sign-in');

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    // A passkey sign-in lands on the home page, My apps.
    await page.waitForURL(`${server.url}/apps`);
    await page.getByText('Signed in as pocketid-admin').waitFor();

    // Passkey autofill: the sign-in page also offers the passkey in the browser's autofill,
    // which Chrome's virtual authenticator picks at once.
    const verified = page.waitForResponse((response) => response.url().endsWith('/api/passkey-login/verify') && response.status() === 200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await verified;
    await page.waitForURL(`${server.url}/apps`);
    await page.getByText('Signed in as pocketid-admin').waitFor();
    expect(errors).toEqual([]);
  });
});

describe('first run with a dashboard wired to Hearth ID (DASHBOARD_URL)', () => {
  let browser: Browser;
  let server: TestServer;
  let dashboard: Server;
  let dashboardUrl: string;
  beforeAll(async () => {
    // A stand-in for the dashboard: the wizard's link only has to lead there.
    const port = await freePort();
    dashboard = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Stand-in dashboard</h1>'));
    await new Promise<void>((resolve) => dashboard.listen(port, '127.0.0.1', resolve));
    dashboardUrl = `http://localhost:${port}`;
    browser = await launchBrowser();
    server = await startTestServer({ env: { DASHBOARD_URL: `${dashboardUrl}/` } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => dashboard?.close(resolve));
  });

  it('ends the wizard with a prominent "Open your dashboard" link that leads there', async () => {
    const { page } = await openPerson(browser);
    const errors = watchForPageErrors(page);
    await page.goto(`${server.url}/setup`);
    await completeSetupWizard(page);

    const open = page.getByRole('link', { name: 'Open your dashboard' });
    expect(await open.getAttribute('href')).toBe(dashboardUrl);
    // The first, primary action of the step; the other ways on stay available.
    expect(await open.getAttribute('class')).toContain('primary');
    expect(await page.locator('a.button').first().textContent()).toBe('Open your dashboard');
    await page.getByRole('link', { name: 'Add an OIDC client' }).waitFor();
    await page.getByRole('link', { name: 'Go to your account' }).waitFor();
    await screenshot(page, 'setup-done');

    await open.click();
    await page.waitForURL(`${dashboardUrl}/`);
    await page.getByRole('heading', { name: 'Stand-in dashboard' }).waitFor();
    expect(errors).toEqual([]);
  });
});
