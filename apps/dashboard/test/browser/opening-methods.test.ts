// A dashboard without sign-in, in a real browser: each opening method does what Dashy's does,
// the right-click menu works by mouse and keyboard, pages are routes, layout choices stick,
// and the OIDC code is never downloaded.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { launchBrowser, openPerson, startStandInServices } from './support.js';
import type { Person, StandInServices } from './support.js';

function conf(services: string): string {
  return `
pageInfo:
  title: Open dashboard
  navLinks:
    - title: Docs
      path: ${services}/docs
appConfig:
  layout: auto
  iconSize: medium
pages:
  - name: Media Center
    path: media.yml
  - name: Remote page
    path: https://example.com/remote.yml
sections:
  - name: Ways to open
    displayData:
      sortBy: alphabetical
    items:
      - title: Workspace app
        icon: fas fa-briefcase
        url: ${services}/workspace-app
        target: workspace
      - title: Clipboard app
        icon: fas fa-clipboard
        url: ${services}/clipboard-app
        target: clipboard
      - title: Modal app
        icon: fas fa-window-maximize
        url: ${services}/modal-app
        target: modal
      - title: New tab app
        icon: fas fa-up-right-from-square
        url: ${services}/newtab-app
        target: newtab
      - title: Same tab app
        icon: fas fa-arrow-right
        url: ${services}/sametab-app
        target: sametab
      - title: New window app
        icon: fas fa-window-restore
        url: ${services}/newwindow-app
        target: newwindow
  - name: Tucked away
    displayData:
      collapsed: true
    items:
      - title: Hidden at first
        icon: fas fa-eye-slash
        url: ${services}/hidden-at-first
`;
}

const mediaPage = (services: string) => `
sections:
  - name: Streaming
    items:
      - title: Jellyfin
        icon: si-jellyfin
        url: ${services}/jellyfin
`;

describe('a dashboard without sign-in', () => {
  let browser: Browser;
  let services: StandInServices;
  let dashboard: TestDashboard;
  let person: Person;

  const open = async (path = '/') => {
    person = await openPerson(browser, dashboard.url, { permissions: ['clipboard-read', 'clipboard-write'] });
    await person.page.goto(`${dashboard.url}${path}`);
    await person.page.locator('[data-section]').first().waitFor();
    return person.page;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    services = await startStandInServices();
    dashboard = await startTestDashboard({ config: conf(services.url), files: { 'media.yml': mediaPage(services.url) } });
  });

  afterEach(async () => {
    expect(person.errors).toEqual([]);
    await person.context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await services?.close();
  });

  it('renders without downloading the sign-in code', async () => {
    const page = await open();
    await page.waitForLoadState('networkidle');
    const scripts = person.requests.filter((request) => request.url.endsWith('.js')).map((request) => new URL(request.url).pathname);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((path) => /oidc/i.test(path))).toEqual([]);
    expect(person.requests.every((request) => request.url.startsWith(dashboard.url))).toBe(true);
    expect(await page.locator('[data-item]:visible').allInnerTexts()).toEqual(['Clipboard app', 'Modal app', 'New tab app', 'New window app', 'Same tab app', 'Workspace app']);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('opens newtab (and newwindow) items in a new tab', async () => {
    const page = await open();
    for (const name of ['New tab app', 'New window app']) {
      const [popup] = await Promise.all([person.context.waitForEvent('page'), page.getByRole('link', { name }).click()]);
      await popup.waitForLoadState();
      expect(popup.url()).toBe(`${services.url}/${name === 'New tab app' ? 'newtab-app' : 'newwindow-app'}`);
      expect(page.url()).toBe(`${dashboard.url}/`);
      await popup.close();
    }
  });

  it('opens sametab items in this tab', async () => {
    const page = await open();
    await page.getByRole('link', { name: 'Same tab app' }).click();
    await page.waitForURL(`${services.url}/sametab-app`);
    await page.goBack();
    await page.locator('[data-section]').first().waitFor();
  });

  it('opens modal items in a dialog with a frame, and gives focus back when it closes', async () => {
    const page = await open();
    const link = page.getByRole('link', { name: 'Modal app' });
    await link.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Modal app' });
    await dialog.waitFor();
    expect(await dialog.locator('iframe').getAttribute('src')).toBe(`${services.url}/modal-app`);
    await page.frameLocator('dialog iframe').getByRole('heading', { name: 'Service /modal-app' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Modal app');
  });

  it('opens workspace items beside the list of services', async () => {
    const page = await open();
    await page.getByRole('link', { name: 'Workspace app' }).click();
    await page.waitForURL(`${dashboard.url}/workspace?url=${encodeURIComponent(`${services.url}/workspace-app`)}`);
    const frame = page.locator('.workspace iframe');
    expect(await frame.getAttribute('src')).toBe(`${services.url}/workspace-app`);
    await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: 'Modal app' }).click();
    await page.waitForURL(/modal-app/);
    expect(await frame.getAttribute('src')).toBe(`${services.url}/modal-app`);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('[data-section]').first().waitFor();
    expect(page.url()).toBe(`${dashboard.url}/`);
  });

  it('frames only addresses that are items of the dashboard', async () => {
    person = await openPerson(browser, dashboard.url);
    const { page } = person;
    await page.goto(`${dashboard.url}/workspace?url=${encodeURIComponent('https://phishing.example/login')}`);
    await page.getByText('is not an item of this dashboard').waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    await page.goto(`${dashboard.url}/workspace?url=${encodeURIComponent('javascript:alert(1)')}`);
    await page.getByText('Choose a service').waitFor();
    expect(await page.locator('iframe').count()).toBe(0);
    expect(person.requests.some((request) => new URL(request.url).hostname === 'phishing.example')).toBe(false);
  });

  it('copies clipboard items and says so', async () => {
    const page = await open();
    await page.getByRole('link', { name: 'Clipboard app' }).click();
    await page.getByRole('status').getByText(`Copied ${services.url}/clipboard-app`).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${services.url}/clipboard-app`);
    expect(page.url()).toBe(`${dashboard.url}/`);
    expect(services.hits).not.toContain('/clipboard-app');
  });

  it('offers every opening method in a right-click menu', async () => {
    const page = await open();
    await page.getByRole('link', { name: 'New tab app' }).click({ button: 'right' });
    const menu = page.getByRole('menu');
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Open in this tab', 'Open in a new tab', 'Open in a pop-up', 'Open in the workspace', 'Copy address']);
    await menu.getByRole('menuitem', { name: 'Open in a pop-up' }).click();
    const dialog = page.getByRole('dialog', { name: 'New tab app' });
    await dialog.waitFor();
    expect(await dialog.locator('iframe').getAttribute('src')).toBe(`${services.url}/newtab-app`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('opens the menu from the keyboard, moves with the arrows, and closes with Escape', async () => {
    const page = await open();
    const link = page.getByRole('link', { name: 'Same tab app' });
    await link.focus();
    await page.keyboard.press('Shift+F10');
    await page.getByRole('menu').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Open in this tab');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Open in a new tab');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Same tab app');
    // The last entry copies, from the keyboard too.
    await page.keyboard.press('Shift+F10');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(`Copied ${services.url}/sametab-app`).waitFor();
  });

  it('shows pages as routes, moves focus to the heading, and explains pages on other hosts', async () => {
    const page = await open();
    const nav = page.getByRole('navigation', { name: 'Pages and links' });
    await nav.getByRole('link', { name: 'Media Center' }).click();
    await page.locator('[data-section]', { hasText: 'Streaming' }).waitFor();
    expect(page.url()).toBe(`${dashboard.url}/home/media-center`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main-heading');
    expect(await nav.getByRole('link', { name: 'Media Center' }).getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('Media Center | Open dashboard');

    await page.goBack();
    await page.locator('[data-section]', { hasText: 'Ways to open' }).waitFor();
    expect(page.url()).toBe(`${dashboard.url}/`);

    await nav.getByRole('link', { name: 'Remote page' }).click();
    await page.getByText('loads nothing from other hosts').waitFor();
    expect(person.requests.some((request) => new URL(request.url).hostname === 'example.com')).toBe(false);

    // A sub-page opened directly works as well.
    await page.goto(`${dashboard.url}/home/media-center`);
    await page.locator('[data-section]', { hasText: 'Streaming' }).waitFor();
    expect(await page.getByRole('link', { name: 'Docs (opens in a new tab)' }).getAttribute('href')).toBe(`${services.url}/docs`);
  });

  it("renders a page it switches to before that page's icons, which follow once it is on screen", async () => {
    const page = await open();
    await page.waitForLoadState('networkidle');
    // What the render that first puts the new page's item in the DOM holds: the frame it paints.
    await page.evaluate(() => {
      const target = window as unknown as { firstRender: Promise<{ boxes: number; images: number }> };
      target.firstRender = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          const item = [...document.querySelectorAll('[data-item]')].find((candidate) => candidate.textContent?.includes('Jellyfin'));
          if (!item) return;
          observer.disconnect();
          resolve({ boxes: item.querySelectorAll('.item-icon').length, images: item.querySelectorAll('.item-icon img').length });
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
    });
    await page.getByRole('navigation', { name: 'Pages and links' }).getByRole('link', { name: 'Media Center' }).click();
    expect(await page.evaluate(() => (window as unknown as { firstRender: Promise<unknown> }).firstRender)).toEqual({ boxes: 1, images: 0 });
    await expect.poll(() => page.getByRole('link', { name: 'Jellyfin' }).locator('.item-icon img').count()).toBe(1);
  });

  it('remembers layout, item size and collapsed sections in this browser', async () => {
    const page = await open();
    const tucked = page.locator('[data-section]', { hasText: 'Tucked away' });
    expect(await tucked.getByRole('button', { name: 'Tucked away' }).getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('link', { name: 'Hidden at first' }).isVisible()).toBe(false);
    await tucked.getByRole('button', { name: 'Tucked away' }).click();
    await page.getByRole('link', { name: 'Hidden at first' }).waitFor();

    await page.getByRole('button', { name: 'Vertical layout' }).click();
    await page.getByRole('button', { name: 'Large items' }).click();
    expect(await page.locator('.sections').getAttribute('class')).toContain('layout-vertical');
    await page.reload();
    await page.getByRole('link', { name: 'Hidden at first' }).waitFor();
    expect(await page.locator('.sections').getAttribute('class')).toContain('layout-vertical');
    expect(await page.getByRole('button', { name: 'Large items' }).getAttribute('aria-pressed')).toBe('true');
    const stored = await page.evaluate(() => ({
      layout: localStorage.getItem('layoutOrientation'),
      size: localStorage.getItem('iconSize'),
      collapse: JSON.parse(localStorage.getItem('collapseState') ?? '{}') as Record<string, boolean>,
    }));
    expect(stored).toEqual({ layout: 'vertical', size: 'large', collapse: { 'home-tucked-away': true } });
  });
});
