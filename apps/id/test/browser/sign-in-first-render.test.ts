import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OidcClient } from '../../src/clients/clients.js';
import { startAuthorization } from './oidc.js';
import { openPerson, useBrowserAndServer, watchForPageErrors } from './support.js';

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
});
