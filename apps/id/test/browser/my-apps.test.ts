import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { setClientLogo } from '../../src/clients/logos.js';
import { grantedAppsOfUser } from '../../src/clients/my-apps.js';
import { createGroup, setUserGroups } from '../../src/groups/groups.js';
import { TestBrowser } from '../support/browser.js';
import { registerPasskey } from '../support/fixtures.js';
import { authorize, relyingParty } from '../support/oidc-flow.js';
import { api, signedInUser, type TestServer } from '../support/server.js';
import { addPasskeyThroughAccountPage, openPerson, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const CALLBACK = 'http://localhost:4000/';
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#2563eb"/><path d="M12 34 24 12l12 22z" fill="#fff"/></svg>';

/** Where the phone and dark variants go: beside a test run's screenshots, never into the docs. */
const VARIANT_DIR = fileURLToPath(new URL('../../../../test-results/screenshots/', import.meta.url));

/** The screen at desktop and phone width, light and dark: `screenshot` for the first (the docs' one), the rest in VARIANT_DIR. */
async function screenshotsOf(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  mkdirSync(VARIANT_DIR, { recursive: true });
  for (const width of [1280, 390]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 800 });
      await page.emulateMedia({ colorScheme });
      if (width === 1280 && colorScheme === 'light') await screenshot(page, name);
      else await page.screenshot({ path: join(VARIANT_DIR, `${name}-${width}-${colorScheme}.png`), fullPage: true, animations: 'disabled' });
      // Nothing may run off the side at either width.
      expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'), `${name} ${width}`).toBe(true);
    }
  }
  if (size) await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A person with a passkey in a software authenticator, who granted an app access through the protocol. */
async function grantThroughProtocol(server: TestServer, cookie: string, clientId: string) {
  const rp = await relyingParty(server, clientId);
  const result = await authorize(rp, new TestBrowser(server.url), await registerPasskey(server, cookie), {
    redirectUri: CALLBACK,
    scope: 'openid profile offline_access',
    prompt: 'consent',
  });
  const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
    pkceCodeVerifier: result.codeVerifier!,
    expectedState: result.state,
    expectedNonce: result.nonce,
  });
  return { rp, tokens };
}

describe('My apps, the account page and the sign-out pages in a browser', () => {
  const shared = useBrowserAndServer();

  it('lands on My apps after a passkey sign-in, with launch links and logos; shows groups without a reload; revokes a grant', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const family = await createGroup(db, { name: 'Family', friendlyName: 'family' });
    const others = await createGroup(db, { name: 'Others', friendlyName: 'others' });
    const photos = (await createClient(db, { name: 'Photos', callbackUrls: [CALLBACK], isPublic: true, launchUrl: 'https://photos.example.com/', allowedGroupIds: [family.id] })).client;
    await setClientLogo(db, photos.id, Buffer.from(LOGO_SVG));
    await createClient(db, { name: 'Recipes', callbackUrls: [CALLBACK], isPublic: true });
    await createClient(db, { name: 'Secret vault', callbackUrls: [CALLBACK], isPublic: true, allowedGroupIds: [others.id] });
    const { user, cookie } = await signedInUser(server, { username: 'quinn', firstName: 'Quinn' });
    await setUserGroups(db, user.id, [family.id]);
    const { rp, tokens } = await grantThroughProtocol(server, cookie, photos.id);

    const person = await openPerson(browser, { viewport: { width: 1280, height: 800 } });
    const errors = watchForPageErrors(person.page);
    await addPasskeyThroughAccountPage(person, server, cookie);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await person.page.waitForURL(`${server.url}/apps`);

    const launch = person.page.getByRole('link', { name: 'Photos' });
    await launch.waitFor();
    expect(await launch.getAttribute('href')).toBe('https://photos.example.com/');
    const logo = launch.locator('img');
    await expect.poll(() => logo.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    // Listed without a link: no launch URL. Left out: not in its group.
    await person.page.getByText('Recipes').waitFor();
    expect(await person.page.getByRole('link', { name: 'Recipes' }).count()).toBe(0);
    expect(await person.page.getByText('Secret vault').count()).toBe(0);
    const granted = person.page.getByRole('region', { name: 'Apps with access to your account' });
    await granted.getByText('Photos').waitFor();
    await screenshotsOf(person.page, 'my-apps');

    // The groups are there after the in-page sign-in, without a reload.
    const loads = [] as string[];
    person.page.on('framenavigated', (frame) => loads.push(frame.url()));
    await person.page.getByRole('link', { name: 'Account' }).click();
    await person.page.waitForURL(`${server.url}/settings/account`);
    await person.page.getByRole('region', { name: 'Groups' }).getByText('Family').waitFor();
    expect(loads.filter((url) => url.endsWith('/settings/account'))).toHaveLength(1);
    expect(await person.page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    await screenshotsOf(person.page, 'account');

    await person.page.getByRole('link', { name: 'My apps' }).click();
    await person.page.getByRole('button', { name: 'Revoke Photos' }).click();
    await person.page.getByText('Photos no longer has access to your account').waitFor();
    expect(await granted.getByRole('listitem').count()).toBe(0);
    // (The cookie's session ended when the person signed out before signing in with the passkey.)
    expect(await grantedAppsOfUser(db, user.id)).toEqual([]);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(errors).toEqual([]);
    await person.context.close();
  }, 120_000);

  it('leads a person without a passkey to add one, from My apps, until they have one', async () => {
    const { browser, server } = shared;
    const { cookie } = await signedInUser(server, { username: 'rosa' });
    const person = await openPerson(browser, { viewport: { width: 1280, height: 800 } });
    const [name, value] = cookie.split('=') as [string, string];
    await person.context.addCookies([{ name, value, url: server.url }]);
    await person.page.goto(`${server.url}/apps`);
    const prompt = person.page.getByRole('region', { name: 'Add a passkey' });
    await prompt.waitFor();
    await screenshotsOf(person.page, 'my-apps-no-passkey');
    await prompt.getByRole('link', { name: 'Add a passkey' }).click();
    await person.page.waitForURL(`${server.url}/settings/account`);
    await person.page.getByRole('button', { name: 'Add a passkey' }).first().click();
    await person.page.getByText('added.').waitFor();
    await person.page.getByRole('link', { name: 'My apps' }).click();
    await person.page.getByRole('heading', { name: 'My apps' }).waitFor();
    await person.page.getByText('No app has access to your account right now.').waitFor();
    expect(await person.page.getByRole('region', { name: 'Add a passkey' }).count()).toBe(0);
    await person.context.close();
  }, 120_000);

  it('lets an administrator set the launch URL and upload a logo on the client page, with errors in words', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const { client } = await createClient(db, { name: 'Calendar', callbackUrls: [CALLBACK], isPublic: true });
    const { cookie } = await signedInUser(server, { username: 'tara', isAdmin: true });
    const person = await openPerson(browser, { viewport: { width: 1280, height: 800 } });
    const errors = watchForPageErrors(person.page);
    const [name, value] = cookie.split('=') as [string, string];
    await person.context.addCookies([{ name, value, url: server.url }]);
    await person.page.goto(`${server.url}/admin/clients/${client.id}`);

    const launchUrl = person.page.getByLabel('Launch URL');
    await launchUrl.fill('javascript:alert(1)');
    await person.page.getByRole('button', { name: 'Save', exact: true }).click();
    await person.page.getByText('Launch URL "javascript:alert(1)" must start with https:// or http://').waitFor();
    await launchUrl.fill('https://calendar.example.com/');
    await person.page.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = async () => (await api(server, 'GET', `/api/admin/clients/${client.id}`, { cookie })).body.client.launchUrl;
    await expect.poll(saved, { timeout: 10_000 }).toBe('https://calendar.example.com/');

    const file = person.page.getByLabel('Image file');
    await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await person.page.getByRole('button', { name: 'Upload logo' }).click();
    await person.page.getByText('The logo must be a PNG, JPEG, WebP or SVG image; this file is none of them').waitFor();
    await file.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(LOGO_SVG) });
    await person.page.getByRole('button', { name: 'Upload logo' }).click();
    await person.page.getByRole('button', { name: 'Remove logo' }).waitFor();
    const logo = person.page.getByRole('region', { name: 'Logo' }).locator('img');
    await expect.poll(() => logo.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    await person.page.getByRole('region', { name: 'Logo' }).scrollIntoViewIfNeeded();
    await screenshotsOf(person.page, 'admin-oidc-client-logo');
    const [mine] = (await api(server, 'GET', '/api/me/apps', { cookie })).body.apps.filter((app: { id: string }) => app.id === client.id);
    expect(mine).toMatchObject({ launchUrl: 'https://calendar.example.com/', logoUrl: expect.stringMatching(/^\/client-logos\//) });
    expect(errors).toEqual([]);
    await person.context.close();
  }, 120_000);

  it('asks before signing out, then links back to the app that sent the person there', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const wiki = (await createClient(db, { name: 'Wiki', callbackUrls: [CALLBACK], isPublic: true, launchUrl: 'https://wiki.example.com/' })).client;
    const { cookie } = await signedInUser(server, { username: 'sam' });
    const person = await openPerson(browser, { viewport: { width: 1280, height: 800 } });
    const errors = watchForPageErrors(person.page);
    const [name, value] = cookie.split('=') as [string, string];
    await person.context.addCookies([{ name, value, url: server.url }]);

    await person.page.goto(`${server.url}/session/end?client_id=${wiki.id}`);
    await person.page.getByRole('heading', { name: 'Sign out of Hearth ID?' }).waitFor();
    await screenshotsOf(person.page, 'sign-out-confirm');
    await person.page.getByRole('button', { name: 'Stay signed in' }).click();
    await person.page.getByRole('heading', { name: 'You are still signed in' }).waitFor();
    expect(await person.page.getByRole('link', { name: 'Back to Wiki' }).getAttribute('href')).toBe('https://wiki.example.com/');
    await screenshotsOf(person.page, 'still-signed-in');

    await person.page.goto(`${server.url}/session/end?client_id=${wiki.id}`);
    await person.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await person.page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(await person.page.getByRole('link', { name: 'Back to Wiki' }).getAttribute('href')).toBe('https://wiki.example.com/');
    await screenshotsOf(person.page, 'signed-out');
    expect((await api(server, 'GET', '/api/me', { cookie })).status).toBe(401);
    expect(errors).toEqual([]);
    await person.context.close();
  }, 120_000);
});
