import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OidcClient } from '../../src/clients/clients.js';
import { epochSeconds } from '../../src/db/database.js';
import { createSession, SESSION_COOKIE } from '../../src/sessions/sessions.js';
import { freePort, signedInUser } from '../support/server.js';
import { CALLBACK, expectCallback, redeemCode, startAuthorization } from './oidc.js';
import { addPasskeyThroughAccountPage, openPerson, screenshot, useBrowserAndServer } from './support.js';

/**
 * The sign-in screen mirrors what the server accepts: "Continue as …" is offered only when
 * POST .../continue would succeed (tested on its own in test/reauthentication.test.ts).
 */
describe('the sign-in screen when an app asks for a fresh sign-in', () => {
  const shared = useBrowserAndServer();
  let app: OidcClient;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let person: Awaited<ReturnType<typeof openPerson>>;

  beforeAll(async () => {
    const { db } = shared.server.ctx.database;
    alice = await signedInUser(shared.server, { username: 'alice', firstName: 'Alice', lastName: 'Example' });
    ({ client: app } = await createClient(db, { name: 'Dashy', callbackUrls: [CALLBACK], isPublic: true, trusted: true }));
    person = await openPerson(shared.browser);
    await addPasskeyThroughAccountPage(person, shared.server, alice.cookie);
  });

  /** Signs the browser in to Hearth ID as Alice, `age` seconds ago (a session as a passkey sign-in leaves it). */
  async function signedInSince(age: number) {
    const { db } = shared.server.ctx.database;
    const { token } = await createSession(db, alice.user.id, { lifetimeSeconds: 3600 });
    await db
      .updateTable('sessions')
      .set({ created_at: new Date((epochSeconds() - age) * 1000).toISOString() })
      .where('user_id', '=', alice.user.id)
      .execute();
    await person.context.clearCookies();
    await person.context.addCookies([{ name: SESSION_COOKIE, value: token, url: shared.server.url }]);
  }

  async function openRequest(extra: Record<string, string>) {
    const pending = await startAuthorization(shared.server, app.id);
    for (const [name, value] of Object.entries(extra)) pending.url.searchParams.set(name, value);
    await person.page.goto(pending.url.href);
    await person.page.getByRole('heading', { name: 'Sign in to Dashy' }).waitFor();
    return pending;
  }

  it('offers "Continue as" for an ordinary request', async () => {
    await signedInSince(600);
    await openRequest({ max_age: '3600' });
    await person.page.getByRole('button', { name: 'Continue as Alice Example' }).waitFor();
  });

  it('hides "Continue as" for prompt=login, says why, and signs in with the passkey instead', async () => {
    await signedInSince(5);
    const pending = await openRequest({ prompt: 'login', max_age: '3600' });
    await person.page.getByText('Dashy asks you to sign in again with your passkey.').waitFor();
    expect(await person.page.getByRole('button', { name: /Continue as/ }).count()).toBe(0);
    await screenshot(person.page, 'oidc-sign-in-again');

    const before = epochSeconds();
    const callbackReached = expectCallback(person.page);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const tokens = await redeemCode(pending, await callbackReached);
    expect(tokens.claims()?.auth_time).toBeGreaterThanOrEqual(before);
  });

  /**
   * A new tab in Alice's browser (same cookies, no passkey needed): the tab of a test that
   * ended on the app's callback may still be finishing that navigation, which would
   * interrupt the next one.
   */
  async function freshTab() {
    const previous = person.page;
    person.page = await person.context.newPage();
    person.page.setDefaultTimeout(10_000);
    await previous.close();
  }

  it('hides "Continue as" when the last sign-in is older than max_age', async () => {
    await freshTab();
    await signedInSince(600);
    await openRequest({ max_age: '60' });
    await person.page.getByText('Dashy asks for a sign-in within the last minute').waitFor();
    expect(await person.page.getByRole('button', { name: /Continue as/ }).count()).toBe(0);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
  });

  describe('a form on another site that POSTs to the authorization endpoint', () => {
    let site: Server;
    let siteUrl: string;

    beforeAll(async () => {
      const port = await freePort();
      // 127.0.0.1 and localhost are different sites: the POST is cross-site, as from a real app.
      siteUrl = `http://127.0.0.1:${port}`;
      site = createServer((request, response) => {
        const target = new URL(request.url ?? '/', siteUrl).searchParams.get('to');
        if (!target) {
          response.statusCode = 404;
          response.end();
          return;
        }
        const action = new URL(target);
        const inputs = [...action.searchParams].map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`);
        response.setHeader('content-type', 'text/html');
        response.end(`<!doctype html><form method="post" action="${action.origin}${action.pathname}">${inputs.join('')}<button>Sign in with Hearth ID</button></form>`);
      });
      await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));
    });
    afterAll(async () => new Promise<void>((resolve) => site?.close(() => resolve())));

    it('reaches the same sign-in screen, where the Hearth ID session decides', async () => {
      await freshTab();
      await signedInSince(5);
      const pending = await startAuthorization(shared.server, app.id);
      await person.page.goto(`${siteUrl}/?to=${encodeURIComponent(pending.url.href)}`);
      await person.page.getByRole('button', { name: 'Sign in with Hearth ID' }).click();
      await person.page.getByRole('heading', { name: 'Sign in to Dashy' }).waitFor();
      const callbackReached = expectCallback(person.page);
      await person.page.getByRole('button', { name: 'Continue as Alice Example' }).click();
      const tokens = await redeemCode(pending, await callbackReached);
      expect(tokens.claims()?.sub).toBe(alice.user.id);
    });
  });
});
