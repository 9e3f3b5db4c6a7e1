import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { LOGO_MAX_BYTES } from '../src/clients/logos.js';
import { createGroup, setUserGroups } from '../src/groups/groups.js';
import { TestBrowser } from './support/browser.js';
import { registerPasskey, seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';
/** The smallest PNG there is: one transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const SVG_WITH_SCRIPT = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script><rect width="1" height="1"/></svg>';

/** PUT of a file's bytes, as the client screen sends it. */
async function putLogo(server: TestServer, cookie: string, clientId: string, body: Uint8Array | string, type = 'application/octet-stream') {
  const response = await fetch(new URL(`/api/admin/clients/${clientId}/logo`, server.url), {
    method: 'PUT',
    headers: { cookie, origin: server.url, 'content-type': type },
    body,
  });
  return { status: response.status, body: (await response.json()) as { client?: { logoUrl: string | null }; message?: string; field?: string } };
}

describe.each(DB_PROVIDERS)('My apps on %s', (provider) => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof seedScenario>>;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    admin = await seedScenario(server);
  });
  afterAll(async () => server?.stop());

  const db = () => server.ctx.database.db;

  it('stores a launch URL only when it is an absolute http(s) URL, and says why otherwise', async () => {
    const base = { name: 'Launchable', callbackUrls: [CALLBACK], isPublic: true };
    for (const bad of ['javascript:alert(1)', 'ftp://files.example.com/', 'app.example.com', 'https://user:pw@app.example.com/']) {
      const refused = await api(server, 'POST', '/api/admin/clients', { cookie: admin.cookie, body: { ...base, launchUrl: bad } });
      expect(refused.status, bad).toBe(400);
      expect(refused.body.field).toBe('launchUrl');
      expect(refused.body.message).toMatch(/^Launch URL /);
    }
    const created = await api(server, 'POST', '/api/admin/clients', { cookie: admin.cookie, body: { ...base, launchUrl: ' https://app.example.com/ ' } });
    expect(created.status).toBe(201);
    expect(created.body.client.launchUrl).toBe('https://app.example.com/');
    const cleared = await api(server, 'PATCH', `/api/admin/clients/${created.body.client.id}`, { cookie: admin.cookie, body: { launchUrl: '' } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.client.launchUrl).toBeNull();
  });

  it('takes a logo by its bytes, refuses other files and oversized ones in words, and serves it cacheably and safely', async () => {
    const { client } = await createClient(db(), { name: 'Pictured', callbackUrls: [CALLBACK], isPublic: true });

    const text = await putLogo(server, admin.cookie, client.id, 'just some text', 'image/png');
    expect(text.status).toBe(400);
    expect(text.body.message).toBe('The logo must be a PNG, JPEG, WebP or SVG image; this file is none of them');
    const huge = await putLogo(server, admin.cookie, client.id, Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES)]), 'image/png');
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/too large; a logo may be at most 512 KB/);
    const nobody = await signedInUser(server);
    expect((await putLogo(server, nobody.cookie, client.id, PNG)).status).toBe(403);

    // Named an SVG by the browser, a PNG by its bytes: served as what it is.
    const stored = await putLogo(server, admin.cookie, client.id, PNG, 'image/svg+xml');
    expect(stored.status).toBe(200);
    const logoUrl = stored.body.client!.logoUrl!;
    expect(logoUrl).toMatch(new RegExp(`^/client-logos/${client.id}/[0-9a-f]{64}$`));
    const served = await fetch(new URL(logoUrl, server.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = served.headers.get('etag');
    expect(etag).toBe(`"${logoUrl.split('/').pop()}"`);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    const again = await fetch(new URL(logoUrl, server.url), { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);

    // An SVG may carry a script: it is served with a policy that runs none.
    const svg = await putLogo(server, admin.cookie, client.id, SVG_WITH_SCRIPT, 'application/octet-stream');
    expect(svg.status).toBe(200);
    const svgResponse = await fetch(new URL(svg.body.client!.logoUrl!, server.url));
    expect(svgResponse.headers.get('content-type')).toBe('image/svg+xml');
    const csp = svgResponse.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toMatch(/script-src/);
    // The old address no longer answers: a cached copy of it is never wrong.
    expect((await fetch(new URL(logoUrl, server.url))).status).toBe(404);

    const removed = await api(server, 'DELETE', `/api/admin/clients/${client.id}/logo`, { cookie: admin.cookie });
    expect(removed.status).toBe(200);
    expect(removed.body.client.logoUrl).toBeNull();
    expect((await fetch(new URL(svg.body.client!.logoUrl!, server.url))).status).toBe(404);
  });

  it('lists the apps a person may use by the provider\'s rule: open apps, and those of their groups', async () => {
    const family = await createGroup(db(), { name: 'Family', friendlyName: 'family' });
    const guests = await createGroup(db(), { name: 'Guests', friendlyName: 'guests' });
    const open = (await createClient(db(), { name: 'Open app', callbackUrls: [CALLBACK], isPublic: true, launchUrl: 'https://open.example.com/' })).client;
    const familyOnly = (await createClient(db(), { name: 'Family photos', callbackUrls: [CALLBACK], isPublic: true, allowedGroupIds: [family.id] })).client;
    const guestsOnly = (await createClient(db(), { name: 'Guest wifi', callbackUrls: [CALLBACK], isPublic: true, allowedGroupIds: [guests.id] })).client;
    const { user, cookie } = await signedInUser(server, { username: 'nora' });
    await setUserGroups(db(), user.id, [family.id]);

    const mine = await api(server, 'GET', '/api/me/apps', { cookie });
    expect(mine.status).toBe(200);
    const ids = mine.body.apps.map((app: { id: string }) => app.id);
    expect(ids).toContain(open.id);
    expect(ids).toContain(familyOnly.id);
    expect(ids).not.toContain(guestsOnly.id);
    expect(mine.body.apps.find((app: { id: string }) => app.id === open.id)).toEqual({ id: open.id, name: 'Open app', launchUrl: 'https://open.example.com/', logoUrl: null });
    expect(mine.body.apps.find((app: { id: string }) => app.id === familyOnly.id).launchUrl).toBeNull();
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect((await api(server, 'GET', '/api/me/apps')).status).toBe(401);
  });

  it('lists the apps a person granted, and "Revoke" ends the grant: the refresh token stops working', async () => {
    const { client } = await createClient(db(), { name: 'Notes', callbackUrls: [CALLBACK], isPublic: true });
    const rp = await relyingParty(server, client.id);
    const { user, cookie } = await signedInUser(server, { username: 'olga' });
    const authenticator = await registerPasskey(server, cookie);
    const result = await authorize(rp, new TestBrowser(server.url), authenticator, { redirectUri: CALLBACK, scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);

    const before = await api(server, 'GET', '/api/me/apps', { cookie });
    const granted = before.body.granted.find((app: { id: string }) => app.id === client.id);
    expect(granted).toMatchObject({ name: 'Notes', scopes: expect.arrayContaining(['openid', 'offline_access']) });
    expect(typeof granted.grantedAt).toBe('string');
    // Nobody else sees or revokes it.
    const other = await signedInUser(server);
    expect((await api(server, 'GET', '/api/me/apps', { cookie: other.cookie })).body.granted).toEqual([]);
    expect((await api(server, 'DELETE', `/api/me/grants/${client.id}`, { cookie: other.cookie })).status).toBe(404);
    await oidc.refreshTokenGrant(rp, refreshed.refresh_token!).then((next) => Object.assign(refreshed, next));

    expect((await api(server, 'DELETE', `/api/me/grants/${client.id}`, { cookie })).status).toBe(204);
    await expect(oidc.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const userinfo = await fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect((await api(server, 'GET', '/api/me/apps', { cookie })).body.granted).toEqual([]);
    const audit = await db().selectFrom('audit_log').select('event').where('user_id', '=', user.id).where('event', '=', 'grant_revoked').execute();
    expect(audit).toHaveLength(1);
  });

  it('links the signed-out page back to the app that asked, with only the address its administrator registered', async () => {
    const { client } = await createClient(db(), {
      name: 'Wiki',
      callbackUrls: [CALLBACK],
      logoutCallbackUrls: ['https://wiki.example.com/logged-out'],
      isPublic: true,
    });
    const browser = new TestBrowser(server.url);
    const { cookie } = await signedInUser(server, { username: 'pia' });
    browser.jar.store([`${cookie}; Path=/`], new URL(server.url));

    const confirmation = await browser.get(`/session/end?client_id=${client.id}`);
    expect(confirmation.text).toContain('Sign out of Hearth ID?');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.text)![1]!;
    const confirmed = await fetch(new URL('/session/end/confirm', server.url), {
      method: 'POST',
      headers: { cookie: browser.jar.headerFor(new URL('/session/end/confirm', server.url)), 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
      redirect: 'manual',
    });
    expect(confirmed.status).toBe(303);
    const signedOut = await browser.get(confirmed.headers.get('location')!);
    expect(signedOut.text).toContain('You are signed out');
    // No launch URL: the origin of its logout callback URL.
    expect(signedOut.text).toContain('<a class="button secondary" href="https://wiki.example.com/">Back to Wiki</a>');

    // A launch URL wins; nothing in the query is ever used as the link.
    await api(server, 'PATCH', `/api/admin/clients/${client.id}`, { cookie: admin.cookie, body: { launchUrl: 'https://wiki.example.com/home' } });
    const direct = await browser.get(`/session/end/success?client_id=${client.id}&post_logout_redirect_uri=https://evil.example/`);
    expect(direct.text).toContain('href="https://wiki.example.com/home">Back to Wiki</a>');
    expect(direct.text).not.toContain('evil.example');
    const nobody = await browser.get('/session/end/success');
    expect(nobody.text).not.toContain('Back to');
  });
});
