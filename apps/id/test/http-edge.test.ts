import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { startLoggedServer, type LoggedServer } from './support/logged-server.js';
import { DB_PROVIDERS, api, signedInUser } from './support/server.js';

/** The security headers every response of Hearth ID carries, the provider's included. */
function expectEdgeHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/**
 * Failed token requests are counted per clock minute; a burst that straddles a minute would
 * be counted in two. Waits for the next minute when less than 15 seconds of this one remain.
 */
async function startEarlyInAMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe.each(DB_PROVIDERS)('the OIDC endpoints pass the same HTTP edge as every other path, on %s', (provider) => {
  let server: LoggedServer;
  let publicClientId: string;

  beforeAll(async () => {
    server = await startLoggedServer({ provider });
    const { db } = server.ctx.database;
    const callbackUrls = ['http://localhost:4000/'];
    publicClientId = (await createClient(db, { name: 'Public', callbackUrls, isPublic: true, pkceEnabled: true })).client.id;
  });
  afterAll(async () => server?.stop());

  async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
      redirect: 'manual',
    });
  }

  it('sends CSP, frame protection and nosniff on /session/end, keeping its auto-submit script allowed', async () => {
    const response = await fetch(new URL('/session/end', server.url), { redirect: 'manual' });
    expect(response.status).toBe(200);
    expectEdgeHeaders(response.headers);
    // The provider adds the hash of its own inline script to script-src.
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[^']+'/);
    expect(response.headers.get('cache-control')).toContain('no-store');
  });

  it("sends the same headers on the provider's error pages", async () => {
    const url = new URL('/authorize', server.url);
    url.search = form({ client_id: 'no-such-client', response_type: 'code', scope: 'openid', redirect_uri: 'http://localhost:4000/' });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This sign-in request cannot continue');
    expectEdgeHeaders(response.headers);
  });

  it('sends nosniff and frame protection on JSON endpoints (discovery, token errors)', async () => {
    const discovery = await fetch(new URL('/.well-known/openid-configuration', server.url));
    expect(discovery.status).toBe(200);
    expectEdgeHeaders(discovery.headers);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(server.url);
  });

  it("lets browser apps call the token endpoint cross-origin (the provider's CORS rules, not our CSRF check)", async () => {
    const response = await post('/token', form({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'http://localhost:4000/', code_verifier: 'x'.repeat(43), client_id: publicClientId }), {
      origin: 'http://localhost:4000',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:4000');
  });

  it('writes an access-log line for /token', async () => {
    const response = await post('/token', form({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token', client_id: publicClientId }));
    expect(response.status).toBe(400);
    const reqIds = server
      .logLines()
      .filter((line) => line.msg === 'incoming request' && (line.req as { url?: string } | undefined)?.url === '/token')
      .map((line) => line.reqId);
    expect(reqIds.length).toBeGreaterThan(0);
    const completed = server.logLines().filter((line) => line.msg === 'request completed' && reqIds.includes(line.reqId));
    expect(completed.map((line) => (line.res as { statusCode: number }).statusCode)).toContain(400);
  });

  it('answers /api/me and the admin API with Cache-Control: no-store', async () => {
    const { cookie } = await signedInUser(server, { isAdmin: true });
    for (const path of ['/api/me', '/api/admin/users', '/api/admin/clients', '/api/admin/groups']) {
      const response = await api(server, 'GET', path, { cookie });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
    const signedOut = await api(server, 'GET', '/api/me');
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.get('cache-control')).toBe('no-store');
  });

  it('throttles failed token, introspection and revocation requests from one address, and only failed ones', async () => {
    // A server of its own: the tests above already failed a few token requests from this address.
    const fresh = await startLoggedServer({ provider });
    try {
      const created = await createClient(fresh.ctx.database.db, { name: 'Confidential', callbackUrls: ['http://localhost:4000/'], isPublic: false });
      await startEarlyInAMinute();
      await expectFailuresThrottled(fresh, { id: created.client.id, secret: created.secret! });
    } finally {
      await fresh.stop();
    }
  }, 60_000);

  it('counts requests still running too: of 80 simultaneous failed token requests, exactly SIGN_IN_RATE_LIMIT are answered', async () => {
    const fresh = await startLoggedServer({ provider });
    try {
      const created = await createClient(fresh.ctx.database.db, { name: 'Confidential', callbackUrls: ['http://localhost:4000/'], isPublic: false });
      await startEarlyInAMinute();
      const wrongBasic = `Basic ${Buffer.from(`${encodeURIComponent(created.client.id)}:wrong-secret`).toString('base64')}`;
      const statuses = await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const response = await fetch(new URL('/token', fresh.url), {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: wrongBasic },
            body: form({ grant_type: 'authorization_code', code: `guess-${i}`, redirect_uri: 'http://localhost:4000/' }),
          });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status === 401)).toHaveLength(fresh.config.signInRateLimit);
      expect(statuses.filter((status) => status === 429)).toHaveLength(80 - fresh.config.signInRateLimit);
    } finally {
      await fresh.stop();
    }
  }, 60_000);
});

async function expectFailuresThrottled(server: LoggedServer, confidential: { id: string; secret: string }): Promise<void> {
  async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  }
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(confidential.id)}:${encodeURIComponent(confidential.secret)}`).toString('base64')}`;
  const wrongBasic = `Basic ${Buffer.from(`${encodeURIComponent(confidential.id)}:wrong-secret`).toString('base64')}`;

  // Answered requests (an introspection that authenticates) do not count against the address.
  for (let i = 0; i < 40; i += 1) {
    const response = await post('/token/introspection', form({ token: `unknown-${i}` }), { authorization: basic });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { active: boolean }).active).toBe(false);
  }

  const statuses: number[] = [];
  for (let i = 0; i < 80; i += 1) {
    const path = ['/token', '/token/introspection', '/token/revocation'][i % 3]!;
    const body = path === '/token' ? form({ grant_type: 'authorization_code', code: `guess-${i}`, redirect_uri: 'http://localhost:4000/' }) : form({ token: `guess-${i}` });
    const response = await post(path, body, { authorization: wrongBasic });
    statuses.push(response.status);
    if (response.status === 429) {
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await response.json()) as { error: string }).error).toBe('too_many_requests');
    } else {
      await response.arrayBuffer();
    }
  }
  const firstRefused = statuses.indexOf(429);
  expect(firstRefused).toBe(server.config.signInRateLimit);
  expect(statuses.slice(0, firstRefused).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(firstRefused).every((status) => status === 429)).toBe(true);

  // The address stays refused for the rest of the window, even with the right secret.
  const correct = await post('/token/introspection', form({ token: 'whatever' }), { authorization: basic });
  expect(correct.status).toBe(429);
}
