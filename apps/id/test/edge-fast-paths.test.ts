import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/clients/clients.js';
import { startLoggedServer, type LoggedServer } from './support/logged-server.js';
import { DB_PROVIDERS } from './support/server.js';

/** The provider's pages post forms to apps: its CSP is ours without form-action. */
const OIDC_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";

/** The security headers the edge sets on the provider's paths (computed once at start), as @fastify/helmet set them per request. */
const EDGE_HEADERS = {
  'content-security-policy': OIDC_CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** Headers as a plain object, without the ones that belong to one response. */
function documentHeaders(response: Response): Record<string, string> {
  const headers = Object.fromEntries(response.headers.entries());
  delete headers.date;
  delete headers.connection;
  delete headers['keep-alive'];
  return headers;
}

describe('the paths every request passes stay as they were, only cheaper', () => {
  let server: LoggedServer;
  beforeAll(async () => {
    server = await startLoggedServer();
  });
  afterAll(async () => server?.stop());

  it('sends the same security headers as before on our own paths and on the provider’s', async () => {
    const healthz = await fetch(new URL('/healthz', server.url));
    expect(documentHeaders(healthz)).toMatchObject({ ...EDGE_HEADERS, 'content-security-policy': OIDC_CSP.replace(";frame-ancestors", ";form-action 'self';frame-ancestors") });
    const discovery = await fetch(new URL('/.well-known/openid-configuration', server.url));
    expect(documentHeaders(discovery)).toMatchObject(EDGE_HEADERS);
    // The sign-out page adds the hash of its inline script to script-src itself.
    const endSession = await fetch(new URL('/session/end', server.url));
    const { 'content-security-policy': csp, ...rest } = documentHeaders(endSession);
    expect(csp).toBe(OIDC_CSP.replace("script-src 'self'", `script-src 'self' ${/'sha256-[^']+'/.exec(csp ?? '')?.[0]}`));
    const { 'content-security-policy': _csp, ...others } = EDGE_HEADERS;
    expect(rest).toMatchObject(others);
  });

  it('answers discovery and the key set from memory with the bytes and headers of the first answer, CORS per request', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const first = await fetch(new URL(path, server.url));
      const firstBody = await first.text();
      const later = await fetch(new URL(path, server.url), { headers: { origin: 'http://localhost:4000' } });
      expect(await later.text(), path).toBe(firstBody);
      expect(later.headers.get('access-control-allow-origin'), path).toBe('http://localhost:4000');
      const { 'access-control-allow-origin': _cors, ...rest } = documentHeaders(later);
      const { 'access-control-allow-origin': _firstCors, ...firstRest } = documentHeaders(first);
      expect(rest, path).toEqual(firstRest);
      expect(rest, path).toMatchObject(EDGE_HEADERS);
      // With a query string the request goes the whole way through Fastify, as before.
      expect((await fetch(new URL(`${path}?x=1`, server.url))).status, path).toBe(200);
    }
  });

  it('writes an access-log line for discovery answered from memory', async () => {
    const url = '/.well-known/openid-configuration';
    for (let i = 0; i < 2; i += 1) await (await fetch(new URL(url, server.url))).arrayBuffer();
    const completed = server.logLines().filter((line) => line.msg === 'request completed' && (line.req as { url?: string } | undefined)?.url === url);
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed.every((line) => (line.res as { statusCode?: number }).statusCode === 200)).toBe(true);
  });

  it('reads the session of a signed-in visitor on our routes, not on the provider’s', async () => {
    const response = await fetch(new URL('/api/me', server.url), { headers: { cookie: 'hearth_session=not-a-session' } });
    expect(response.status).toBe(401);
  });
});

const LIMIT = 4;

/** Token-request counts go by clock minute: start a burst with at least 15 seconds of this one left. */
async function startEarlyInAMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe.each(DB_PROVIDERS)('successful token requests from one address are never throttled, however many at once, on %s', (provider) => {
  let server: LoggedServer;
  beforeAll(async () => {
    server = await startLoggedServer({ provider, env: { SIGN_IN_RATE_LIMIT: String(LIMIT) } });
  });
  afterAll(async () => server?.stop());

  it('answers 60 introspections that authenticate, LIMIT at a time, then still counts failures', async () => {
    const { client, secret } = await createClient(server.ctx.database.db, { name: 'Confidential', callbackUrls: ['http://localhost:4000/'], isPublic: false });
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(secret!)}`).toString('base64')}`;
    const introspect = async (authorization: string) => {
      const response = await fetch(new URL('/token/introspection', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: 'token=unknown',
      });
      await response.arrayBuffer();
      return response.status;
    };
    await startEarlyInAMinute();
    // Running requests count until they succeed, and each success is taken back: LIMIT at a
    // time, again and again, always fits.
    for (let round = 0; round < 60 / LIMIT; round += 1) {
      const statuses = await Promise.all(Array.from({ length: LIMIT }, () => introspect(basic)));
      expect(statuses).toEqual(Array.from({ length: LIMIT }, () => 200));
    }
    // Failures still count: LIMIT of them are answered, then the address is refused.
    const wrong = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:wrong`).toString('base64')}`;
    const failures: number[] = [];
    for (let i = 0; i < LIMIT + 2; i += 1) failures.push(await introspect(wrong));
    expect(failures).toEqual([...Array.from({ length: LIMIT }, () => 401), 429, 429]);
  });
});
