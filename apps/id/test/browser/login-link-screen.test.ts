import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { epochSeconds } from '../../src/db/database.js';
import { signedInUser } from '../support/server.js';
import { openPerson, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

const zbarimg = spawnSync('zbarimg', ['--version']).status === 0;
if (!zbarimg) console.warn('skipped: reading the login link QR code needs zbarimg (apt-get install -y zbar-tools)');

describe('the admin screen’s login link: how long it works, until when, and a QR code for a phone', () => {
  const shared = useBrowserAndServer();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-login-link-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function openUserPage(options: Parameters<typeof openPerson>[1] = {}) {
    const { server } = shared;
    const admin = await signedInUser(server, { username: `admin${Math.random().toString(36).slice(2, 6)}`, isAdmin: true });
    const dora = await signedInUser(server, { username: `dora${Math.random().toString(36).slice(2, 6)}`, firstName: 'Dora', lastName: 'Explorer' });
    const person = await openPerson(shared.browser, options);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await person.context.addCookies([{ name, value, url: server.url }]);
    const errors = watchForPageErrors(person.page);
    await person.page.goto(`${server.url}/admin/users/${dora.user.id}`);
    await person.page.getByRole('heading', { name: 'Login link' }).waitFor();
    return { ...person, dora: dora.user, errors };
  }

  async function newestTokenExpiry(userId: string): Promise<number> {
    const row = await shared.server.ctx.database.db
      .selectFrom('one_time_access_tokens')
      .select('expires_at')
      .where('user_id', '=', userId)
      .orderBy('expires_at', 'desc')
      .executeTakeFirstOrThrow();
    return Number(row.expires_at);
  }

  it('makes a link that works for the chosen time, says until when, and shows it as a QR code that reads back as the link', async () => {
    const { page, context, dora, errors } = await openUserPage();
    const lifetime = page.getByLabel('Link works for');
    expect(await lifetime.inputValue()).toBe(String(3600));
    await lifetime.selectOption({ label: '24 hours' });
    const before = epochSeconds();
    await page.getByRole('button', { name: 'Create login link' }).click();
    const status = page.getByRole('status');
    await status.getByText('(24 hours from now)').waitFor();

    const expiresAt = await newestTokenExpiry(dora.id);
    expect(Math.abs(expiresAt - before - 24 * 3600)).toBeLessThanOrEqual(30);
    // The time shown is the stored expiry.
    expect(await page.getByTestId('login-link-expiry').getAttribute('datetime')).toBe(new Date(expiresAt * 1000).toISOString());

    const url = await page.getByLabel(`Login link for ${dora.username}`).inputValue();
    expect(url).toMatch(new RegExp(`^${shared.server.url}/lc/[A-Za-z0-9_-]+$`));
    const qr = page.getByRole('img', { name: `QR code of the login link for ${dora.username}` });
    await qr.waitFor();
    const box = (await qr.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(150);
    if (zbarimg) {
      const file = join(dir, 'qr.png');
      writeFileSync(file, await qr.screenshot());
      expect(execFileSync('zbarimg', ['--raw', '--quiet', file], { encoding: 'utf8' }).trim()).toBe(url);
    }
    await screenshot(page, 'admin-login-link-24-hours');

    // Another link with the longest choice: 7 days.
    await page.getByLabel('Link works for').selectOption({ label: '7 days' });
    await page.getByRole('button', { name: 'Create another login link' }).click();
    await status.getByText('(7 days from now)').waitFor();
    expect(Math.abs((await newestTokenExpiry(dora.id)) - epochSeconds() - 7 * 86400)).toBeLessThanOrEqual(30);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it.each([
    ['light', 1280],
    ['light', 390],
    ['dark', 1280],
    ['dark', 390],
  ] as const)('fits the %s theme at %i px, with the QR code still dark on light', async (colorScheme, width) => {
    const { page, context, errors } = await openUserPage({ colorScheme, viewport: { width, height: 900 } });
    await page.getByRole('button', { name: 'Create login link' }).click();
    const qr = page.getByRole('img', { name: /QR code of the login link/ });
    await qr.waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await qr.locator('rect').first().getAttribute('fill')).toBe('#fff');
    if (zbarimg) {
      const file = join(dir, `qr-${colorScheme}-${width}.png`);
      writeFileSync(file, await qr.screenshot());
      expect(execFileSync('zbarimg', ['--raw', '--quiet', file], { encoding: 'utf8' }).trim()).toBe(await page.getByLabel(/^Login link for/).inputValue());
    }
    await screenshot(page, `admin-login-link-${width}-${colorScheme}`);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
