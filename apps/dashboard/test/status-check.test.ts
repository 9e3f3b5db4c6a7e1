// Status checks run on the server, only for URLs of the dashboard's items, with the item's
// own settings (accepted codes, headers, redirects) and a deadline.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

let target: http.Server;
let base: string;
const seenHeaders: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  // A stand-in for the services of a homelab.
  target = http.createServer((req, res) => {
    seenHeaders.push(req.headers);
    const path = new URL(req.url ?? '/', 'http://target').pathname;
    if (path === '/up') res.writeHead(200).end('ok');
    else if (path === '/auth-wall') res.writeHead(401).end();
    else if (path === '/down') res.writeHead(503).end();
    else if (path.startsWith('/loop')) res.writeHead(302, { location: `/loop${Number(path.slice(5) || 0) + 1}` }).end();
    else if (path === '/hop') res.writeHead(301, { location: '/up' }).end();
    else if (path === '/slow') setTimeout(() => res.writeHead(200).end(), 3_000);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

function items(extra = ''): string {
  return `sections:
  - name: Services
    items:
      - title: Up
        url: ${base}/up
        statusCheckHeaders:
          X-Api-Key: status-secret
      - title: Behind a login
        url: ${base}/auth-wall
        statusCheckAcceptCodes: '401, 403'
      - title: Down
        url: ${base}/down
      - title: Redirect loop
        url: ${base}/loop
      - title: One hop
        url: ${base}/hop
      - title: Slow
        url: ${base}/slow
      - title: Checked elsewhere
        url: ssh://nas.lan
        statusCheckUrl: ${base}/up?probe
      - title: Not http
        url: ssh://nas.lan:22
${extra}`;
}

describe('GET /status-check without sign-in configured', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: items(), statusCheckTimeoutMs: 500 });
  });
  afterAll(async () => dashboard.stop());

  const check = async (url: string) => {
    const response = await dashboard.get(`/status-check?url=${encodeURIComponent(url)}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('reports an item that is up, sending its status-check headers', async () => {
    const { status, body } = await check(`${base}/up`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ successStatus: true, statusCode: 200, message: 'Up: HTTP 200' });
    expect(typeof body.timeTaken).toBe('number');
    expect(seenHeaders.at(-1)?.['x-api-key']).toBe('status-secret');
  });

  it('honours statusCheckAcceptCodes and reports failures', async () => {
    expect((await check(`${base}/auth-wall`)).body).toMatchObject({ successStatus: true, statusCode: 401 });
    expect((await check(`${base}/down`)).body).toMatchObject({ successStatus: false, statusCode: 503, message: 'Down: HTTP 503' });
  });

  it('follows a few redirects and stops a loop', async () => {
    expect((await check(`${base}/hop`)).body).toMatchObject({ successStatus: true, statusCode: 200 });
    expect((await check(`${base}/loop`)).body).toMatchObject({
      successStatus: false,
      statusCode: 302,
      message: 'Down: HTTP 302 (stopped after 3 redirects)',
    });
  });

  it('gives up at the deadline', async () => {
    const { body } = await check(`${base}/slow`);
    expect(body).toMatchObject({ successStatus: false, statusCode: null, message: 'Down: timed out after 500 ms' });
    expect(body.timeTaken as number).toBeLessThan(2_000);
  });

  it('checks an item by its statusCheckUrl, and says when a scheme cannot be checked', async () => {
    expect((await check(`${base}/up?probe`)).body).toMatchObject({ successStatus: true });
    expect((await check('ssh://nas.lan:22')).body).toMatchObject({ successStatus: false, message: 'cannot check ssh: URLs, only http and https' });
  });

  it('refuses URLs that are not items of the dashboard', async () => {
    for (const url of [`${base}/secret`, 'http://169.254.169.254/latest/meta-data/', `${base}/up/../admin`, 'file:///etc/passwd']) {
      const { status, body } = await check(url);
      expect(status, url).toBe(403);
      expect(body).toEqual({ error: 'forbidden', reason: 'this URL is not an item of your dashboard' });
    }
    expect(seenHeaders.some((headers) => headers.host?.startsWith('169.254'))).toBe(false);
  });

  it('answers a missing or malformed url with 400', async () => {
    expect((await dashboard.get('/status-check')).status).toBe(400);
    expect((await dashboard.get('/status-check?url=not%20a%20url')).status).toBe(400);
  });
});

describe('GET /status-check with sign-in configured', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  let member: string;

  beforeAll(async () => {
    provider = await startTestProvider({
      shape: 'pocket-id',
      clientId: 'status-client',
      accounts: [{ id: 'bob', claims: { preferred_username: 'bob', groups: ['family'] } }],
    });
    const hidden = `  - name: Admins only
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
    items:
      - title: Hidden
        url: ${base}/up?hidden
`;
    dashboard = await startTestDashboard({
      config: `appConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: status-client\n      endpoint: ${provider.issuer}\n      adminGroup: admins\n${items(hidden)}`,
    });
    member = (await signIn(provider, 'bob')).idToken;
  });
  afterAll(async () => {
    await dashboard.stop();
    await provider.close();
  });

  it('needs a signed-in user when guest access is off', async () => {
    const response = await dashboard.get(`/status-check?url=${encodeURIComponent(`${base}/up`)}`);
    expect(response.status).toBe(401);
    expect((await dashboard.get(`/status-check?url=${encodeURIComponent(`${base}/up`)}`, member)).status).toBe(200);
  });

  it('refuses items the user cannot see', async () => {
    const response = await dashboard.get(`/status-check?url=${encodeURIComponent(`${base}/up?hidden`)}`, member);
    expect(response.status).toBe(403);
  });
});
