import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { createGroup } from '../../src/groups/groups.js';
import { createUser } from '../../src/users/users.js';
import { signedInUser } from '../support/server.js';
import { screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * What scrolls sideways on this page: the page itself, or any element that clips or scrolls
 * its content horizontally (a table in a scrolling wrapper hides its last columns that way).
 * Text inputs scroll their own text by design and are left out.
 */
function horizontalOverflow(page: Page): Promise<string[]> {
  // A string: the test code is compiled without the DOM's types.
  return page.evaluate<string[]>(`(() => {
    const found = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) found.push('the page (' + root.scrollWidth + 'px in ' + root.clientWidth + 'px)');
    for (const element of document.querySelectorAll('body *')) {
      if (element.matches('input, textarea, select') || element.clientWidth < 2) continue;
      if (getComputedStyle(element).overflowX !== 'visible' && element.scrollWidth > element.clientWidth + 1) {
        found.push(element.tagName.toLowerCase() + '.' + element.className + ' (' + element.scrollWidth + 'px in ' + element.clientWidth + 'px)');
      }
    }
    return found;
  })()`);
}

/** Screenshots of the page as it is, at desktop and phone width, light and dark. */
async function screenshotsOf(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? DESKTOP;
  for (const [size, width] of [['', DESKTOP], ['-phone', PHONE]] as const) {
    await page.setViewportSize(width);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `${name}${size}${scheme === 'dark' ? '-dark' : ''}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(viewport);
}

describe('the admin screens: client endpoints, field errors in words, phone width', () => {
  const shared = useBrowserAndServer();

  it('says what is wrong with the setup form beside each field, in words', async () => {
    const { browser, server } = shared;
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/setup`);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    const username = page.getByLabel('Username', { exact: true });
    await expect.poll(() => username.getAttribute('aria-invalid')).toBe('true');
    const usernameError = await username.getAttribute('aria-describedby');
    expect(await page.locator(`#${usernameError}`).textContent()).toBe('Enter a username');

    await username.fill('pocketid-admin');
    await page.getByLabel('Email', { exact: true }).fill('not an email');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    const email = page.getByLabel('Email', { exact: true });
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).toBe('Enter a valid email address');
    expect(await username.getAttribute('aria-invalid')).toBeNull();
    await screenshotsOf(page, 'setup-field-errors');
    await context.close();
  }, 180_000);

  it('lists the endpoint URLs of the discovery document with copy buttons, and conf.yml only for dashboards', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const { cookie } = await signedInUser(server, { username: 'pocketid-admin', isAdmin: true });
    const grafana = await createClient(db, { name: 'Grafana', callbackUrls: ['https://grafana.home.example/login/generic_oauth'] });
    const dashy = await createClient(db, {
      name: 'Dashy',
      callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'],
      logoutCallbackUrls: ['http://localhost:4000'],
      isPublic: true,
    });
    // A public app whose callback is on its own path is not a dashboard.
    const immich = await createClient(db, {
      name: 'Immich',
      callbackUrls: ['https://photos.home.example/auth/login', 'app.immich:///oauth-callback'],
      logoutCallbackUrls: ['https://photos.home.example/'],
      isPublic: true,
    });
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;

    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchForPageErrors(page);

    await page.goto(`${server.url}/admin/clients/${grafana.client.id}`);
    await page.getByTestId('endpoints').waitFor();
    const shown = Object.fromEntries(
      await page.locator('[data-endpoint]').evaluateAll((codes) => codes.map((code) => [code.getAttribute('data-endpoint'), code.textContent])),
    );
    expect(shown).toEqual({
      Issuer: discovery.issuer,
      'Discovery URL': `${server.url}/.well-known/openid-configuration`,
      'Authorization URL': discovery.authorization_endpoint,
      'Token URL': discovery.token_endpoint,
      'Userinfo URL': discovery.userinfo_endpoint,
      'End session (logout) URL': discovery.end_session_endpoint,
      'JWKS URL': discovery.jwks_uri,
    });
    expect(discovery.issuer).toBe(server.url);
    expect(await page.getByTestId('conf-yml').count()).toBe(0);

    await page.getByRole('button', { name: 'Copy Token URL' }).click();
    // Once copied, the button says so (and its name changes with it).
    await page.getByRole('button', { name: 'Copied Token URL' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(discovery.token_endpoint);
    await screenshotsOf(page, 'admin-oidc-client-endpoints');

    await page.goto(`${server.url}/admin/clients/${immich.client.id}`);
    await page.getByTestId('endpoints').waitFor();
    expect(await page.getByTestId('conf-yml').count()).toBe(0);

    await page.goto(`${server.url}/admin/clients/${dashy.client.id}`);
    await page.getByTestId('conf-yml').waitFor();
    expect(await page.getByTestId('conf-yml').textContent()).toContain(`      endpoint: ${discovery.issuer}\n`);
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshotsOf(page, 'admin-oidc-client-dashboard');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('shows every admin screen at 390 px without anything scrolling sideways', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const { cookie } = await signedInUser(server, { username: 'phone-admin', isAdmin: true });
    const longUser = await createUser(db, {
      username: 'a-rather-long-username-for-a-phone',
      email: 'someone.with.a.very.long.address@subdomain.home.example',
      firstName: 'Alexandria',
      lastName: 'Montgomery-Fitzwilliam',
      isAdmin: true,
    });
    await createClient(db, { name: 'Nextcloud', callbackUrls: ['https://cloud.home.example/apps/user_oidc/code'] });
    const group = await createGroup(db, { name: 'Family members with a long group name', friendlyName: 'family-members-with-a-long-friendly-name' });

    const context = await browser.newContext({ viewport: PHONE });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);

    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('link', { name: 'a-rather-long-username-for-a-phone' }).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    // Every row's role is in sight, not in a column scrolled off to the right.
    for (const badge of await page.locator('tbody .badge').all()) {
      const box = await badge.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
    await screenshotsOf(page, 'admin-users-list');

    await page.goto(`${server.url}/admin/clients`);
    await page.getByRole('link', { name: 'Nextcloud' }).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshotsOf(page, 'admin-oidc-clients');

    for (const [path, ready] of [
      ['/admin/groups', () => page.getByRole('heading', { name: 'User groups', level: 1 })],
      ['/admin/audit', () => page.getByRole('heading', { level: 1 })],
      ['/admin/clients/new', () => page.getByRole('heading', { name: 'Add OIDC client' })],
      [`/admin/users/${longUser.id}`, () => page.getByRole('heading', { name: /a-rather-long-username/, level: 1 })],
      [`/admin/groups/${group.id}`, () => page.getByRole('heading', { name: group.name, level: 1 })],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await ready().waitFor();
      expect(await horizontalOverflow(page), path).toEqual([]);
    }
    await context.close();
  }, 180_000);
});
