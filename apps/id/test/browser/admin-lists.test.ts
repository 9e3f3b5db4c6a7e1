import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { createGroup, groupsOfUser } from '../../src/groups/groups.js';
import { createUser } from '../../src/users/users.js';
import { signedInUser } from '../support/server.js';
import { screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

async function screenshotsOf(page: Page, name: string): Promise<void> {
  for (const [suffix, viewport] of [['', DESKTOP], ['-phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `${name}${suffix}${scheme === 'dark' ? '-dark' : ''}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
}

/** The page's horizontal overflow, which a phone would show as sideways scrolling. */
const overflowsSideways = (page: Page) => page.locator('html').evaluate((root) => root.scrollWidth > root.clientWidth);

describe('the admin lists and group pickers with more groups and clients than fit on a page', () => {
  const shared = useBrowserAndServer();

  it('pages and searches groups and clients, and picks groups by typing', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const teams = [];
    for (let i = 1; i <= 60; i += 1) teams.push(await createGroup(db, { name: `Team ${String(i).padStart(2, '0')}`, friendlyName: `team-${i}` }));
    await createGroup(db, { name: 'Dashy admins', friendlyName: 'admins' });
    for (let i = 1; i <= 55; i += 1) {
      await createClient(db, {
        name: `App ${String(i).padStart(2, '0')}`,
        callbackUrls: [`https://app${i}.example.org/callback`],
        isPublic: true,
        allowedGroupIds: i === 42 ? [teams[32]!.id] : [],
      });
    }
    const alice = await createUser(db, { username: 'alice', firstName: 'Alice', lastName: 'Example' });
    const { cookie } = await signedInUser(server, { username: 'lists-admin', isAdmin: true });

    const context = await browser.newContext({ viewport: DESKTOP });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = watchForPageErrors(page);
    const rows = page.locator('tbody tr');

    // Groups: 50 to a page, then the rest; a search narrows them.
    await page.goto(`${server.url}/admin/groups`);
    await page.getByText('Page 1 of 2 · 61 groups').waitFor();
    expect(await rows.count()).toBe(50);
    expect(await rows.first().locator('td').first().textContent()).toBe('Dashy admins');
    await screenshotsOf(page, 'admin-groups-paged');
    await page.setViewportSize(PHONE);
    expect(await overflowsSideways(page)).toBe(false);
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2 · 61 groups').waitFor();
    expect(await rows.count()).toBe(11);
    await page.getByLabel('Search groups').fill('TEAM 3');
    await expect.poll(() => rows.count()).toBe(10);
    expect((await rows.allInnerTexts()).map((row) => row.split('\t')[0])).toEqual(Array.from({ length: 10 }, (_, i) => `Team 3${i}`));
    await page.getByLabel('Search groups').fill('nothing like it');
    await page.getByText('No group matches “nothing like it”.').waitFor();

    // Clients: the same.
    await page.goto(`${server.url}/admin/clients`);
    await page.getByText('Page 1 of 2 · 55 clients').waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByLabel('Search clients').fill('app 42');
    await expect.poll(() => rows.count()).toBe(1);
    await screenshotsOf(page, 'admin-clients-search');
    await rows.first().getByRole('link', { name: 'App 42' }).click();

    // A client's allowed groups: the chosen one is listed by name, others are found by typing.
    await page.getByLabel('Team 33').waitFor();
    expect(await page.getByLabel('Team 33').isChecked()).toBe(true);
    await page.getByText('Showing 10 of 61 groups: type to find others.').waitFor();

    // A user's groups: find one by typing, tick it, save.
    await page.goto(`${server.url}/admin/users/${alice.id}`);
    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByText('Showing 10 of 61 groups: type to find others.').waitFor();
    expect(await page.getByLabel('Team 33').count()).toBe(0);
    await page.getByLabel('Find groups').fill('team 3');
    await page.getByLabel('Team 33').check();
    await page.getByLabel('Find groups').fill('dashy');
    await page.getByLabel('Dashy admins').check();
    // What is chosen stays listed (and ticked) whatever the search shows.
    expect(await page.getByLabel('Team 33').isChecked()).toBe(true);
    await screenshotsOf(page, 'admin-user-group-picker');
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Groups saved.').waitFor();
    expect((await groupsOfUser(db, alice.id)).map((group) => group.friendlyName)).toEqual(['admins', 'team-33']);

    // Taking one off the list: untick it and save.
    await page.getByLabel('Find groups').fill('');
    await page.getByLabel('Team 33').uncheck();
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Groups saved.').waitFor();
    expect((await groupsOfUser(db, alice.id)).map((group) => group.friendlyName)).toEqual(['admins']);

    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
