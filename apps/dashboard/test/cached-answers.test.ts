// GET /conf.yml answered from memory ahead of Fastify's router (src/config/cached-answers.ts):
// the same answer as the routed one, header for header and log line for log line; only cache
// hits take that way; a save and a hand edit show on the very next request.
//
// `/conf.yml?` is the same request to the route (an empty query), but never answered ahead
// of the router: it gives the routed answer to compare with.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';

const CLIENT_ID = 'dashboard-client';

const config = (endpoint: string, extra = '') => `appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${endpoint}
      adminGroup: admins
sections:
  - name: Everyone
    items:
      - title: Wiki
        url: https://wiki.lan
${extra}  - name: Family
    displayData: { showForKeycloakUsers: { groups: [family] } }
    items:
      - title: Photos
        url: https://photos.lan
`;

interface RawAnswer {
  status: number;
  /** Name and value pairs in the order they came, Date left out (it moves with the clock). */
  headers: Array<[string, string]>;
  body: string;
  remotePort: number;
}

/** One request with node:http, which keeps the headers as they were sent. */
function rawGet(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  // The path as given: a URL would lose an empty query.
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let localPort = 0;
    const request = http.request({ hostname, port, path, method, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const pairs: Array<[string, string]> = [];
        for (let index = 0; index < response.rawHeaders.length; index += 2) {
          const name = (response.rawHeaders[index] ?? '').toLowerCase();
          if (name !== 'date') pairs.push([name, response.rawHeaders[index + 1] ?? '']);
        }
        resolve({ status: response.statusCode ?? 0, headers: pairs, body, remotePort: localPort });
      });
    });
    request.on('socket', (socket) => socket.on('connect', () => (localPort = socket.localPort ?? 0)));
    request.on('error', reject);
    request.end();
  });
}

let provider: TestProvider;
let dashboard: TestDashboard;
let original: string;
/** Answers given ahead of the router, as the server reported them. */
const cachedAnswers: number[] = [];
/**
 * Saves and file system events announce every change; without a long freshness a slow
 * machine could let a second pass between two requests and send the second to the disk.
 */
const FRESHNESS = { configFreshnessMs: 3_600_000 };
const onCachedAnswer = (_method: string, _route: string, status: number) => void cachedAnswers.push(status);

const now = () => Math.floor(Date.now() / 1000);

async function token(claims: JWTPayload, lifetime = 3600): Promise<string> {
  return new SignJWT({ iss: provider.issuer, aud: CLIENT_ID, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid })
    .setIssuedAt()
    .setExpirationTime(now() + lifetime)
    .sign(await importJWK(provider.signingKey, 'RS256'));
}

/** The request, and whether the server answered it ahead of the router. */
async function ask(path: string, headers: Record<string, string> = {}, target: TestDashboard = dashboard, method = 'GET') {
  const before = cachedAnswers.length;
  const answer = await rawGet(target.url, path, headers, method);
  return { answer, cached: cachedAnswers.length > before };
}

/** The two lines the access log has for the request from this client port. */
async function logLinesOf(target: TestDashboard, remotePort: number): Promise<Array<Record<string, unknown>>> {
  let lines: Array<Record<string, unknown>> = [];
  await vi.waitFor(() => {
    const incoming = target.logs.findLast((line) => line.msg === 'incoming request' && (line.req as { remotePort?: number } | undefined)?.remotePort === remotePort);
    lines = incoming ? target.logs.filter((line) => line.reqId === incoming.reqId) : [];
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
  });
  return lines;
}

/** A log line without what differs between any two requests. */
function comparable(line: Record<string, unknown>): Record<string, unknown> {
  const { time: _time, reqId: _reqId, responseTime, req, ...rest } = line;
  if (line.msg === 'request completed') expect(typeof responseTime).toBe('number');
  if (!req) return rest;
  const { url, remotePort: _port, ...request } = req as Record<string, unknown>;
  return { ...rest, req: { ...request, url: url === '/conf.yml?' ? '/conf.yml' : url } };
}

/** The routed answer, then the one from memory, for the same request: they must be the same. */
async function expectSameAnswers(headers: Record<string, string>, target: TestDashboard = dashboard) {
  const routed = await ask('/conf.yml?', headers, target);
  const fast = await ask('/conf.yml', headers, target);
  expect(routed.cached).toBe(false);
  expect(fast.cached).toBe(true);
  expect(fast.answer.status).toBe(routed.answer.status);
  expect(fast.answer.headers).toEqual(routed.answer.headers);
  expect(fast.answer.body).toBe(routed.answer.body);
  const [routedLines, fastLines] = [await logLinesOf(target, routed.answer.remotePort), await logLinesOf(target, fast.answer.remotePort)];
  expect(fastLines.map(comparable)).toEqual(routedLines.map(comparable));
  expect(fastLines[0]?.reqId).not.toBe(routedLines[0]?.reqId);
  return fast.answer;
}

const header = (answer: RawAnswer, name: string) => answer.headers.find(([key]) => key === name)?.[1];

beforeAll(async () => {
  provider = await startTestProvider({ shape: 'pocket-id', clientId: CLIENT_ID, accounts: [] });
  original = config(provider.issuer);
  dashboard = await startTestDashboard({ config: original, ...FRESHNESS, onCachedAnswer });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

describe('answers from memory', () => {
  it('are the routed answers for an admin, a member and a signed-out visitor, as YAML and JSON, 200 and 304', async () => {
    const admin = await token({ sub: 'alice', preferred_username: 'alice', groups: ['admins'] });
    const member = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const cases: Array<[string, Record<string, string>]> = [
      ['source', { authorization: `Bearer ${admin}` }],
      ['filtered', { authorization: `Bearer ${member}` }],
      ['bootstrap', {}],
    ];
    for (const [kind, credentials] of cases) {
      // A token's first request can be verified before the key set is in memory, which is
      // then not remembered: the second one is.
      await ask('/conf.yml', credentials);
      for (const accept of [{}, { accept: 'application/json' }] as Array<Record<string, string>>) {
        const answer = await expectSameAnswers({ ...credentials, ...accept });
        expect(answer.status).toBe(200);
        expect(header(answer, 'x-hearth-config-view')).toBe(kind);
        expect(header(answer, 'content-type')).toBe('accept' in accept ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8');
        expect(header(answer, 'cache-control')).toBe('private, no-store');
        expect(header(answer, 'vary')).toBe('Authorization, Accept');
        expect(header(answer, 'x-content-type-options')).toBe('nosniff');
        expect(header(answer, 'content-security-policy')).toContain("default-src 'self'");
        const etag = header(answer, 'etag') ?? '';
        expect(etag).toMatch(/^"[\w-]+"$/);
        expect(etag).toBe(`"${createHash('sha256').update(answer.body).digest('base64url').slice(0, 32)}"`);
        const notModified = await expectSameAnswers({ ...credentials, ...accept, 'if-none-match': `W/${etag}, "other"` });
        expect(notModified.status).toBe(304);
        expect(notModified.body).toBe('');
        expect(header(notModified, 'content-length')).toBeUndefined();
      }
    }
  });

  it('leave expired, invalid and malformed tokens to the route, which refuses them', async () => {
    const member = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] }, 60);
    expect((await ask('/conf.yml', { authorization: `Bearer ${member}` })).answer.status).toBe(200);
    expect((await ask('/conf.yml', { authorization: `Bearer ${member}` })).cached).toBe(true);
    for (const bad of [`${member}x`, 'not-a-token', `${member.slice(0, -4)}AAAA`]) {
      for (const path of ['/conf.yml', '/conf.yml?']) {
        const { answer, cached } = await ask(path, { authorization: `Bearer ${bad}` });
        expect(cached).toBe(false);
        expect(answer.status).toBe(401);
        expect(header(answer, 'www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      }
    }
    const basic = await ask('/conf.yml', { authorization: 'Basic YTpi' });
    expect([basic.cached, basic.answer.status]).toEqual([false, 401]);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(((decodeJwt(member).exp ?? 0) + 31) * 1000);
    const expired = await ask('/conf.yml', { authorization: `Bearer ${member}` });
    expect(expired.cached).toBe(false);
    expect(expired.answer.status).toBe(401);
    expect(JSON.parse(expired.answer.body)).toEqual({ error: 'unauthorized', reason: 'expired' });
    expect(header(expired.answer, 'www-authenticate')).toBe('Bearer error="invalid_token", error_description="expired"');
  });

  it('are given only for views rendered before: a first request, HEAD, other paths and sub-pages go to the route', async () => {
    // A claim set never seen: its first request renders, through the route.
    const newcomer = await token({ sub: 'erin', preferred_username: 'erin', groups: ['family', 'erin-only'] });
    const first = await ask('/conf.yml', { authorization: `Bearer ${newcomer}` });
    expect([first.cached, first.answer.status]).toEqual([false, 200]);
    expect((await ask('/conf.yml', { authorization: `Bearer ${newcomer}` })).cached).toBe(true);
    for (const path of ['/conf.yml?x=1', '/conf.yml/', '/CONF.YML', '/conf.yaml', '/healthz']) {
      expect((await ask(path, { authorization: `Bearer ${newcomer}` })).cached, path).toBe(false);
    }
    const head = await ask('/conf.yml', { authorization: `Bearer ${newcomer}` }, dashboard, 'HEAD');
    expect([head.cached, head.answer.status, head.answer.body]).toEqual([false, 200, '']);
  });
});

describe('answers from memory follow the file', () => {
  afterEach(async () => {
    await writeFile(join(dashboard.userDataDir, 'conf.yml'), original);
  });

  it('show a save through the dashboard on the very next request', async () => {
    const admin = await token({ sub: 'alice', preferred_username: 'alice', groups: ['admins'] });
    const member = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const bearer = { authorization: `Bearer ${member}` };
    await ask('/conf.yml', bearer);
    const before = await ask('/conf.yml', bearer);
    expect(before.cached).toBe(true);
    expect(before.answer.body).not.toContain('Saved item');
    const saved = await dashboard.save({ config: config(provider.issuer, '      - title: Saved item\n        url: https://saved.lan\n') }, admin);
    expect(saved.status).toBe(200);
    const after = await ask('/conf.yml', bearer);
    expect(after.answer.body).toContain('Saved item');
    expect(header(after.answer, 'etag')).not.toBe(header(before.answer, 'etag'));
    // The new version's view, once rendered, is answered from memory in turn.
    const again = await ask('/conf.yml', bearer);
    expect(again.cached).toBe(true);
    expect(again.answer.body).toBe(after.answer.body);
  });

  it('show a hand edit on disk on the very next request, even one that keeps the size', async () => {
    const member = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const bearer = { authorization: `Bearer ${member}` };
    const file = join(dashboard.userDataDir, 'conf.yml');
    await ask('/conf.yml', bearer);
    const before = await ask('/conf.yml', bearer);
    expect(before.cached).toBe(true);
    expect(before.answer.body).toContain('Photos');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Photos', 'Videos'));
    expect((await ask('/conf.yml', bearer)).answer.body).toContain('Videos');
    const cached = await ask('/conf.yml', bearer);
    expect(cached.cached).toBe(true);
    expect(cached.answer.body).toContain('Videos');
    await writeFile(file, config(provider.issuer, '      - title: Edited by hand\n        url: https://hand.lan\n'));
    expect((await ask('/conf.yml', bearer)).answer.body).toContain('Edited by hand');
  });
});

describe('answers from memory elsewhere', () => {
  it('log the client and host behind a trusted proxy as the route does', async () => {
    const proxied = await startTestDashboard({ config: original, trustProxy: true, ...FRESHNESS, onCachedAnswer });
    try {
      const member = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
      const proxies: Array<Record<string, string>> = [{}, { 'x-forwarded-for': ' 203.0.113.7 ,\t10.0.0.2, 10.0.0.1', 'x-forwarded-host': 'inner.lan, dash.example.org ' }, { 'x-forwarded-for': ', , 198.51.100.4' }];
      for (const forwarded of proxies) {
        await ask('/conf.yml', { authorization: `Bearer ${member}` }, proxied);
        await expectSameAnswers({ authorization: `Bearer ${member}`, ...forwarded }, proxied);
      }
      const lines = proxied.logs.filter((line) => line.msg === 'incoming request').map((line) => line.req as Record<string, unknown>);
      expect(lines).toContainEqual(expect.objectContaining({ remoteAddress: '203.0.113.7', host: 'dash.example.org', url: '/conf.yml' }));
      expect(lines).toContainEqual(expect.objectContaining({ remoteAddress: '198.51.100.4', url: '/conf.yml' }));
    } finally {
      await proxied.stop();
    }
  });

  it('are the routed answers on a dashboard without sign-in, whatever credentials come along', async () => {
    const open = await startTestDashboard({ config: 'sections:\n  - name: Everyone\n    items:\n      - title: Wiki\n', ...FRESHNESS, onCachedAnswer });
    try {
      for (const headers of [{}, { authorization: 'Bearer whatever' }, { accept: 'application/json' }] as Array<Record<string, string>>) {
        await ask('/conf.yml', headers, open);
        const answer = await expectSameAnswers(headers, open);
        expect([answer.status, header(answer, 'x-hearth-config-view'), header(answer, 'cache-control'), header(answer, 'vary')]).toEqual([200, 'source', 'no-cache', 'Accept']);
      }
    } finally {
      await open.stop();
    }
  });

  it('are not given to built-in users, signed in or out: their cookie sessions go through the route', async () => {
    const hash = createHash('sha256').update('bob-password').digest('hex');
    const users = await startTestDashboard({
      config: `appConfig:\n  auth:\n    users:\n      - user: bob\n        hash: ${hash}\nsections:\n  - name: Everyone\n`,
      ...FRESHNESS,
      onCachedAnswer,
    });
    try {
      const login = await fetch(`${users.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'bob-password' }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      for (let round = 0; round < 2; round += 1) {
        const signedIn = await ask('/conf.yml', { cookie }, users);
        expect([signedIn.cached, signedIn.answer.status, header(signedIn.answer, 'x-hearth-config-view')]).toEqual([false, 200, 'filtered']);
        const signedOut = await ask('/conf.yml', {}, users);
        expect([signedOut.cached, signedOut.answer.status, header(signedOut.answer, 'x-hearth-config-view')]).toEqual([false, 200, 'bootstrap']);
      }
    } finally {
      await users.stop();
    }
  });
});
