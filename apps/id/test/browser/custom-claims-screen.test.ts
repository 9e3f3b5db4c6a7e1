import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { claimsOf } from '../../src/custom-claims/custom-claims.js';
import { createGroup, setUserGroups } from '../../src/groups/groups.js';
import { createUser } from '../../src/users/users.js';
import { signedInUser } from '../support/server.js';
import { addPasskeyThroughAccountPage, openPerson, openSignInWithAutofillParked, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const overflowsSideways = (page: Page) => page.locator('html').evaluate((root) => root.scrollWidth > root.clientWidth);

describe('a user’s custom claims in the admin screen', () => {
  const shared = useBrowserAndServer();

  it('adds claims, shows a reserved name’s error beside it, saves, and reads them back', async () => {
    const { server, browser } = shared;
    const db = server.ctx.database.db;
    const erin = await createUser(db, { username: 'erin', firstName: 'Erin', lastName: 'Photos' });
    const photos = await createGroup(db, { name: 'Photo people', friendlyName: 'photos' });
    await setUserGroups(db, erin.id, [photos.id]);

    // An administrator with a passkey signs in with it, as people do.
    const person = await openPerson(browser, { viewport: { width: 1280, height: 900 } });
    const { cookie } = await signedInUser(server, { username: 'claims-admin', isAdmin: true });
    await addPasskeyThroughAccountPage(person, server, cookie);
    const { page } = person;
    const errors = watchForPageErrors(page);
    await openSignInWithAutofillParked(page, person.authenticator, () => page.reload());
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${server.url}/apps`);

    await page.goto(`${server.url}/admin/users/${erin.id}`);
    await page.getByRole('tab', { name: 'Claims' }).click();
    await page.getByText('No custom claims.').waitFor();

    await page.getByRole('button', { name: 'Add claim' }).click();
    // The new row's name has the focus: typing goes straight in.
    await page.keyboard.type('immich_role');
    await page.getByLabel('Value').nth(0).fill('admin');
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByLabel('Claim name').nth(1).fill('email');
    await page.getByLabel('Value').nth(1).fill('erin@example.com');
    await page.getByRole('button', { name: 'Save claims' }).click();

    const refused = page.getByLabel('Claim name').nth(1);
    await page.getByText('"email" is a standard claim that Hearth ID sets itself; choose another name').waitFor();
    expect(await refused.getAttribute('aria-invalid')).toBe('true');
    expect(await claimsOf(db, { userId: erin.id })).toEqual([]);
    await screenshot(page, 'claims-refused-1280');

    await refused.fill('immich_quota');
    await page.getByLabel('Value').nth(1).fill('500');
    await page.getByRole('button', { name: 'Save claims' }).click();
    await page.getByRole('status').getByText('Claims saved.').waitFor();
    expect(await refused.getAttribute('aria-invalid')).toBeNull();
    expect(await claimsOf(db, { userId: erin.id })).toEqual([{ key: 'immich_role', value: 'admin' }, { key: 'immich_quota', value: '500' }]);
    await screenshot(page, 'claims-saved-1280');

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'claims-saved-390');

    // Read back after a reload; removing one and saving leaves the other.
    await page.reload();
    await page.getByRole('tab', { name: 'Claims' }).click();
    expect(await page.getByLabel('Claim name').nth(0).inputValue()).toBe('immich_role');
    await page.getByRole('button', { name: 'Remove claim immich_role' }).click();
    await page.getByRole('button', { name: 'Save claims' }).click();
    await page.getByRole('status').getByText('Claims saved.').waitFor();
    expect(await claimsOf(db, { userId: erin.id })).toEqual([{ key: 'immich_quota', value: '500' }]);

    // The group's page has the same editor.
    await page.goto(`${server.url}/admin/groups/${photos.id}`);
    await page.getByRole('heading', { name: 'Custom claims' }).waitFor();
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByLabel('Claim name').fill('immich_role');
    await page.getByLabel('Value').fill('user');
    await page.getByRole('button', { name: 'Save claims' }).click();
    await page.getByRole('status').getByText('Claims saved.').waitFor();
    expect(await claimsOf(db, { groupId: photos.id })).toEqual([{ key: 'immich_role', value: 'user' }]);
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'claims-group-390');

    expect(errors).toEqual([]);
    await person.context.close();
  }, 90_000);
});
