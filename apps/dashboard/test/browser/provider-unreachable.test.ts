// When the dashboard server cannot reach the identity provider it answers 503; the browser
// says so plainly and offers Retry, which works once the provider is back.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { startTestProvider } from '../support/oidc-provider.js';
import type { TestProvider } from '../support/oidc-provider.js';
import { freePort, launchBrowser, openPerson } from './support.js';

const accounts = [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }];

function conf(issuer: string): string {
  return `
appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: dashboard-client
      endpoint: ${issuer}
      adminGroup: admins
sections:
  - name: Everyday
    items:
      - title: Photos
        icon: fas fa-camera
        url: http://photos.home.arpa
`;
}

describe('an identity provider the dashboard server cannot reach', () => {
  let browser: Browser;
  let provider: TestProvider;
  let dashboard: TestDashboard;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await provider?.close();
  });

  it('shows what is wrong with a Retry that works once the provider is back', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    provider = await startTestProvider({ shape: 'pocket-id', clientId: 'dashboard-client', accounts, defaultAccountId: 'alice', redirectUri: origin });
    dashboard = await startTestDashboard({ config: conf(provider.issuer), port });
    const person = await openPerson(browser, origin);
    const { page } = person;
    await page.goto(`${origin}/`);
    await page.locator('[data-username]').waitFor();
    await page.waitForLoadState('networkidle');

    // The provider goes away, and the dashboard restarts without its cached keys.
    const { port: providerPort, signingKey } = provider;
    await provider.close();
    dashboard.app.server.closeAllConnections();
    await dashboard.app.close();
    dashboard = await startTestDashboard({ userDataDir: dashboard.userDataDir, port });

    // The first request of a page load is the bootstrap, sent without a token.
    const refused = page.waitForRequest((request) => request.url() === `${origin}/conf.yml` && request.headers().authorization !== undefined);
    await page.reload();
    const token = (await (await refused).allHeaders()).authorization?.replace(/^Bearer /, '');
    expect(token).toBeTruthy();
    await page.getByRole('heading', { name: 'Sign-in cannot be checked right now' }).waitFor();
    expect(await page.getByText('cannot reach the identity provider').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-section]').count()).toBe(0);
    expect(person.responses.filter((response) => response.status === 503).map((response) => response.url)).toEqual([`${origin}/conf.yml`]);

    provider = await startTestProvider({ shape: 'pocket-id', clientId: 'dashboard-client', accounts, redirectUri: origin, port: providerPort, signingKey });
    // The server waits a moment (200 ms in tests) before it asks a provider that failed again:
    // Retry works once the server answers the browser's own token again.
    await expect.poll(async () => (await dashboard.get('/conf.yml', token)).status, { timeout: 5_000 }).toBe(200);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('[data-section]', { hasText: 'Everyday' }).waitFor();
    expect(await page.locator('[data-username]').textContent()).toBe('alice');

    // The browser logs the refused request itself; nothing else may go wrong.
    expect(person.errors.filter((error) => !error.includes('status of 503'))).toEqual([]);
    await person.context.close();
  });
});
