// Search, hotkeys, themes and status dots in a real Chromium, against a real dashboard server
// (no sign-in) and real local services on 127.0.0.1 that the items point at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestDashboard } from '../support/dashboard.js';
import { startTestDashboard } from '../support/dashboard.js';
import { launchBrowser, openPerson, startStandInServices } from './support.js';
import type { Person, PersonOptions, StandInServices } from './support.js';

/** Always test-results: these are for looking at after a run, not for the docs. */
const RESULTS_DIR = fileURLToPath(new URL('../../../../test-results/screenshots/', import.meta.url));

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

function lookConfig(service: string, flaky: string): string {
  return `pageInfo:
  title: Homelab
  description: Everything on the shelf
appConfig:
  theme: argon
  statusCheckInterval: 1
  webSearch:
    searchEngine: custom
    customSearchEngine: '${service}/search?q='
  customColors:
    nord:
      primary: '#ff00aa'
  customCss: 'body { border-top: 3px solid rgb(1, 2, 3); }'
sections:
  - name: Media
    items:
      - title: Plex
        description: Movies and music
        url: ${service}/plex
        tags: [films]
      - title: Jellyfin
        description: Free media server
        url: ${service}/jellyfin
        hotkey: 3
  - name: Monitoring
    items:
      - title: Grafana
        description: Dashboards
        url: ${service}/grafana
      - title: Uptime
        description: Goes down in the status test
        url: ${flaky}/
        statusCheck: true
      - title: Shared one
        url: ${service}/shared
        statusCheck: true
      - title: Shared two
        url: ${service}/shared
        statusCheck: true
      - title: Shared three
        url: ${service}/shared
        statusCheck: true
`;
}

const DAY_NIGHT_CONFIG = `pageInfo:
  title: Day and night
appConfig:
  theme: nord
  dayTheme: solarized-light
  nightTheme: dracula
sections:
  - name: Tools
    items:
      - title: Wiki
        url: http://127.0.0.1:9/wiki
`;

let browser: Browser;
let service: StandInServices;
let flaky: StandInServices;
let dashboard: TestDashboard;
let dayNight: TestDashboard;
let people: Person[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  service = await startStandInServices();
  flaky = await startStandInServices();
  dashboard = await startTestDashboard({ files: { 'conf.yml': lookConfig(service.url, flaky.url) } });
  dayNight = await startTestDashboard({ files: { 'conf.yml': DAY_NIGHT_CONFIG } });
});

// Pages left open would keep checking statuses and skew the counts of the next test.
afterEach(async () => {
  const errors = people.flatMap((person) => person.errors);
  for (const person of people) await person.context.close().catch(() => {});
  people = [];
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await dayNight?.stop();
  await service?.close();
  await flaky?.close().catch(() => {});
});

/** A fresh browser on a dashboard, its console warnings kept, once the items show. */
async function open(url: string, options: PersonOptions = {}): Promise<Person & { warnings: string[] }> {
  const person = await openPerson(browser, url, { viewport: { width: 1100, height: 760 }, ...options });
  people.push(person);
  const warnings: string[] = [];
  person.page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await person.page.goto(url);
  await person.page.locator('[data-item]').first().waitFor({ timeout: 20_000 });
  return { ...person, warnings };
}

const hitsOn = (services: StandInServices, path: string) => services.hits.filter((hit) => hit === path).length;
const itemTitled = (page: Page, title: string | RegExp) => page.locator('[data-item]').filter({ has: page.locator('.title', { hasText: title }) });
const visibleTitles = (page: Page) => page.locator('[data-item]:visible .title').allInnerTexts();
const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search items' });
// Page scripts are written as text: this package's types describe Node, not the DOM.
const inPage = <T>(page: Page, expression: string) => page.evaluate<T>(expression);
/** Colour and hover transitions still running (endless animations, like a spinner, never finish and are left out). */
const RUNNING_TRANSITIONS = "document.getAnimations().filter((animation) => animation.playState === 'running' && animation.effect?.getComputedTiming().iterations !== Infinity).length";
const cssVariable = (page: Page, name: string) => inPage<string>(page, `getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`);
const backgroundOf = (page: Page) => inPage<string>(page, 'getComputedStyle(document.body).backgroundColor');
const themeOf = (page: Page) => inPage<string | undefined>(page, 'document.documentElement.dataset.theme');
const storedTheme = (page: Page) => inPage<string | null>(page, "localStorage.getItem('theme')");
const searchHasFocus = (page: Page) => inPage<boolean>(page, "document.activeElement?.id === 'hearth-search'");

/** Tells the page its tab is hidden (or shown again), as the browser does when someone switches tabs. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await inPage(page, `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} }); document.dispatchEvent(new Event('visibilitychange'))`);
}

/** WCAG contrast between an element's text and the first opaque background behind it. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return inPage<number>(page, `((element) => {
    const channels = (colour) => (colour.match(/[\\d.]+/g) ?? []).map(Number);
    const linear = (value) => ((value /= 255) <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4);
    const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    let background = [255, 255, 255];
    for (let node = element; node; node = node.parentElement) {
      const found = channels(getComputedStyle(node).backgroundColor);
      if (found.length === 3 || found[3] > 0.9) {
        background = found;
        break;
      }
    }
    const [light, dark] = [luminance(channels(getComputedStyle(element).color)), luminance(background)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  })(document.querySelector(${JSON.stringify(selector)}))`);
}

/** Runs `action` and answers the URL of the tab it opened. */
async function openedUrl(context: BrowserContext, action: () => Promise<void>): Promise<string> {
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 5_000 }), action()]);
  await tab.waitForURL(/^http/);
  const url = tab.url();
  await tab.close();
  return url;
}

describe('search', () => {
  it('filters as soon as someone types anywhere on the page, and Escape clears', async () => {
    const { page } = await open(dashboard.url);
    expect(await visibleTitles(page)).toHaveLength(7);
    await page.keyboard.type('films');
    await expect.poll(() => searchBox(page).inputValue()).toBe('films');
    expect(await searchHasFocus(page)).toBe(true);
    await expect.poll(() => visibleTitles(page)).toEqual(['Plex']);
    // Every word must match, in any field: "media server" is only Jellyfin's description.
    await searchBox(page).fill('media server');
    await expect.poll(() => visibleTitles(page)).toEqual(['Jellyfin']);
    await page.keyboard.press('Escape');
    await expect.poll(() => searchBox(page).inputValue()).toBe('');
    await expect.poll(() => visibleTitles(page)).toHaveLength(7);
  });

  it('focuses the search box with / without typing the slash', async () => {
    const { page } = await open(dashboard.url);
    await page.keyboard.press('/');
    expect(await searchHasFocus(page)).toBe(true);
    expect(await searchBox(page).inputValue()).toBe('');
  });

  it('opens the first item left with Enter, the way the item opens', async () => {
    const { context, page } = await open(dashboard.url);
    await page.keyboard.type('dashb');
    await expect.poll(() => visibleTitles(page)).toEqual(['Grafana']);
    expect(await openedUrl(context, () => page.keyboard.press('Enter'))).toBe(`${service.url}/grafana`);
  });

  it('walks through the items left with the arrow keys', async () => {
    const { page } = await open(dashboard.url);
    await page.keyboard.type('shared');
    await expect.poll(() => visibleTitles(page)).toEqual(['Shared one', 'Shared two', 'Shared three']);
    await screenshot(page, 'look-search-matches');
    const focused = () => inPage<string>(page, "document.activeElement?.closest('[data-item]')?.querySelector('.title')?.innerText ?? document.activeElement?.id");
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Shared one');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Shared three');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Shared three');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('Shared two');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('hearth-search');
  });

  it('searches the web with Enter when no item matches', async () => {
    const { context, page } = await open(dashboard.url);
    await page.keyboard.type('zzqx nothing');
    await expect.poll(() => visibleTitles(page)).toEqual([]);
    expect(await page.getByText('No item matches. Enter searches the web.').isVisible()).toBe(true);
    await screenshot(page, 'look-search-no-match');
    expect(await openedUrl(context, () => page.keyboard.press('Enter'))).toBe(`${service.url}/search?q=zzqx%20nothing`);
    expect(await searchBox(page).inputValue()).toBe('');
  });
});

describe('search on a phone', () => {
  it('fits a 390 px screen with its hint, and still filters', async () => {
    const { page } = await open(dashboard.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await searchBox(page).fill('shared');
    await expect.poll(() => visibleTitles(page)).toEqual(['Shared one', 'Shared two', 'Shared three']);
    const hint = await page.getByText('3 items match. Enter opens the first.').boundingBox();
    const picker = await page.getByRole('combobox', { name: 'Theme' }).boundingBox();
    // The hint takes its own line rather than covering the tools below the search box.
    expect(hint!.y + hint!.height).toBeLessThanOrEqual(picker!.y);
    expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'look-search-phone');
  });
});

describe('hotkeys', () => {
  it('opens the item whose hotkey is pressed outside a text field, and types it inside one', async () => {
    const { context, page } = await open(dashboard.url);
    expect(await openedUrl(context, () => page.keyboard.press('3'))).toBe(`${service.url}/jellyfin`);
    expect(await searchBox(page).inputValue()).toBe('');
    await searchBox(page).focus();
    await page.keyboard.press('3');
    expect(await searchBox(page).inputValue()).toBe('3');
    expect(context.pages()).toHaveLength(1);
  });
});

describe('themes', () => {
  it('passes over an unknown theme with a warning, and applies customCss', async () => {
    const { page, warnings } = await open(dashboard.url);
    await expect.poll(() => themeOf(page)).toBe('default');
    expect(await backgroundOf(page)).toBe('rgb(244, 245, 247)');
    expect(warnings.some((text) => text.includes('Unknown theme "argon"'))).toBe(true);
    expect(await inPage(page, 'getComputedStyle(document.body).borderTopColor')).toBe('rgb(1, 2, 3)');
  });

  it('switches theme from the picker, with the config custom colours, and remembers it after a reload', async () => {
    const { page } = await open(dashboard.url);
    const picker = page.getByRole('combobox', { name: 'Theme' });
    await picker.selectOption('nord');
    await expect.poll(() => backgroundOf(page)).toBe('rgb(46, 52, 64)');
    expect(await themeOf(page)).toBe('nord');
    expect(await cssVariable(page, '--primary')).toBe('#ff00aa');
    expect(await storedTheme(page)).toBe('nord');

    await page.reload();
    await page.locator('[data-item]').first().waitFor();
    await expect.poll(() => backgroundOf(page)).toBe('rgb(46, 52, 64)');
    expect(await picker.inputValue()).toBe('nord');

    await picker.selectOption('dracula');
    await expect.poll(() => backgroundOf(page)).toBe('rgb(40, 42, 54)');
    // The custom colours belong to nord only.
    expect(await cssVariable(page, '--primary')).toBe('#bd93f9');

    await picker.selectOption({ label: 'Automatic' });
    await expect.poll(() => backgroundOf(page)).toBe('rgb(244, 245, 247)');
    expect(await storedTheme(page)).toBeNull();
  });

  it('follows the system colour scheme with dayTheme and nightTheme, live', async () => {
    const { page } = await open(dayNight.url, { colorScheme: 'dark' });
    await expect.poll(() => backgroundOf(page)).toBe('rgb(40, 42, 54)');
    expect(await themeOf(page)).toBe('dracula');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => themeOf(page)).toBe('solarized-light');
    expect(await backgroundOf(page)).toBe('rgb(253, 246, 227)');
  });

  it('loads only the stylesheet of the theme in use', async () => {
    const { page } = await open(dayNight.url, { colorScheme: 'dark' });
    await expect.poll(() => themeOf(page)).toBe('dracula');
    const sheets = await inPage(page, "[...document.querySelectorAll('link[data-theme-sheet]')].map((link) => link.dataset.themeSheet)");
    expect(sheets).toEqual(['dracula']);
  });

  it('draws every theme readably (screenshots in test-results/screenshots)', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page } = await open(dashboard.url, { colorScheme: scheme });
      const defaultBackground = await backgroundOf(page);
      const names = await page.getByRole('combobox', { name: 'Theme' }).locator('option').evaluateAll((options) => options.map((option) => option.getAttribute('value') ?? '').filter(Boolean));
      expect(names.length).toBeGreaterThanOrEqual(8);
      for (const name of scheme === 'light' ? names : ['default']) {
        await page.getByRole('combobox', { name: 'Theme' }).selectOption(name);
        await expect.poll(() => themeOf(page)).toBe(name);
        await page.mouse.move(0, 0);
        // Items ease from the old theme's colours into the new ones: measure once no transition runs.
        await expect.poll(() => inPage<number>(page, RUNNING_TRANSITIONS)).toBe(0);
        if (name !== 'default') expect(await backgroundOf(page), `${name} has its own background`).not.toBe(defaultBackground);
        for (const selector of ['h1', '[data-item]', '#hearth-search']) {
          expect(await contrastOf(page, selector), `${selector} in ${name}`).toBeGreaterThanOrEqual(4.5);
        }
        await screenshot(page, `look-theme-${name}${name === 'default' ? `-${scheme}` : ''}`);
      }
    }
  });
});

describe('status dots', () => {
  it('checks once per URL however many dots show it, and pauses while the tab is hidden', async () => {
    const { page } = await open(dashboard.url);
    const dots = itemTitled(page, /^Shared/).locator('.status-dot');
    await expect.poll(() => dots.evaluateAll((all) => all.map((dot) => dot.getAttribute('data-status')))).toEqual(['up', 'up', 'up']);
    const start = hitsOn(service, '/shared');
    await page.waitForTimeout(3_000);
    const perInterval = hitsOn(service, '/shared') - start;
    // Three dots at one check a second each would be about nine; shared, about three.
    expect(perInterval).toBeGreaterThanOrEqual(2);
    expect(perInterval).toBeLessThanOrEqual(4);

    await setHidden(page, true);
    await page.waitForTimeout(300);
    const hidden = hitsOn(service, '/shared');
    await page.waitForTimeout(2_500);
    expect(hitsOn(service, '/shared')).toBe(hidden);

    await setHidden(page, false);
    await expect.poll(() => hitsOn(service, '/shared'), { timeout: 3_000 }).toBeGreaterThan(hidden);
  });

  it('turns red when the service stops, with the status code and time on hover', async () => {
    const { page } = await open(dashboard.url);
    const dot = itemTitled(page, 'Uptime').locator('.status-dot');
    const colour = () =>
      inPage<string>(page, `getComputedStyle([...document.querySelectorAll('[data-item]')].find((item) => item.querySelector('.title')?.textContent === 'Uptime').querySelector('.status-dot')).backgroundColor`);
    await expect.poll(() => dot.getAttribute('data-status')).toBe('up');
    await dot.hover();
    expect(await dot.getAttribute('title')).toMatch(/^Up: HTTP 200 in \d+ ms$/);
    expect(await dot.getAttribute('aria-label')).toBe(await dot.getAttribute('title'));
    await expect.poll(colour).toBe('rgb(46, 125, 50)');
    await screenshot(page, 'look-status-up');

    await flaky.close();
    await expect.poll(() => dot.getAttribute('data-status'), { timeout: 8_000 }).toBe('down');
    expect(await dot.getAttribute('title')).toMatch(/^Down: /);
    await expect.poll(colour).toBe('rgb(198, 40, 40)');
    await screenshot(page, 'look-status-down');
  });
});

