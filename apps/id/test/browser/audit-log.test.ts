import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createGroup } from '../../src/groups/groups.js';
import { createUser } from '../../src/users/users.js';
import { runCli } from '../support/cli.js';
import { api, signedInUser } from '../support/server.js';
import { addPasskeyThroughAccountPage, openPerson, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Internal codes (`sign_in`, `group.members.add`) a person should never have to read. */
const CODES = /\b(sign_in|sign_in_failed|sign_out|token_issued|passkey_added|passkey_removed|admin_change|one_time_access_\w+|setup_completed|grant_revoked)\b|\b(user|group|client)\.[a-z_.]+\b/;

const overflowsSideways = (page: Page) => page.locator('html').evaluate((root) => root.scrollWidth > root.clientWidth);

async function screenshotsOf(page: Page): Promise<void> {
  for (const [suffix, viewport] of [['', DESKTOP], ['-phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const name = `audit-log${suffix}${scheme === 'dark' ? '-dark' : ''}`;
      await screenshot(page, name);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
}

describe('the audit log in a browser', () => {
  const shared = useBrowserAndServer();

  it('reads as sentences with devices, filters by person and event, and fits a phone', { timeout: 120_000 }, async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const { cookie } = await signedInUser(server, { username: 'audit-admin', isAdmin: true });
    await createUser(db, { username: 'bob', firstName: 'Bob', lastName: 'Example' });
    await createGroup(db, { name: 'Family', friendlyName: 'family' });
    await api(server, 'POST', '/api/admin/clients', { cookie, body: { name: 'Grafana', callbackUrls: ['https://grafana.example/login/generic_oauth'] } });
    const cli = await runCli(['add-to-group', 'bob', 'family'], server.env);
    expect(cli.code, cli.stderr).toBe(0);

    // The admin adds a passkey and signs in with it, in Chromium.
    const person = await openPerson(browser, { viewport: DESKTOP });
    const { page } = person;
    page.setDefaultTimeout(15_000);
    const errors = watchForPageErrors(page);
    await addPasskeyThroughAccountPage(person, server, cookie);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${server.url}/apps`);

    await page.goto(`${server.url}/admin/audit`);
    const items = page.getByRole('list', { name: 'Audit log entries' }).getByRole('listitem');
    const signIn = items.filter({ hasText: /audit-admin signed in with a passkey/ });
    await signIn.first().waitFor();
    await expect(signIn.first().textContent()).resolves.toContain('Chrome on Linux');
    await items.filter({ hasText: /audit-admin created the app Grafana/ }).waitFor();
    const fromCli = items.filter({ hasText: /bob was added to the group Family \(command line\)/ });
    await fromCli.waitFor();
    await expect(fromCli.textContent()).resolves.toContain('command line');
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(CODES);
    await screenshotsOf(page);

    // At 390 pixels the log is a list that never scrolls sideways.
    await page.setViewportSize(PHONE);
    expect(await overflowsSideways(page)).toBe(false);
    await page.setViewportSize(DESKTOP);

    // By event: only passkeys.
    await page.getByLabel('Event').selectOption({ label: 'Passkeys' });
    const shown = page.locator('.audit-list li');
    await expect.poll(() => shown.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind'))), { timeout: 15_000 }).toSatisfy(
      (kinds: (string | null)[]) => kinds.length > 0 && kinds.every((kind) => kind === 'passkeys'),
    );
    await items.filter({ hasText: /audit-admin added the passkey/ }).waitFor();

    // By person, as you type: bob's entries, of every kind.
    await page.getByLabel('Event').selectOption({ label: 'Every event' });
    await page.getByLabel('Person').fill('bo');
    await expect.poll(() => shown.evaluateAll((rows) => rows.map((row) => row.textContent ?? '')), { timeout: 15_000 }).toSatisfy(
      (texts: string[]) => texts.length > 0 && texts.every((text) => text.includes('bob')),
    );
    await expect(items.count()).resolves.toBe(1);
    await items.filter({ hasText: /bob was added to the group Family \(command line\)/ }).waitFor();

    // Both at once: nothing of bob's is a sign-in.
    await page.getByLabel('Event').selectOption({ label: 'Sign-ins and sign-outs' });
    await page.getByText('Nothing recorded matches these filters.').waitFor();
    expect(await page.locator('main').innerText()).not.toMatch(CODES);
    expect(errors).toEqual([]);
  });
});
