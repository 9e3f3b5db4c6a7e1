// /metrics (docs/metrics.md): off unless METRICS_PORT is set, then on its own address only,
// with counters that move by exactly what happened, on SQLite and PostgreSQL.
import { Server } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY_BUCKETS, parseMetricsText, sampleValue } from '@hearth/server-kit';
import type { MetricFamily } from '@hearth/server-kit';
import { loadConfig } from '../src/config/config.js';
import { createOneTimeAccessToken } from '../src/one-time-access/one-time-access.js';
import { countActiveSessions } from '../src/sessions/sessions.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { api, createTestDatabase, DB_PROVIDERS, freePort, startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';

/** Servers of this process that are listening (the app's, and the metrics' when on). */
function listeningServers(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle) => handle instanceof Server && handle.listening).length;
}

describe('metrics configuration', () => {
  const base = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
  it('is off unless METRICS_PORT is set, and listens on loopback by default', () => {
    expect(loadConfig(base).metrics).toBeNull();
    expect(loadConfig({ ...base, METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(loadConfig({ ...base, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
  });

  it.each([
    [{ METRICS_PORT: 'abc' }, 'METRICS_PORT must be a whole number from 1 to 65535 (got "abc")'],
    [{ METRICS_PORT: '0' }, 'METRICS_PORT must be a whole number from 1 to 65535'],
    [{ METRICS_PORT: '1411' }, 'METRICS_PORT must differ from PORT (both are 1411)'],
    [{ METRICS_HOST: '127.0.0.1' }, 'METRICS_HOST is set but METRICS_PORT is not'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('a metrics port already in use', () => {
  it('stops the start with one line naming the address, before the app listens', async () => {
    const blocker = new Server();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    const before = listeningServers();
    const database = await createTestDatabase('sqlite');
    try {
      const start = startTestServer({ database, env: { METRICS_PORT: String(port) } });
      await expect(start).rejects.toThrow(`cannot serve metrics on 127.0.0.1:${port} (the address is in use); check METRICS_HOST and METRICS_PORT`);
      await expect(start).rejects.toMatchObject({ name: 'ConfigError' });
      expect(listeningServers()).toBe(before);
    } finally {
      blocker.close();
      await database.drop();
    }
  });
});

describe('metrics off (the default)', () => {
  let server: TestServer;
  let before: number;
  beforeAll(async () => {
    before = listeningServers();
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('opens no listener besides the app, and the app has no /metrics', async () => {
    expect(listeningServers() - before).toBe(1);
    expect(server.ctx.metrics).toBeNull();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });
});

describe.each(DB_PROVIDERS)('metrics on %s', (provider) => {
  let server: TestServer;
  let metricsUrl: string;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  let before: number;

  beforeAll(async () => {
    before = listeningServers();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    server = await startTestServer({ provider, env: { METRICS_PORT: String(metricsPort) } });
    scenario = await seedScenario(server);
  });
  afterAll(async () => server?.stop());

  async function scrape(): Promise<Map<string, MetricFamily>> {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseMetricsText(await response.text());
  }

  /** How much each named series moved between two scrapes (absent counts as 0). */
  function moved(earlier: Map<string, MetricFamily>, later: Map<string, MetricFamily>, name: string, labels: Record<string, string>): number {
    return (sampleValue(later, name, labels) ?? 0) - (sampleValue(earlier, name, labels) ?? 0);
  }

  it('listens on its own address; the app port has no /metrics and the metrics port nothing else', async () => {
    expect(listeningServers() - before).toBe(2);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/healthz'))).status).toBe(404);
  });

  it('counts sign-ins by method and result, tokens by client, and requests by route', async () => {
    const { db } = server.ctx.database;
    const start = await scrape();

    // A passkey sign-in on Hearth ID itself, and the same answer replayed (its challenge is used up).
    const options = (await api(server, 'POST', '/api/passkey-login/options')).body;
    const response = scenario.authenticator.authenticate(options);
    expect((await api(server, 'POST', '/api/passkey-login/verify', { body: { response } })).status).toBe(200);
    expect((await api(server, 'POST', '/api/passkey-login/verify', { body: { response } })).status).toBe(400);

    // A login link used, then used again.
    const { token } = await createOneTimeAccessToken(db, scenario.user.id);
    expect((await api(server, 'POST', `/api/one-time-access-token/${token}`)).status).toBe(200);
    expect((await api(server, 'POST', `/api/one-time-access-token/${token}`)).status).toBe(400);

    // An app's sign-in with the passkey, and its code exchanged for tokens.
    const rp = await relyingParty(server, scenario.client.id);
    const result = await authorize(rp, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK });
    await oidc.authorizationCodeGrant(rp, result.callbackUrl, { pkceCodeVerifier: result.codeVerifier!, expectedState: result.state, expectedNonce: result.nonce });

    const end = await scrape();
    const signIns = (method: string, result: string) => moved(start, end, 'hearth_id_sign_ins_total', { method, result });
    expect(signIns('passkey', 'success')).toBe(2);
    expect(signIns('passkey', 'failure')).toBe(1);
    expect(signIns('login_link', 'success')).toBe(1);
    expect(signIns('login_link', 'failure')).toBe(1);
    expect(moved(start, end, 'hearth_id_tokens_issued_total', { client: scenario.client.id, grant_type: 'authorization_code' })).toBe(1);

    const requests = (method: string, route: string, status: string) => moved(start, end, 'hearth_id_http_requests_total', { method, route, status });
    expect(requests('POST', '/api/passkey-login/verify', '2xx')).toBe(1);
    expect(requests('POST', '/api/passkey-login/verify', '4xx')).toBe(1);
    expect(requests('POST', '/api/one-time-access-token/:token', '2xx')).toBe(1);
    expect(requests('POST', '/api/one-time-access-token/:token', '4xx')).toBe(1);
    expect(requests('POST', '/token', '2xx')).toBe(1);
    expect(requests('POST', '/interaction/:uid/passkey', '2xx')).toBe(1);
    // Only route patterns: no token, code or id ever becomes a label.
    const routes = end.get('hearth_id_http_requests_total')!.samples.map((sample) => sample.labels.route ?? '');
    expect(routes.filter((route) => route.includes(token) || route.includes(result.state))).toEqual([]);

    // Every sign-in above made a session: the gauge is the database's count.
    const sessions = sampleValue(end, 'hearth_id_active_sessions');
    expect(sessions).toBe(await countActiveSessions(db));
    expect(sessions! - sampleValue(start, 'hearth_id_active_sessions')!).toBe(3);
  });

  it('counts the discovery document served from memory, before routing, under its route', async () => {
    const route = { method: 'GET', route: '/.well-known/openid-configuration', status: '2xx' };
    expect((await fetch(`${server.url}/.well-known/openid-configuration`)).status).toBe(200); // the provider's answer, now kept
    const start = await scrape();
    for (let index = 0; index < 3; index += 1) expect((await fetch(`${server.url}/.well-known/openid-configuration`)).status).toBe(200);
    const end = await scrape();
    expect(moved(start, end, 'hearth_id_http_requests_total', route)).toBe(3);
    expect(moved(start, end, 'hearth_id_http_request_duration_seconds_count', route)).toBe(3);
  });

  it('writes well-formed histograms with the documented buckets, and process figures', async () => {
    const families = await scrape();
    const histogram = families.get('hearth_id_http_request_duration_seconds')!;
    expect(histogram.type).toBe('histogram');
    const bounds = new Set(histogram.samples.filter((sample) => sample.name.endsWith('_bucket')).map((sample) => sample.labels.le));
    expect([...bounds]).toEqual([...DEFAULT_LATENCY_BUCKETS.map(String), '+Inf']);
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(families, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sampleValue(families, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
    expect(families.get('nodejs_eventloop_lag_p99_seconds')?.type).toBe('gauge');
  });

  it(provider === 'postgres' ? 'reports the PostgreSQL pool' : 'has no pool to report on SQLite', async () => {
    await server.ctx.database.ping(); // a connection, used and back in the pool
    const families = await scrape();
    if (provider === 'sqlite') {
      expect([...families.keys()].filter((name) => name.startsWith('hearth_id_db_pool'))).toEqual([]);
      return;
    }
    const total = sampleValue(families, 'hearth_id_db_pool_connections')!;
    expect(total).toBeGreaterThanOrEqual(1);
    // Read before the scrape's own query: nothing of the app's is running.
    expect(sampleValue(families, 'hearth_id_db_pool_idle_connections')).toBe(total);
    expect(sampleValue(families, 'hearth_id_db_pool_waiting_queries')).toBe(0);
    expect(sampleValue(families, 'hearth_id_db_pool_max_connections')).toBe(10);
  });
});
