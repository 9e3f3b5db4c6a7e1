import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { createOneTimeAccessToken } from '../src/one-time-access/one-time-access.js';
import { startLoggedServer, type LoggedServer } from './support/logged-server.js';
import { api, signedInUser } from './support/server.js';

/** Log-line URLs of every request the server logged. */
function loggedUrls(server: LoggedServer): string[] {
  return server
    .logLines()
    .map((line) => (line.req as { url?: string } | undefined)?.url)
    .filter((url): url is string => typeof url === 'string');
}

describe('secrets never reach the server log', () => {
  let server: LoggedServer;
  beforeAll(async () => {
    server = await startLoggedServer();
  });
  afterAll(async () => server?.stop());

  it('redacts login-link tokens in /lc/<token> and /api/one-time-access-token/<token>', async () => {
    const { user } = await signedInUser(server);
    const { db } = server.ctx.database;
    const viaPage = (await createOneTimeAccessToken(db, user.id)).token;
    const viaApi = (await createOneTimeAccessToken(db, user.id)).token;

    expect((await api(server, 'GET', `/lc/${viaPage}`)).status).toBe(200);
    expect((await api(server, 'GET', `/lc/${viaPage}?utm=1`)).status).toBe(200);
    expect((await api(server, 'POST', `/api/one-time-access-token/${viaApi}`, { body: {} })).status).toBe(200);
    // A used link's token is no less secret in the log: it proves what the link was.
    expect((await api(server, 'POST', `/api/one-time-access-token/${viaApi}`, { body: {} })).status).toBe(400);

    const log = server.logText();
    expect(log).not.toContain(viaPage);
    expect(log).not.toContain(viaApi);
    const urls = loggedUrls(server);
    expect(urls).toContain('/lc/[redacted]');
    expect(urls).toContain('/lc/[redacted]?utm=1');
    expect(urls).toContain('/api/one-time-access-token/[redacted]');
  });

  it('redacts codes, tokens and secrets in query strings, also on the provider paths', async () => {
    const { client, secret } = await createClient(server.ctx.database.db, { name: 'Confidential', callbackUrls: ['http://localhost:4000/'], isPublic: false });
    const secrets = {
      code: 'secret-code-0123456789',
      refresh_token: 'secret-refresh-0123456789',
      client_secret: secret!,
      token: 'secret-token-0123456789',
      access_token: 'secret-access-0123456789',
      id_token_hint: 'secret-id-token-0123456789',
      code_verifier: 'secret-verifier-0123456789',
    };
    const query = new URLSearchParams({ client_id: client.id, ...secrets }).toString();
    await fetch(new URL(`/token?${query}`, server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=refresh_token&refresh_token=${secrets.refresh_token}` });
    await fetch(new URL(`/session/end?${query}`, server.url), { redirect: 'manual' });
    await fetch(new URL(`/authorize?${query}`, server.url), { redirect: 'manual' });
    await fetch(new URL(`/callback-that-does-not-exist?${query}`, server.url), { redirect: 'manual' });
    await fetch(new URL(`/userinfo?${query}`, server.url), { headers: { authorization: `Bearer ${secrets.access_token}` } });

    const log = server.logText();
    for (const [name, value] of Object.entries(secrets)) expect(log, name).not.toContain(value);
    const tokenUrl = loggedUrls(server).find((url) => url.startsWith('/token?'));
    expect(tokenUrl).toBeDefined();
    const logged = new URL(tokenUrl!, server.url).searchParams;
    expect(logged.get('client_id')).toBe(client.id);
    for (const name of Object.keys(secrets)) expect(logged.get(name), name).toBe('[redacted]');
  });
});
