import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { WEB_APP_DIR } from '../../src/web-app/routes.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Screenshots go to docs/screenshots (committed, shown in the docs) when UPDATE_SCREENSHOTS=1,
 * else to test-results/screenshots, so that an ordinary test run leaves the tree clean:
 * ports, IDs and dates differ on every run.
 */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === '1' ? '../../../../docs/screenshots/' : '../../../../test-results/screenshots/', import.meta.url),
);

/** The browser tests drive the built app; say how to build it rather than failing on a blank page. */
export function requireWebAppBuild(): void {
  if (!existsSync(join(WEB_APP_DIR, 'index.html'))) {
    throw new Error(`The Hearth ID web app is not built (${join(WEB_APP_DIR, 'index.html')} is missing). Run: npm run build --workspace apps/id`);
  }
}

/** The Vite manifest: which files each entry and screen loads. */
export function webAppManifest(): Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; css?: string[]; isEntry?: boolean }> {
  return JSON.parse(readFileSync(join(WEB_APP_DIR, '.vite', 'manifest.json'), 'utf8'));
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

/** A browser and a fresh Hearth ID (SQLite) for the tests of one file; both go away afterwards. */
export function useBrowserAndServer(env: Record<string, string> = {}): { browser: Browser; server: TestServer } {
  const shared = {} as { browser: Browser; server: TestServer };
  beforeAll(async () => {
    shared.browser = await launchBrowser();
    shared.server = await startTestServer({ env });
  });
  afterAll(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
  });
  return shared;
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  credentialCount(): Promise<number>;
  setUserVerified(verified: boolean): Promise<void>;
  /** Whether the authenticator answers requests by itself, as if someone touched it. */
  setPresence(present: boolean): Promise<void>;
}

/** A platform passkey authenticator (like Touch ID or Windows Hello) on this page, through Chrome's DevTools protocol. */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id: authenticatorId,
    async credentialCount() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials.length;
    },
    async setUserVerified(verified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    async setPresence(present) {
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: present });
    },
  };
}

/**
 * Opens the sign-in page with its passkey autofill request parked, so that the test signs
 * in with the button. Chrome's virtual authenticator answers every pending request at
 * once, autofill included; one made while presence is off stays unanswered.
 */
export async function openSignInWithAutofillParked(page: Page, authenticator: VirtualAuthenticator, open: () => Promise<unknown>): Promise<void> {
  await authenticator.setPresence(false);
  // Marks the page once it has asked the browser for a passkey by autofill; the call itself is unchanged.
  const watch = `(() => {
    window.__autofillRequested = false;
    if (!window.isSecureContext || !navigator.credentials || navigator.credentials.__watched) return;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options) => {
      if (options && options.mediation === 'conditional') window.__autofillRequested = true;
      return get(options);
    };
    navigator.credentials.__watched = true;
  })()`;
  await page.addInitScript(watch);
  // The same page may already show a screen that does not reload on the way to sign-in.
  await page.evaluate(watch);
  await open();
  // A string, not a function: the page's CSP forbids the eval waitForFunction would need.
  // A loop, not expect.poll: suites call this from beforeAll, where expect.poll cannot run.
  const deadline = Date.now() + 10_000;
  while (!(await page.evaluate('window.__autofillRequested === true'))) {
    if (Date.now() > deadline) throw new Error('the sign-in page did not ask for a passkey (conditional mediation) within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The page has made the call; it reaches the authenticator in the browser process a moment
  // later, and nothing tells when. Turned on before that, presence would answer the autofill
  // request and sign the person in before the test clicks.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await authenticator.setPresence(true);
}

/** A fresh browser profile (own cookies) with a page and its own passkey authenticator. */
export async function openPerson(browser: Browser, options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<{
  context: BrowserContext;
  page: Page;
  authenticator: VirtualAuthenticator;
}> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const authenticator = await addVirtualAuthenticator(page);
  return { context, page, authenticator };
}

/** Saves a PNG of the whole page (see SCREENSHOT_DIR). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Collects console errors and CSP violations, which should never happen. */
export function watchForPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) errors.push(message.text());
  });
  return errors;
}

export interface PersonDetails {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** The seed's first administrator. */
export const SEED_ADMIN: PersonDetails = { username: 'pocketid-admin', email: 'admin@example.com', firstName: 'Pocket ID', lastName: 'Admin' };

/** Fills a form's Username, Email, First name and Last name fields. */
export async function fillPerson(page: Page, person: PersonDetails): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('First name', { exact: true }).fill(person.firstName);
  await page.getByLabel('Last name', { exact: true }).fill(person.lastName);
}

/** The setup wizard, from its first screen to a registered passkey. */
export async function completeSetupWizard(page: Page, admin: PersonDetails = SEED_ADMIN): Promise<void> {
  await fillPerson(page, admin);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('heading', { name: 'Register your passkey' }).waitFor();
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await page.getByText('Your passkey is registered').waitFor();
}

/**
 * Signs this browser in as the user behind `cookie` (a session made in the database), adds
 * a passkey on the account page, then signs out again: a person who has a passkey here.
 */
export async function addPasskeyThroughAccountPage(
  person: { context: BrowserContext; page: Page; authenticator: VirtualAuthenticator },
  server: TestServer,
  cookie: string,
): Promise<void> {
  const [name, value] = cookie.split('=') as [string, string];
  await person.context.addCookies([{ name, value, url: server.url }]);
  await person.page.goto(`${server.url}/settings/account`);
  await person.page.getByRole('button', { name: 'Add a passkey' }).first().click();
  await person.page.getByText('added.').waitFor();
  await openSignInWithAutofillParked(person.page, person.authenticator, () => person.page.getByRole('button', { name: 'Sign out' }).click());
  await person.page.waitForURL(`${server.url}/login`);
}
