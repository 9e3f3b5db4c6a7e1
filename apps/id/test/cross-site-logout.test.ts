import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/sessions/sessions.js';
import { launchBrowser, watchForPageErrors } from './browser/support.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { api, freePort, signedInUser, startTestServer, type TestServer } from './support/server.js';

/** A page on another site (127.0.0.1 is not localhost) that sends its visitor to Hearth ID's sign-out. */
async function startOtherSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const site: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>Another site</title><script>location.href = ${JSON.stringify(target)};</script>`);
  });
  await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => site.close(() => resolve())) };
}

describe('another site cannot sign people out of Hearth ID without asking', () => {
  let server: TestServer;
  let browser: Browser;
  let otherSite: Awaited<ReturnType<typeof startOtherSite>>;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    otherSite = await startOtherSite(`${server.url}/session/end`);
  });
  afterAll(async () => {
    await otherSite?.close();
    await browser?.close();
    await server?.stop();
  });

  it('asks for confirmation when a web-app session exists, and signs out only after "Sign out"', async () => {
    const { cookie } = await signedInUser(server, { username: 'erin' });
    const [name, value] = cookie.split('=') as [string, string];
    const context = await browser.newContext();
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchForPageErrors(page);

    await page.goto(otherSite.url);
    const heading = page.locator('h1');
    await heading.filter({ hasText: /Sign out of Hearth ID\?|You are signed out/ }).waitFor();
    expect(await heading.textContent()).toBe('Sign out of Hearth ID?');
    expect((await api(server, 'GET', '/api/me', { cookie })).status).toBe(200);

    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await page.getByRole('heading', { name: 'You are still signed in' }).waitFor();
    expect((await api(server, 'GET', '/api/me', { cookie })).status).toBe(200);
    expect((await context.cookies(server.url)).map((c) => c.name)).toContain(SESSION_COOKIE);

    await page.goto(otherSite.url);
    await page.getByRole('heading', { name: 'Sign out of Hearth ID?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect((await api(server, 'GET', '/api/me', { cookie })).status).toBe(401);
    expect((await context.cookies(server.url)).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('still signs out at once a browser that has no session at all', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchForPageErrors(page);
    await page.goto(otherSite.url);
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    // The provider's auto-submitting form ran under the page's CSP.
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the Hearth ID session when someone signed in to an app chooses "Stay signed in"', async () => {
    const scenario = await seedScenario(server, { logoutCallbackUrls: ['http://localhost:4000'] });
    const rp = await relyingParty(server, scenario.client.id);
    const person = new TestBrowser(server.url);
    await authorize(rp, person, scenario.authenticator, { redirectUri: 'http://localhost:4000/' });
    expect(person.jar.get(SESSION_COOKIE)).toBeTruthy();

    const confirmation = await person.get('/session/end');
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain('Sign out of Hearth ID?');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.text)?.[1];
    expect(xsrf).toBeTruthy();
    const stay = await fetch(new URL('/session/end/confirm', server.url), {
      method: 'POST',
      headers: { cookie: person.jar.headerFor(new URL('/session/end/confirm', server.url)), 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ xsrf: xsrf! }),
      redirect: 'manual',
    });
    expect(stay.status).toBe(303);
    person.jar.store(stay.headers.getSetCookie(), new URL('/session/end/confirm', server.url));
    expect(person.jar.get(SESSION_COOKIE)).toBeTruthy();
    expect((await person.get('/api/me')).status).toBe(200);
  });
});
