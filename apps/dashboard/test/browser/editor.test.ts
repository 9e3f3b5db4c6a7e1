// The admin editor in a real Chromium against a real dashboard server without sign-in (where,
// as in Dashy, everyone is an admin): the YAML editor with the server's rules while typing, a
// diff before saving, the server's own refusals, and edit mode's forms, all ending in the
// file on disk.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { launchBrowser, openPerson, screenshot, startStandInServices } from './support.js';
import type { Person, PersonOptions, StandInServices } from './support.js';

function homelab(service: string, extra = ''): string {
  return `# Homelab dashboard, edited by hand and by the browser
pageInfo:
  title: Homelab   # shown in the tab
appConfig:
  theme: default
  statusCheck: false
${extra}sections:
  # Media first
  - name: Media
    icon: fas fa-film
    items:
      # Jellyfin streams the films
      - title: Jellyfin
        url: ${service}/jellyfin
        customThing: kept   # unknown to Hearth
      - title: Sonarr
        url: ${service}/sonarr
        displayData:
          hideForGuests: false
  - name: Tools
    items:
      - title: Git
        url: ${service}/git
`;
}

let browser: Browser;
let services: StandInServices;
const running: Array<{ stop(): Promise<void> }> = [];
const people: Person[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  services = await startStandInServices();
});

afterEach(async () => {
  for (const person of people.splice(0)) {
    expect(person.errors).toEqual([]);
    await person.context.close();
  }
  for (const server of running.splice(0)) await server.stop();
});

afterAll(async () => {
  await browser?.close();
  await services?.close();
});

async function dashboardWith(config: string): Promise<TestDashboard> {
  const dashboard = await startTestDashboard({ config });
  running.push(dashboard);
  return dashboard;
}

async function visit(dashboard: TestDashboard, options: PersonOptions = {}): Promise<Page> {
  const person = await openPerson(browser, dashboard.url, options);
  people.push(person);
  await person.page.goto(dashboard.url);
  await person.page.getByRole('heading', { name: 'Homelab', level: 1 }).waitFor();
  return person.page;
}

/** Chromium logs every 4xx answer; the one a test provokes on purpose is not a fault. */
function expectedConsoleErrors(pattern: RegExp): void {
  const person = people.at(-1)!;
  const unexpected = person.errors.filter((error) => !pattern.test(error));
  expect(unexpected.length).toBeLessThan(person.errors.length);
  person.errors.splice(0, person.errors.length, ...unexpected);
}

const RESULTS_DIR = fileURLToPath(new URL('../../../../test-results/screenshots/', import.meta.url));

/** Every screenshot goes to test-results; the few the docs show also to docs/screenshots (support's rule). */
async function shot(page: Page, name: string, docsName?: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
  if (docsName && process.env.UPDATE_SCREENSHOTS === '1') await screenshot(page, docsName);
}

const onDisk = (dashboard: TestDashboard) => readFile(join(dashboard.userDataDir, 'conf.yml'), 'utf8');

/** The editor's line showing `text`, by its content. */
function codeLine(page: Page, text: string): Locator {
  return page.locator('.cm-line', { hasText: text });
}

/** Puts the cursor at the end of the line holding `text`. */
async function endOfLine(page: Page, text: string): Promise<void> {
  await codeLine(page, text).click();
  await page.keyboard.press('End');
}

async function openYamlEditor(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Edit config' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit conf.yml' });
  await dialog.locator('.cm-content').waitFor();
  return dialog;
}

describe('the YAML editor', () => {
  it('checks while typing, shows the diff, saves with a backup and reloads the dashboard', async () => {
    const dashboard = await dashboardWith(homelab(services.url));
    const before = await onDisk(dashboard);
    const page = await visit(dashboard);
    const editor = await openYamlEditor(page);
    expect(await editor.locator('.cm-content').textContent()).toContain('# Jellyfin streams the films');
    await expect.poll(() => editor.getByRole('status').filter({ hasText: 'problems' }).textContent()).toContain('No problems found.');

    // A visibility rule that cannot be read is an error for the server: here too, on its line.
    await endOfLine(page, 'hideForGuests: false');
    await page.keyboard.press('Backspace', { delay: 5 });
    for (let index = 0; index < 4; index += 1) await page.keyboard.press('Backspace');
    await page.keyboard.type('perhaps');
    const badLine = codeLine(page, 'hideForGuests: perhaps');
    await badLine.locator('.cm-lintRange-error').waitFor();
    const lineNumber = before.split('\n').findIndex((line) => line.includes('hideForGuests')) + 1;
    await expect.poll(() => editor.locator('.issue-list').textContent()).toContain(`Line ${lineNumber}: sections[0].items[1].displayData.hideForGuests`);
    await shot(page, 'editor-yaml-error-light', 'editor-yaml');

    for (let index = 0; index < 'perhaps'.length; index += 1) await page.keyboard.press('Backspace');
    await page.keyboard.type('true');
    await endOfLine(page, 'title: Sonarr');
    await page.keyboard.type(' TV');
    await expect.poll(() => editor.getByRole('status').filter({ hasText: 'problems' }).textContent()).toContain('No problems found.');
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);

    await editor.getByRole('button', { name: 'Review changes' }).click();
    const changes = editor.getByRole('region', { name: 'Changes to conf.yml' });
    await changes.waitFor();
    expect(await changes.locator('li.removed code').allTextContents()).toEqual(['      - title: Sonarr', '          hideForGuests: false']);
    expect(await changes.locator('li.added code').allTextContents()).toEqual(['      - title: Sonarr TV', '          hideForGuests: true']);
    await expect.poll(() => editor.getByText('2 lines added, 2 removed.').count()).toBe(1);
    await shot(page, 'editor-yaml-diff-light');

    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = editor.getByText(/^Saved \(backup: \.backups\/conf\.yml\.[\dT-]+Z\)\.$/);
    await saved.waitFor();

    const after = await onDisk(dashboard);
    expect(after).toBe(before.replace('title: Sonarr', 'title: Sonarr TV').replace('hideForGuests: false', 'hideForGuests: true'));
    const backups = await readdir(join(dashboard.userDataDir, '.backups'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dashboard.userDataDir, '.backups', backups[0]!), 'utf8')).toBe(before);
    expect(await saved.textContent()).toContain(backups[0]);

    // Saved: closing asks nothing, and the dashboard already shows the change.
    await editor.getByRole('button', { name: 'Close', exact: true }).click();
    await editor.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Edit config');
    await page.getByRole('link', { name: 'Sonarr TV' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Sonarr TV' }).waitFor();
  });

  it('shows the line-numbered errors of a save the server refuses, and keeps the file', async () => {
    const dashboard = await dashboardWith(homelab(services.url));
    const before = await onDisk(dashboard);
    const page = await visit(dashboard);
    const editor = await openYamlEditor(page);

    await endOfLine(page, 'title: Git');
    await page.keyboard.press('Enter');
    await page.keyboard.type('statusCh');
    // Key completion from the JSON Schema, for the mapping the cursor is in.
    await page.locator('.cm-tooltip-autocomplete').getByText('statusCheckUrl').waitFor();
    await page.keyboard.type('eck: maybe');
    await page.keyboard.press('Escape');
    await expect(editor.isVisible()).resolves.toBe(true);
    const line = (await page.locator('.cm-line').allTextContents()).findIndex((text) => text.includes('statusCheck: maybe')) + 1;
    await expect.poll(() => editor.locator('.issue-list').textContent()).toContain('new: the server saves no new warnings');

    await editor.getByRole('button', { name: 'Review changes' }).click();
    await editor.getByText('The server will refuse this text').waitFor();
    await editor.getByRole('button', { name: 'Save', exact: true }).click();

    const refusal = editor.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Not saved. Invalid configuration');
    expect(await refusal.locator('li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^Line ${line}: sections\\[1\\]\\.items\\[0\\]\\.statusCheck: `))]);
    await codeLine(page, 'statusCheck: maybe').locator('.cm-lintRange-error').waitFor();
    expect(await onDisk(dashboard)).toBe(before);
    await shot(page, 'editor-yaml-refused-light');
    expectedConsoleErrors(/\/config-manager\/save: Failed to load resource: the server responded with a status of 400/);

    // Unsaved text: Escape asks before throwing it away.
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Escape');
    const ask = page.getByRole('alertdialog', { name: 'Discard your changes?' });
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    await expect(editor.isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await ask.getByRole('button', { name: 'Discard changes' }).click();
    await editor.waitFor({ state: 'detached' });
    expect(await onDisk(dashboard)).toBe(before);
  });

  it('says when a save needs a restart of the server', async () => {
    const dashboard = await dashboardWith(homelab(services.url));
    const page = await visit(dashboard);
    const editor = await openYamlEditor(page);
    await endOfLine(page, 'statusCheck: false');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('auth:\n    enableOidc: true\n    oidc:\n      clientId: dashboard\n      endpoint: http://127.0.0.1:9/');
    await page.keyboard.press('Control+s');
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await editor.getByText('Restart the dashboard server for the sign-in change to take effect.').waitFor();
    expect(await onDisk(dashboard)).toContain('    oidc:\n      clientId: dashboard\n');
  });
});

describe('edit mode', () => {
  it('edits, adds, moves and deletes items, then saves with the comments kept', async () => {
    const dashboard = await dashboardWith(homelab(services.url));
    const page = await visit(dashboard);
    await page.getByRole('button', { name: 'Edit mode' }).click();
    expect(await page.getByRole('button', { name: 'Edit mode' }).getAttribute('aria-pressed')).toBe('true');
    const bar = page.getByRole('region', { name: 'Edit mode' });
    await bar.getByText('No unsaved changes', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Edit Jellyfin' }).click();
    const itemDialog = page.getByRole('dialog', { name: 'Edit “Jellyfin”' });
    await itemDialog.getByLabel('Title').fill('Jellyfin Media');
    await itemDialog.getByLabel('Description (optional)').fill('Films and shows');
    await shot(page, 'editor-item-form-light');
    await itemDialog.getByRole('button', { name: 'Apply changes' }).click();
    await itemDialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Jellyfin Media' }).waitFor();
    await bar.getByText('1 unsaved change', { exact: true }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit Jellyfin Media');

    await page.getByRole('button', { name: 'Add an item to Tools' }).click();
    const addDialog = page.getByRole('dialog', { name: 'Add an item' });
    await addDialog.getByRole('button', { name: 'Add item' }).click();
    await addDialog.getByText('Enter a title.').waitFor();
    await addDialog.getByLabel('Title').fill('Wiki');
    // The server's rules, beside the field they are about.
    await addDialog.getByLabel('URL (optional)').fill('javascript:alert(1)');
    await addDialog.getByRole('button', { name: 'Add item' }).click();
    await addDialog.getByText('A javascript: link could run code in the dashboard.').waitFor();
    expect(await addDialog.getByLabel('URL (optional)').getAttribute('aria-invalid')).toBe('true');
    await addDialog.getByLabel('URL (optional)').fill(`${services.url}/wiki`);
    await addDialog.getByLabel('Tags (comma separated)').fill('docs, notes');
    await addDialog.getByRole('button', { name: 'Add item' }).click();
    await page.getByRole('link', { name: 'Wiki' }).waitFor();

    await page.getByRole('button', { name: 'Move Wiki up' }).click();
    await bar.getByText('3 unsaved changes', { exact: true }).waitFor();
    const tools = page.locator('[data-section]', { hasText: 'Tools' });
    await expect.poll(() => tools.locator('[data-item] .title').allTextContents()).toEqual(['Wiki', 'Git']);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Wiki down');

    await page.getByRole('button', { name: 'Delete Sonarr' }).click();
    await page.getByRole('alertdialog', { name: 'Delete “Sonarr”?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('link', { name: 'Sonarr' }).waitFor({ state: 'detached' });
    await bar.getByText('4 unsaved changes', { exact: true }).waitFor();
    await shot(page, 'editor-edit-mode-light', 'editor-edit-mode');

    await bar.getByRole('button', { name: 'Save' }).click();
    const review = page.getByRole('dialog', { name: 'Save changes to conf.yml' });
    await review.getByRole('region', { name: 'Changes to conf.yml' }).waitFor();
    const added = await review.locator('li.added code').allTextContents();
    expect(added).toEqual(expect.arrayContaining(['      - title: Jellyfin Media', '      - title: Wiki']));
    await review.getByRole('button', { name: 'Save', exact: true }).click();
    await review.waitFor({ state: 'detached' });
    await page.getByText(/^Saved \(backup: \.backups\/conf\.yml\./).waitFor();
    expect(await page.getByRole('button', { name: 'Edit mode' }).getAttribute('aria-pressed')).toBe('false');

    const text = await onDisk(dashboard);
    for (const kept of ['# Homelab dashboard, edited by hand and by the browser', 'title: Homelab   # shown in the tab', '# Media first', '# Jellyfin streams the films', 'customThing: kept   # unknown to Hearth']) {
      expect(text).toContain(kept);
    }
    expect(text).toContain('      - title: Jellyfin Media\n        description: Films and shows\n        url:');
    expect(text).not.toContain('Sonarr');
    expect(text.indexOf('title: Wiki')).toBeLessThan(text.indexOf('title: Git'));
    expect(text).toContain('tags: [ docs, notes ]');

    await page.reload();
    await page.getByRole('link', { name: 'Jellyfin Media' }).waitFor();
    expect(await tools.locator('[data-item] .title').allTextContents()).toEqual(['Wiki', 'Git']);
  });

  it('adds, renames, moves and deletes sections, and discards on request', async () => {
    const dashboard = await dashboardWith(homelab(services.url));
    const before = await onDisk(dashboard);
    const page = await visit(dashboard);
    await page.getByRole('button', { name: 'Edit mode' }).click();
    await page.getByRole('button', { name: 'Add section' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a section' });
    await dialog.getByLabel('Name').fill('Network');
    await dialog.getByRole('button', { name: 'Add section' }).click();
    await page.getByRole('button', { name: 'Edit section Network' }).waitFor();
    await page.getByRole('button', { name: 'Edit section Media' }).click();
    const rename = page.getByRole('dialog', { name: 'Edit section “Media”' });
    await rename.getByLabel('Name').fill('Films');
    await rename.getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('button', { name: 'Move section Films down' }).click();
    await expect.poll(() => page.locator('[data-section] h2').allTextContents()).toEqual(['Tools', 'Films', 'Network'].map((name) => expect.stringContaining(name)));
    await page.getByRole('button', { name: 'Delete section Network' }).click();
    await page.getByRole('alertdialog', { name: 'Delete the section “Network”?' }).getByRole('button', { name: 'Delete section' }).click();
    const bar = page.getByRole('region', { name: 'Edit mode' });
    await bar.getByText('4 unsaved changes', { exact: true }).waitFor();

    await bar.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('alertdialog', { name: 'Discard your changes?' }).getByRole('button', { name: 'Discard changes' }).click();
    await bar.getByText('No unsaved changes', { exact: true }).waitFor();
    await expect.poll(() => page.locator('[data-section] h2').allTextContents()).toEqual(['Media', 'Tools'].map((name) => expect.stringContaining(name)));
    expect(await onDisk(dashboard)).toBe(before);
  });
});

describe('sub-pages', () => {
  it('edits the file of the page being shown, and keeps pending changes across a page change', async () => {
    const work = `# Work page\nsections:\n  - name: Docs\n    items:\n      - title: Wiki   # team wiki\n        url: ${services.url}/wiki\n`;
    const dashboard = await startTestDashboard({
      config: homelab(services.url).replace('sections:\n', 'pages:\n  - name: Work\n    path: work.yml\nsections:\n'),
      files: { 'work.yml': work },
    });
    running.push(dashboard);
    const main = await onDisk(dashboard);
    const page = await visit(dashboard);
    await page.getByRole('button', { name: 'Edit mode' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Work' }).click();
    await page.getByRole('button', { name: 'Edit Wiki' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Wiki”' });
    await dialog.getByLabel('Title').fill('Wiki.js');
    await dialog.getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('link', { name: 'Wiki.js' }).waitFor();

    // Away and back: the page is loaded from the server again, the pending change is shown again.
    await page.getByRole('navigation').getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Jellyfin' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Work' }).click();
    await page.getByRole('link', { name: 'Wiki.js' }).waitFor();

    await page.getByRole('region', { name: 'Edit mode' }).getByRole('button', { name: 'Save' }).click();
    const review = page.getByRole('dialog', { name: 'Save changes to work.yml' });
    await review.getByRole('button', { name: 'Save', exact: true }).click();
    await review.waitFor({ state: 'detached' });
    expect(await readFile(join(dashboard.userDataDir, 'work.yml'), 'utf8')).toBe(work.replace('title: Wiki ', 'title: Wiki.js '));
    expect(await onDisk(dashboard)).toBe(main);
  });
});

describe('where nobody may edit', () => {
  it('shows no editing controls with disableConfiguration', async () => {
    const dashboard = await dashboardWith(homelab(services.url, '  disableConfiguration: true\n'));
    const page = await visit(dashboard);
    await page.getByRole('link', { name: 'Jellyfin' }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit config' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit mode' }).count()).toBe(0);
    expect(await page.locator('[data-edit-item], [data-edit-section], [data-edit]').count()).toBe(0);
    expect((await dashboard.save({ config: 'sections: []\n', filename: 'conf.yml' })).status).toBe(403);
  });
});

describe('the look', () => {
  for (const [name, options] of [
    ['dark', { colorScheme: 'dark' }],
    ['phone', { viewport: { width: 390, height: 844 } }],
  ] as const) {
    it(`works in ${name}`, async () => {
      const dashboard = await dashboardWith(homelab(services.url).replace('theme: default', `theme: ${name === 'dark' ? 'dracula' : 'default'}`));
      const page = await visit(dashboard, options);
      await page.getByRole('button', { name: 'Edit mode' }).click();
      await page.getByRole('button', { name: 'Edit Sonarr' }).waitFor();
      await shot(page, `editor-edit-mode-${name}`, name === 'phone' ? 'editor-edit-mode-phone' : undefined);
      await page.getByRole('button', { name: 'Edit Git' }).click();
      await page.getByRole('dialog', { name: 'Edit “Git”' }).getByLabel('Title').waitFor();
      await shot(page, `editor-item-form-${name}`);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Edit config' }).click();
      const editor = page.getByRole('dialog', { name: 'Edit conf.yml' });
      await editor.locator('.cm-content').waitFor();
      await endOfLine(page, 'title: Git');
      await page.keyboard.type('Hub');
      await page.waitForTimeout(400);
      await shot(page, `editor-yaml-${name}`);
      await editor.getByRole('button', { name: 'Review changes' }).click();
      await editor.getByRole('region', { name: 'Changes to conf.yml' }).waitFor();
      await shot(page, `editor-yaml-diff-${name}`);
    });
  }
});
