import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OidcClient } from '../../src/clients/clients.js';
import { signedInUser } from '../support/server.js';
import { CALLBACK, expectCallback, redeemCode, startAuthorization } from './oidc.js';
import { addPasskeyThroughAccountPage, openPerson, useBrowserAndServer, watchForPageErrors, webAppManifest } from './support.js';

/**
 * Notes, before any page script runs, every piece of text the app draws into #app, including
 * what is drawn and replaced within one turn (a mutation record keeps the nodes it added).
 */
const RECORD_DRAWN_TEXT = `
  window.__drawn = [];
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        const text = node.textContent?.trim();
        if (text && (node.parentElement?.closest('#app') || node.id === 'app')) window.__drawn.push(text);
      }
    }
  }).observe(document, { childList: true, subtree: true });
`;

describe('the sign-in screen of an authorization', () => {
  const shared = useBrowserAndServer();
  let app: OidcClient;

  beforeAll(async () => {
    ({ client: app } = await createClient(shared.server.ctx.database.db, { name: 'Dashy', callbackUrls: ['http://localhost:4000/'], isPublic: true, pkceEnabled: true, trusted: true }));
  });

  it('is drawn in the first render, from what the page carries, with no "Loading…" and no request for its details', async () => {
    const person = await openPerson(shared.browser);
    const errors = watchForPageErrors(person.page);
    await person.context.addInitScript({ content: RECORD_DRAWN_TEXT });
    const requested: string[] = [];
    person.page.on('request', (request) => requested.push(new URL(request.url()).pathname));

    const pending = await startAuthorization(shared.server, app.id);
    await person.page.goto(pending.url.href);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();

    const drawn = (await person.page.evaluate('window.__drawn')) as string[];
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.filter((text) => text.includes('Loading'))).toEqual([]);
    expect(drawn[0]).toContain('Sign in to Dashy');
    expect(requested.filter((path) => path.endsWith('/details'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("loads only its own script, and signs in with the passkey options the page carried, asking for none", async () => {
    const person = await openPerson(shared.browser);
    const errors = watchForPageErrors(person.page);
    const alice = await signedInUser(shared.server, { username: 'alice', firstName: 'Alice', lastName: 'Example' });
    await addPasskeyThroughAccountPage(person, shared.server, alice.cookie);
    await person.context.clearCookies();
    const requested: string[] = [];
    person.page.on('request', (request) => requested.push(new URL(request.url()).pathname));

    const pending = await startAuthorization(shared.server, app.id);
    await person.page.goto(pending.url.href);
    const callbackReached = expectCallback(person.page);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const callback = await callbackReached;
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect((await redeemCode(pending, callback)).claims()).toMatchObject({ preferred_username: 'alice' });

    const scripts = requested.filter((path) => path.endsWith('.js'));
    expect(scripts).toEqual([expect.stringMatching(/^\/assets\/sign-in-[\w-]+\.js$/)]);
    expect(requested).not.toContain(`/${webAppManifest()['index.html']!.file}`);
    expect(requested.filter((path) => path.endsWith('/passkey-options'))).toEqual([]);
    expect(requested.filter((path) => path.endsWith('/passkey'))).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
