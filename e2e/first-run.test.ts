// The first run as a new user has it: `npm start` (scripts/start.mjs) on empty data folders,
// its printed setup link, the wizard with a passkey, "Open your dashboard", the sign-in
// through Hearth ID, and the dashboard with the editor, because the first admin joined `admins`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeSetupWizard, launchBrowser, openPerson, watchForPageErrors } from '../apps/id/test/browser/support.js';
import { freePort } from '../apps/id/test/support/server.js';
import { requireDashboardWebApp, signInThroughHearthId, storedIdToken } from './support/journeys.js';

const root = join(import.meta.dirname, '..');

describe('the first run, from `npm start`’s printed link to the dashboard', () => {
  let browser: Browser;
  let dir: string;
  let child: ChildProcess;
  let output = '';
  const ports = { id: 0, dashboard: 0 };

  /** Waits until start.mjs has printed a line matching `pattern`; says what it printed otherwise. */
  function printed(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          clearInterval(timer);
          clearTimeout(timeout);
          resolve(match);
        }
      };
      const timer = setInterval(check, 100);
      const timeout = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`start.mjs did not print ${pattern} within ${timeoutMs} ms; it printed:\n${output}`));
      }, timeoutMs);
      check();
    });
  }

  beforeAll(async () => {
    requireDashboardWebApp();
    for (const bin of ['apps/id/dist/program/main.js', 'apps/dashboard/dist/program/main.js']) {
      if (!existsSync(join(root, bin))) throw new Error(`${bin} is missing: run npm run build`);
    }
    browser = await launchBrowser();
    dir = await mkdtemp(join(tmpdir(), 'hearth-first-run-'));
    ports.id = await freePort();
    ports.dashboard = await freePort();
    child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HEARTH_DATA_DIR: join(dir, 'data'),
        USER_DATA_DIR: join(dir, 'user-data'),
        APP_URL: `http://localhost:${ports.id}`,
        PORT: String(ports.id),
        DASHBOARD_PORT: String(ports.dashboard),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sets up the first admin with a passkey, opens the dashboard from the wizard and finds the editor there', async () => {
    const [, setupLink] = await printed(/Create the first admin: (\S+)/);
    const idUrl = `http://localhost:${ports.id}`;
    const dashboardUrl = `http://localhost:${ports.dashboard}`;
    expect(setupLink).toBe(`${idUrl}/setup`);
    expect(output).toContain(`Dashboard   ${dashboardUrl}`);
    // Everything it wrote went to the folders it was given.
    expect(await readFile(join(dir, 'user-data', 'conf.yml'), 'utf8')).toContain(`endpoint: ${idUrl}`);
    expect(existsSync(join(dir, 'data', 'hearth-id.db'))).toBe(true);

    const { page } = await openPerson(browser);
    page.setDefaultTimeout(20_000);
    const errors = watchForPageErrors(page);
    await page.goto(setupLink!);
    await page.getByRole('heading', { name: 'Set up Hearth ID' }).waitFor();
    await completeSetupWizard(page, { username: 'admin', email: 'admin@example.com', firstName: 'Home', lastName: 'Admin' });

    await page.getByRole('link', { name: 'Open your dashboard' }).click();
    await signInThroughHearthId(page, idUrl, dashboardUrl);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The first admin joined `admins`: the token says so, the Admin section shows, the editor is there.
    const token = await storedIdToken(page);
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: idUrl, preferred_username: 'admin', groups: ['admins'] });
    await page.getByText('Users and groups', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Edit mode' }).waitFor();
    await page.getByRole('button', { name: 'Edit config' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit conf.yml' });
    await editor.locator('.cm-content').getByText('title: Users and groups').waitFor();
    expect(errors).toEqual([]);
  });
});
