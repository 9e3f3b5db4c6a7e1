import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestDatabase, startTestServer, type TestServer } from './support/server.js';

const LIMIT = 4;

describe('two Hearth ID replicas on one PostgreSQL database share their rate limits', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { SIGN_IN_RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'true' };
    a = await startTestServer({ database, env });
    b = await startTestServer({ database, env: { ...env, APP_URL: a.url } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  /** Each replica's own address: both share APP_URL, as behind a load balancer. */
  const direct = (server: TestServer) => `http://localhost:${server.env.PORT}`;

  /** A sign-in attempt from one visitor (as the proxy in front of both replicas reports it). */
  const attempt = (server: TestServer, visitor: string) =>
    api({ ...server, url: direct(server) }, 'POST', '/api/passkey-login/options', {
      body: {},
      origin: a.url,
      headers: { 'x-forwarded-for': visitor },
    });

  it('counts sign-in attempts spread over both replicas against one limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i += 1) statuses.push((await attempt(i % 2 === 0 ? a : b, '203.0.113.10')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(a.env.PORT).not.toBe(b.env.PORT);
    // Someone else is not affected.
    expect((await attempt(b, '203.0.113.11')).status).toBe(200);
  });

  it('lets exactly the limit through when attempts race on both replicas', async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i % 2 === 0 ? a : b, '203.0.113.12')));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - LIMIT);
  });

  it('counts failed token requests on both replicas together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i += 1) {
      const response = await fetch(new URL('/token', direct(i % 2 === 0 ? a : b)), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.13' },
        body: 'grant_type=refresh_token&refresh_token=guess&client_id=nobody',
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, LIMIT).every((status) => status === 400 || status === 401)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
  });
});
