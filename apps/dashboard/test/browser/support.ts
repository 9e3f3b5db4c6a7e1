// Shared pieces of the dashboard's browser tests: Chromium through playwright-core, a real
// dashboard with a real OIDC provider wired to it, stand-in services for items to open, and
// the page errors and screenshots every test looks at.
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard, TestDashboardOptions } from '../support/dashboard.js';
import { startTestProvider } from '../support/oidc-provider.js';
import type { TestProvider, TestProviderOptions } from '../support/oidc-provider.js';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Screenshots go to docs/screenshots (committed, shown in the README) when UPDATE_SCREENSHOTS=1,
 * else to test-results/screenshots, so that an ordinary run leaves the tree clean.
 */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === '1' ? '../../../../docs/screenshots/' : '../../../../test-results/screenshots/', import.meta.url),
);

/** The tests drive the built app; say how to build it rather than failing on a blank page. */
export function requireWebAppBuild(): void {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    throw new Error(`The dashboard web app is not built (${join(WEB_ROOT, 'index.html')} is missing). Run: npm run build --workspace apps/dashboard`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  requireWebAppBuild();
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium was not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A port nobody listens on right now, for a dashboard whose address the provider must know first. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Page errors, and console errors of the dashboard's own pages: none are allowed. */
  errors: string[];
  /** Every response the dashboard's origin sent this browser, with its body. */
  responses: Array<{ url: string; status: number; body: string }>;
  /** Every request this browser made: method, URL and Authorization header. */
  requests: Array<{ method: string; url: string; authorization: string | undefined }>;
}

export interface PersonOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  permissions?: string[];
}

/** A fresh browser profile watching what happens on the dashboard at `origin`. */
export async function openPerson(browser: Browser, origin: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    ...(options.viewport && options.viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  if (options.permissions) await context.grantPermissions(options.permissions, { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const person: Person = { context, page, errors: [], responses: [], requests: [] };
  page.on('pageerror', (error) => person.errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url || page.url();
    if (where.startsWith(origin) || /Content.Security.Policy|Refused to/i.test(message.text())) {
      person.errors.push(`console error at ${where}: ${message.text()}`);
    }
  });
  context.on('request', (request) => {
    person.requests.push({ method: request.method(), url: request.url(), authorization: request.headers().authorization });
  });
  context.on('response', (response: Response) => {
    if (!response.url().startsWith(origin)) return;
    const entry = { url: response.url(), status: response.status(), body: '' };
    person.responses.push(entry);
    // Redirects and some aborted loads have no body.
    response.text().then(
      (text) => {
        entry.body = text;
      },
      () => undefined,
    );
  });
  return person;
}

/** Saves a PNG of the whole page, or of what the screen shows (see SCREENSHOT_DIR). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled' });
  return path;
}

export interface SignInSetup {
  provider: TestProvider;
  dashboard: TestDashboard;
  /** The dashboard's origin, also the redirect URI registered at the provider. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * A dashboard signing in through a test provider, as the seed wires Pocket ID: the provider's
 * client lists the dashboard's origin (Dashy's redirect URI) exactly. `config` receives the
 * provider to write its auth block.
 */
export async function startSignInSetup(
  providerOptions: Omit<TestProviderOptions, 'redirectUri'>,
  config: (provider: TestProvider) => string,
  dashboardOptions: Omit<TestDashboardOptions, 'config' | 'port'> = {},
): Promise<SignInSetup> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const provider = await startTestProvider({ ...providerOptions, redirectUri: origin });
  const dashboard = await startTestDashboard({ ...dashboardOptions, config: config(provider), port });
  return {
    provider,
    dashboard,
    origin,
    stop: async () => {
      await dashboard.stop();
      await provider.close();
    },
  };
}

export interface StandInServices {
  /** `http://127.0.0.1:<port>`; any path answers a small page titled after the path. */
  url: string;
  /** The paths requested so far. */
  hits: string[];
  close(): Promise<void>;
}

const FAVICON = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGUlEQVR42mOwbvr2nxLMMGrAqAGjBgwXAwCGGLIfg2DiTgAAAABJRU5ErkJggg==',
  'base64',
);

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="12" fill="#e8590c"/>' +
  '<path d="M24 11 10 23h4v13h8v-8h4v8h8V23h4z" fill="#fff"/></svg>';

/** Services that items point at, so that opening them works without the internet. */
export async function startStandInServices(): Promise<StandInServices> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.push(path);
    if (path === '/favicon.ico' || path.endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png' }).end(FAVICON);
      return;
    }
    if (path.endsWith('.svg')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO);
      return;
    }
    const name = path.replace(/[^a-z0-9/-]/gi, '') || '/';
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Service ${name}</title><link rel="icon" href="/favicon.ico"></head><body><h1>Service ${name}</h1></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The values Dashy's scripts read after a sign-in. */
export async function storedIdentity(page: Page): Promise<Record<string, string | null>> {
  return page.evaluate(() => ({
    ID_TOKEN: localStorage.getItem('ID_TOKEN'),
    keycloakInfo: localStorage.getItem('keycloakInfo'),
    username: localStorage.getItem('username'),
    isAdmin: localStorage.getItem('isAdmin'),
  }));
}
