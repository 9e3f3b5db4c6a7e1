// What the browser journeys across Hearth ID and the dashboard share: people with their own
// browser profile and passkey, the sign-in through Hearth ID as the dashboard starts it, and a
// record of every response a page received.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { createSession, SESSION_COOKIE } from '../../apps/id/src/sessions/sessions.js';
import type { User } from '../../apps/id/src/users/users.js';
import { addPasskeyThroughAccountPage, openPerson, type VirtualAuthenticator } from '../../apps/id/test/browser/support.js';
import type { TestServer } from '../../apps/id/test/support/server.js';

export const DASHBOARD_WEB_APP = fileURLToPath(new URL('../../apps/dashboard/dist/web/index.html', import.meta.url));

/** The journeys drive the built dashboard app; say how to build it rather than failing on a placeholder page. */
export function requireDashboardWebApp(): void {
  if (!existsSync(DASHBOARD_WEB_APP)) {
    throw new Error(`The dashboard web app is not built (${DASHBOARD_WEB_APP} is missing). Run: npm run build --workspace apps/dashboard`);
  }
}

export interface Person {
  context: BrowserContext;
  page: Page;
  authenticator: VirtualAuthenticator;
  user: User;
}

/**
 * A person with a browser profile of their own and a passkey for `user` in it, registered
 * through Hearth ID's account page; they end signed out of Hearth ID, as someone who only
 * has their passkey.
 */
export async function personWithPasskey(browser: Browser, server: TestServer, user: User): Promise<Person> {
  const person = await openPerson(browser);
  // A journey crosses two servers and several redirects; leave room on a busy machine.
  person.page.setDefaultTimeout(20_000);
  const { token } = await createSession(server.ctx.database.db, user.id, { lifetimeSeconds: 600 });
  await addPasskeyThroughAccountPage(person, server, `${SESSION_COOKIE}=${token}`);
  return { ...person, user };
}

const onOrigin = (origin: string) => (url: URL) => url.origin === origin;

/**
 * Follows the dashboard's redirect to Hearth ID and signs in there: with the passkey, or as
 * the person already signed in to Hearth ID; allows the dashboard when Hearth ID asks. Ends
 * back on the dashboard with the code exchanged (no `code` left in the address).
 */
export async function signInThroughHearthId(page: Page, idUrl: string, dashboardUrl: string): Promise<void> {
  await page.waitForURL(onOrigin(idUrl)).catch(async () => {
    throw new Error(`the dashboard did not send the browser to Hearth ID; it stayed at ${page.url()} showing: ${await pageText(page)}`);
  });
  const passkey = page.getByRole('button', { name: 'Sign in with a passkey' });
  const continueAs = page.getByRole('button', { name: /^Continue as / });
  await passkey.or(continueAs).first().waitFor();
  if (await continueAs.isVisible()) await continueAs.click();
  else await passkey.click();

  // Hearth ID asks for consent the first time a person uses an app that is not trusted.
  const allow = page.getByRole('button', { name: 'Allow', exact: true });
  const asked = await Promise.race([
    page.waitForURL(onOrigin(new URL(dashboardUrl).origin), { waitUntil: 'commit' }).then(() => false, () => false),
    allow.waitFor().then(() => true, () => false),
  ]);
  if (asked) await allow.click();
  await page.waitForURL((url) => url.origin === new URL(dashboardUrl).origin && !url.searchParams.has('code')).catch(async () => {
    throw new Error(`the browser did not land on the dashboard signed in; it is at ${page.url()} showing: ${await pageText(page)}`);
  });
}

/** The start of what a page shows, for failure messages. */
async function pageText(page: Page): Promise<string> {
  const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(nothing)');
  return JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 300));
}

/** The ID token the dashboard keeps under Dashy's key name (localStorage `ID_TOKEN`), or null. */
export async function storedIdToken(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('ID_TOKEN'));
}

export interface RecordedResponse {
  url: string;
  status: number;
  body: string;
}

/**
 * Records every response the page receives from now on, bodies included (redirects have
 * none). `all()` waits for the bodies still being read.
 */
export function recordResponses(page: Page): { all(): Promise<RecordedResponse[]> } {
  const pending: Array<Promise<RecordedResponse>> = [];
  const read = async (response: Response): Promise<RecordedResponse> => {
    let body = '';
    try {
      body = (await response.body()).toString('utf8');
    } catch {
      // a redirect, or a body the browser already discarded
    }
    return { url: response.url(), status: response.status(), body };
  };
  page.on('response', (response) => pending.push(read(response)));
  return { all: () => Promise.all(pending) };
}

/** Texts of the section headings and item links on the dashboard, as a person sees them. */
export async function visibleDashboard(page: Page, names: { sections: string[]; items: string[] }): Promise<{ sections: string[]; items: string[] }> {
  const sections: string[] = [];
  for (const name of names.sections) {
    if (await page.getByRole('heading', { name, exact: true }).isVisible()) sections.push(name);
  }
  const items: string[] = [];
  for (const title of names.items) {
    if (await page.getByText(title, { exact: true }).first().isVisible()) items.push(title);
  }
  return { sections, items };
}
