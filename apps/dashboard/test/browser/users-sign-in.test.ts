// Dashy's built-in users, in the browser: a signed-out visitor gets the login form and
// nothing of the dashboard, signing in lands on the page they asked for, and signing out
// ends the session cookie.
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { launchBrowser, openPerson, storedIdentity } from './support.js';
import type { Person } from './support.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const conf = `
pageInfo:
  title: Family
appConfig:
  auth:
    users:
      - user: alice
        hash: ${sha256('alice-password')}
        type: admin
      - user: kid
        hash: ${sha256('kid-password')}
        type: normal
pages:
  - name: Games
    path: games.yml
sections:
  - name: Everyday
    items:
      - title: Photos
        icon: fas fa-camera
        url: http://photos.home.arpa
  - name: Parents
    displayData:
      showForUsers: [alice]
    items:
      - title: Bank
        icon: fas fa-building-columns
        url: http://bank.home.arpa
`;

const games = 'sections:\n  - name: Games\n    items:\n      - title: Minecraft\n        icon: fas fa-cube\n        url: http://minecraft.home.arpa\n';

describe('signing in as a built-in user', () => {
  let browser: Browser;
  let dashboard: TestDashboard;
  let person: Person | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    dashboard = await startTestDashboard({ config: conf, files: { 'games.yml': games } });
  });

  afterEach(async () => {
    expect(person?.errors).toEqual([]);
    await person?.context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it('shows only the login form signed out, then the page asked for, and signs out again', async () => {
    person = await openPerson(browser, dashboard.url);
    const { page } = person;
    await page.goto(`${dashboard.url}/home/games`);
    await page.getByLabel('Username').waitFor();
    expect(page.url()).toBe(`${dashboard.url}/login`);
    expect(await page.locator('[data-section]').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    for (const response of person.responses) {
      for (const secret of ['Photos', 'Bank', sha256('kid-password')]) expect(response.body, response.url).not.toContain(secret);
    }

    await page.getByLabel('Username').fill('kid');
    await page.getByLabel('Password').fill('kid-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-section]', { hasText: 'Games' }).waitFor();
    expect(page.url()).toBe(`${dashboard.url}/home/games`);
    expect(await page.locator('[data-username]').textContent()).toBe('kid');
    expect(await storedIdentity(page)).toMatchObject({ username: 'kid', isAdmin: 'false', ID_TOKEN: null });

    await page.getByRole('link', { name: 'Home' }).click();
    await page.locator('[data-section]', { hasText: 'Everyday' }).waitFor();
    expect(await page.locator('[data-section] h2').allInnerTexts()).toEqual(['Everyday']);
    expect(await page.getByRole('button', { name: /edit/i }).count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    expect(person.requests.some((request) => request.method === 'POST' && request.url === `${dashboard.url}/auth/logout`)).toBe(true);
    expect(await page.locator('[data-section]').count()).toBe(0);
    expect(await storedIdentity(page)).toMatchObject({ username: null, isAdmin: null });
    const session = (await (await page.request.get(`${dashboard.url}/auth/session`)).json()) as { viewer: { signedIn: boolean } };
    expect(session.viewer.signedIn).toBe(false);
  });

  it('gives an admin the sections and controls meant for them', async () => {
    person = await openPerson(browser, dashboard.url);
    const { page } = person;
    await page.goto(`${dashboard.url}/`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-section]', { hasText: 'Parents' }).waitFor();
    expect(page.url()).toBe(`${dashboard.url}/`);
    expect(await storedIdentity(page)).toMatchObject({ username: 'alice', isAdmin: 'true' });
    expect(await page.locator('header').getByRole('button', { name: /edit/i }).count()).toBeGreaterThan(0);
  });
});
