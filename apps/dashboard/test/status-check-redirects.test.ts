// Status checks that are redirected: the item's statusCheckHeaders (often API keys) reach its
// own origin only, a redirect to another origin is followed only when the item opts in, and
// https is never followed down to http. Real servers on other ports (other origins) record
// every request they receive.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './support/test-tls.js';

interface Seen {
  server: 'service' | 'elsewhere' | 'tls';
  path: string;
  headers: http.IncomingHttpHeaders;
}

const seen: Seen[] = [];
const servers: Array<http.Server | https.Server> = [];
let service = '';
let elsewhere = '';
let tls = '';
let dashboard: TestDashboard;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function recorder(name: Seen['server'], answer: (path: string, res: http.ServerResponse) => void): http.RequestListener {
  return (req, res) => {
    const path = req.url ?? '/';
    seen.push({ server: name, path, headers: req.headers });
    answer(path, res);
  };
}

function config(): string {
  const secret = (name: string) => `        statusCheckHeaders:\n          Authorization: Bearer ${name}-key\n          X-Api-Key: ${name}-key\n`;
  return `sections:
  - name: Services
    items:
      - title: Same origin
        url: ${service}/to-self
${secret('same')}      - title: Sent elsewhere
        url: ${service}/to-elsewhere
${secret('stay')}      - title: Sent elsewhere, allowed
        url: ${service}/to-elsewhere?allowed
        statusCheckAllowOffOriginRedirects: true
${secret('allowed')}      - title: Down to http
        url: ${tls}/to-http
        statusCheckAllowInsecure: true
        statusCheckAllowOffOriginRedirects: true
${secret('tls')}`;
}

beforeAll(async () => {
  elsewhere = await listen(http.createServer(recorder('elsewhere', (_path, res) => res.writeHead(200).end('ok'))), 'http');
  service = await listen(
    http.createServer(
      recorder('service', (path, res) => {
        if (path === '/to-self') res.writeHead(302, { location: '/landing' }).end();
        else if (path.startsWith('/to-elsewhere')) res.writeHead(302, { location: `${elsewhere}/landing${path.includes('allowed') ? '?allowed' : ''}` }).end();
        else res.writeHead(200).end('ok');
      }),
    ),
    'http',
  );
  tls = await listen(
    https.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, recorder('tls', (_path, res) => res.writeHead(301, { location: `${elsewhere}/plain` }).end())),
    'https',
  );
  dashboard = await startTestDashboard({ config: config() });
});

afterAll(async () => {
  await dashboard?.stop();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

beforeEach(() => {
  seen.length = 0;
});

async function check(url: string): Promise<Record<string, unknown>> {
  const response = await dashboard.get(`/status-check?url=${encodeURIComponent(url)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const keysIn = (headers: http.IncomingHttpHeaders) => [headers.authorization, headers['x-api-key']].filter(Boolean);

describe('status checks that are redirected', () => {
  it('follows a redirect within the origin, headers included', async () => {
    expect(await check(`${service}/to-self`)).toMatchObject({ successStatus: true, statusCode: 200 });
    expect(seen.map(({ server, path }) => `${server} ${path}`)).toEqual(['service /to-self', 'service /landing']);
    for (const request of seen) expect(keysIn(request.headers)).toEqual(['Bearer same-key', 'same-key']);
  });

  it('does not follow a redirect to another origin unless the item allows it', async () => {
    const result = await check(`${service}/to-elsewhere`);
    expect(result).toMatchObject({ successStatus: true, statusCode: 302 });
    expect(result.message).toBe(`Up: HTTP 302, redirect to ${elsewhere} not followed (another origin; statusCheckAllowOffOriginRedirects: true follows it)`);
    expect(seen.map((request) => request.server)).toEqual(['service']);
  });

  it('follows it when allowed, without the headers', async () => {
    expect(await check(`${service}/to-elsewhere?allowed`)).toMatchObject({ successStatus: true, statusCode: 200 });
    expect(seen.map(({ server, path }) => `${server} ${path}`)).toEqual(['service /to-elsewhere?allowed', 'elsewhere /landing?allowed']);
    expect(keysIn(seen[0]!.headers)).toEqual(['Bearer allowed-key', 'allowed-key']);
    expect(keysIn(seen[1]!.headers)).toEqual([]);
  });

  it('never follows https down to http, even when other origins are allowed', async () => {
    const result = await check(`${tls}/to-http`);
    expect(result).toMatchObject({ successStatus: false, statusCode: 301, message: `Down: HTTP 301, refused a redirect from https to http (${elsewhere})` });
    expect(seen.map((request) => request.server)).toEqual(['tls']);
    expect(keysIn(seen[0]!.headers)).toEqual(['Bearer tls-key', 'tls-key']);
  });

  it('offers the opt-in key to the editor', async () => {
    const schema = JSON.stringify(await (await dashboard.get('/conf.schema.json')).json());
    expect(schema).toContain('statusCheckAllowOffOriginRedirects');
  });
});
