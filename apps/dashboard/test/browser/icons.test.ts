// Every kind of icon in a real Chromium, against a real dashboard server whose remote icons
// come from local stand-ins. The page may only ever talk to the dashboard's own origin, and
// icons that cannot be fetched (most of them, on a homelab without internet) become letter
// tiles without a single console error.
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterColour } from '../../src/icons/letter-tile.js';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { launchBrowser, openPerson, screenshot, startSignInSetup } from './support.js';

// What the code passed to page.evaluate uses of the page; this project compiles with Node's types.
declare const document: { fonts: Iterable<{ family: string; weight: string; status: string }> };
declare function getComputedStyle(element: unknown, pseudo?: string): { fontFamily: string; maskImage: string; backgroundColor: string; color: string };
interface LoadedImage {
  complete: boolean;
  naturalWidth: number;
  src: string;
}

// A 1×1 PNG: small, and something Chromium really decodes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" fill="#e5a00d"/></svg>';

const isLoaded = (element: unknown) => (element as LoadedImage).complete && (element as LoadedImage).naturalWidth > 0;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let browser: Browser;
let cdn: Server;
let site: Server;
let cdnBase: string;
let siteBase: string;
/** Nobody listens there: an offline CDN, a service that is down. */
let closedBase: string;

beforeAll(async () => {
  browser = await launchBrowser();
  cdn = createServer((request, response) => {
    if (request.url === '/svg/plex.svg') response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    else response.writeHead(404).end();
  });
  site = createServer((request, response) => {
    if (request.url === '/icon.png') response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<head><link rel="icon" href="/icon.png"></head>');
    else response.writeHead(404).end();
  });
  cdnBase = await listen(cdn);
  siteBase = await listen(site);
  const closed = createServer();
  closedBase = await listen(closed);
  closed.close();
});

afterAll(async () => {
  await browser?.close();
  for (const server of [cdn, site]) {
    server?.closeAllConnections();
    server?.close();
  }
});

function config(): string {
  return `pageInfo:
  title: Icons
sections:
  - name: Everything
    icon: fas fa-toolbox
    items:
      - { title: Rocket, icon: fas fa-rocket, url: 'http://127.0.0.1:9/a' }
      - { title: Sonarr, icon: si-sonarr, url: 'http://127.0.0.1:9/b' }
      - { title: Network, icon: mdi-server-network, url: 'http://127.0.0.1:9/c' }
      - { title: Plex, icon: hl-plex, url: 'http://127.0.0.1:9/d' }
      - { title: Fallback, icon: hl-nosuchicon, url: '${siteBase}/' }
      - { title: Zulu, icon: hl-nosuchicon }
      - { title: Site, icon: favicon, url: '${siteBase}/' }
      - { title: Remote image, icon: '${siteBase}/icon.png' }
      - { title: Local file, icon: nas.png }
      - { title: Plant, icon: '🪴' }
      - { title: Generated, icon: generative, url: 'http://127.0.0.1:9/e' }
      - { title: Plain, url: 'http://127.0.0.1:9/f' }
`;
}

const iconOf = (page: Page, title: string) => page.locator('[data-item]', { hasText: title }).locator('.item-icon');

/** Everything a page logs as an error (a failed image load is one), and its uncaught errors. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

/** X-Hearth-Icon of every icon the page loaded, by path and query. */
function watchIconOrigins(page: Page): Map<string, string | undefined> {
  const origins = new Map<string, string | undefined>();
  page.on('response', (response: Response) => {
    const url = new URL(response.url());
    if (/^\/(?:icons|item-icons)\//.test(url.pathname)) origins.set(url.pathname + url.search, response.headers()['x-hearth-icon']);
  });
  return origins;
}

/** The path and query an item's <img> loaded, once it has loaded. */
async function loadedImage(page: Page, title: string): Promise<string> {
  const image = iconOf(page, title).locator('img');
  await expect.poll(() => image.evaluate(isLoaded)).toBe(true);
  const src = new URL(await image.evaluate((element) => (element as unknown as LoadedImage).src));
  return src.pathname + src.search;
}

const q = encodeURIComponent;

describe('item and section icons in the browser', () => {
  let dashboard: TestDashboard;
  let page: Page;
  const requests: string[] = [];
  let consoleErrors: string[];
  let origins: Map<string, string | undefined>;

  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: config(), dashboardIconsUrl: cdnBase, iconFetchTimeoutMs: 1_000 });
    await mkdir(join(dashboard.userDataDir, 'item-icons'));
    await writeFile(join(dashboard.userDataDir, 'item-icons', 'nas.png'), PNG);
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    consoleErrors = watchErrors(page);
    origins = watchIconOrigins(page);
    await page.goto(dashboard.url);
    await page.locator('[data-item]').first().waitFor();
  });
  afterAll(async () => {
    await page?.close();
    await dashboard?.stop();
  });

  it('draws Font Awesome icons with the stylesheet from the dashboard server', async () => {
    await expect.poll(() => page.locator('link[data-font-awesome]').count()).toBe(1);
    const rocket = iconOf(page, 'Rocket').locator('i.fas.fa-rocket');
    await expect.poll(() => rocket.evaluate((element) => getComputedStyle(element, '::before').fontFamily)).toMatch(/Font Awesome/);
    // The solid webfont itself arrived (a missing font would still leave the family name in CSS).
    await expect
      .poll(() => page.evaluate(() => [...document.fonts].some((font) => font.family.includes('Font Awesome 7 Free') && font.weight === '900' && font.status === 'loaded')))
      .toBe(true);
    expect(await page.locator('[data-section] .item-icon i.fas.fa-toolbox').count()).toBe(1);
  });

  it('tints Simple Icons and Material Design Icons in the text colour', async () => {
    for (const [title, src] of [['Sonarr', '/icons/si/sonarr.svg'], ['Network', '/icons/mdi/server-network.svg']] as const) {
      const tinted = iconOf(page, title).locator('.tinted');
      await tinted.waitFor();
      const style = await tinted.evaluate((element) => ({ mask: getComputedStyle(element).maskImage, colour: getComputedStyle(element).backgroundColor, text: getComputedStyle(element).color }));
      expect(style.mask).toContain(src);
      expect(style.colour).toBe(style.text);
    }
  });

  it('shows dashboard-icons, favicons, remote images and item-icons files as images from the dashboard', async () => {
    const plex = await loadedImage(page, 'Plex');
    expect(plex).toBe(`/icons/hl/plex?url=${q('http://127.0.0.1:9/d')}&title=Plex`);
    const site = await loadedImage(page, 'Site');
    expect(site).toBe(`/icons/favicon?url=${q(`${siteBase}/`)}&title=Site`);
    const remote = await loadedImage(page, 'Remote image');
    expect(remote).toBe(`/icons/image?url=${q(`${siteBase}/icon.png`)}&title=Remote%20image`);
    const local = await loadedImage(page, 'Local file');
    expect(local).toBe('/item-icons/nas.png?title=Local%20file');
    expect([plex, site, remote, local].map((path) => origins.get(path))).toEqual(['cdn', 'favicon', 'image', 'file']);
  });

  it('gets the favicon from the server for a missing dashboard-icon, then a letter tile', async () => {
    const fallback = await loadedImage(page, 'Fallback');
    expect(fallback).toBe(`/icons/hl/nosuchicon?url=${q(`${siteBase}/`)}&title=Fallback`);
    expect(origins.get(fallback)).toBe('favicon');
    const zulu = await loadedImage(page, 'Zulu');
    expect(origins.get(zulu)).toBe('letter');
    // Dashy's generative icons come from an internet service: drawn here, no request.
    expect(await iconOf(page, 'Generated').innerText()).toBe('G');
    expect(requests.some((url) => url.includes('Generated'))).toBe(false);
  });

  it('renders emoji as text and nothing for an item without an icon', async () => {
    expect(await iconOf(page, 'Plant').innerText()).toBe('🪴');
    expect(await iconOf(page, 'Plain').count()).toBe(0);
    await screenshot(page, 'dashboard-icons');
  });

  it('never asks another host, and logs no errors at all', async () => {
    const origin = new URL(dashboard.url).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('a dashboard whose icons cannot be fetched, as on a homelab without internet', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({
      config: `pageInfo:
  title: Offline
sections:
  - name: Offline
    icon: hl-proxmox
    items:
      - { title: Alpha, icon: hl-plex, url: '${closedBase}/a' }
      - { title: Bravo, icon: '${closedBase}/bravo.png', url: '${closedBase}/b' }
      - { title: Charlie, icon: favicon, url: '${closedBase}/c' }
      - { title: Delta, icon: hl-jellyfin }
      - { title: Echo, icon: missing.png, url: '${closedBase}/e' }
      - { title: Foxtrot, icon: si-nosuchbrand }
      - { title: Golf, icon: mdi-no-such-icon }
      - { title: Hotel, icon: hl-sonarr, url: '${siteBase}/' }
`,
      dashboardIconsUrl: closedBase,
      iconFetchTimeoutMs: 1_000,
    });
  });
  afterAll(async () => dashboard?.stop());

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`draws letter tiles (and favicons where services answer) without a console error, ${colorScheme}`, async () => {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      const errors = watchErrors(page);
      const origins = watchIconOrigins(page);
      try {
        await page.goto(dashboard.url);
        await page.locator('[data-item]').first().waitFor();
        for (const title of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) {
          expect(origins.get(await loadedImage(page, title)), title).toBe('letter');
        }
        expect(origins.get(await loadedImage(page, 'Hotel'))).toBe('favicon');
        for (const title of ['Foxtrot', 'Golf']) {
          await iconOf(page, title).locator('.tinted').waitFor();
          expect([...origins].find(([path]) => path.includes(`title=${title}`))?.[1], title).toBe('letter');
        }
        await expect.poll(() => page.locator('[data-section] h2 .item-icon img').evaluate(isLoaded)).toBe(true);
        await screenshot(page, `dashboard-icons-offline-${colorScheme}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('draws the same tile itself when an icon cannot be loaded at all', async () => {
    const page = await browser.newPage();
    try {
      await page.route((url) => url.pathname === '/icons/hl/plex', (route) => route.abort('connectionrefused'));
      await page.goto(dashboard.url);
      const tile = page.locator('[data-item]', { hasText: 'Alpha' }).locator('.item-icon.letter');
      await expect.poll(() => tile.innerText()).toBe('A');
      const [r, g, b] = [1, 3, 5].map((at) => parseInt(letterColour('Alpha').slice(at, at + 2), 16));
      expect(await tile.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(`rgb(${r}, ${g}, ${b})`);
    } finally {
      await page.close();
    }
  });
});

describe('a dashboard without Font Awesome icons', () => {
  it('does not load the Font Awesome stylesheet', async () => {
    const dashboard = await startTestDashboard({ config: 'sections:\n  - name: A\n    items:\n      - { title: Sonarr, icon: si-sonarr }\n' });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    try {
      await page.goto(dashboard.url);
      await page.locator('[data-item] .tinted').waitFor();
      expect(await page.locator('link[data-font-awesome]').count()).toBe(0);
      expect(requests.some((url) => url.includes('/vendor/fontawesome/'))).toBe(false);
    } finally {
      await page.close();
      await dashboard.stop();
    }
  });
});

describe('icons of a dashboard behind OIDC sign-in', () => {
  it('loads the icons the config names with the ID token, since an <img> cannot send it', async () => {
    const setup = await startSignInSetup(
      { shape: 'pocket-id', clientId: 'icons-client', accounts: [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }], defaultAccountId: 'alice' },
      (provider) => `appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: icons-client
      endpoint: ${provider.issuer}
      adminGroup: admins
      scope: openid profile email groups
sections:
  - name: Services
    items:
      - { title: Plex, icon: hl-plex }
      - { title: Site, icon: favicon, url: '${siteBase}/' }
      - { title: Sonarr, icon: si-sonarr }
`,
      { dashboardIconsUrl: cdnBase },
    );
    const alice = await openPerson(browser, setup.origin);
    try {
      await alice.page.goto(setup.origin);
      await alice.page.locator('[data-username]').waitFor();
      for (const title of ['Plex', 'Site']) {
        const image = alice.page.locator('[data-item]', { hasText: title }).locator('img');
        await expect.poll(() => image.getAttribute('src')).toMatch(/^blob:/);
        await expect.poll(() => image.evaluate(isLoaded)).toBe(true);
      }
      const iconRequests = alice.requests.filter((request) => /\/icons\/(hl|favicon)/.test(request.url));
      expect(iconRequests.length).toBeGreaterThanOrEqual(2);
      expect(iconRequests.every((request) => request.authorization?.startsWith('Bearer '))).toBe(true);
      expect(alice.responses.filter((response) => /\/icons\//.test(response.url)).map((response) => response.status)).not.toContain(401);
      // Package icons are public: a plain <img>, no token needed.
      await alice.page.locator('[data-item]', { hasText: 'Sonarr' }).locator('.tinted').waitFor();
      expect(alice.errors).toEqual([]);
    } finally {
      await alice.context.close();
      await setup.stop();
    }
  });
});
