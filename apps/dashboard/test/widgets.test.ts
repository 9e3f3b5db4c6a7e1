// The widget proxy reads JSON only from the sources of widgets the requester can see, adds
// the widget's credentials on the server, and turns every upstream failure into a 502 (or, for
// the web app, which asks for it, a 200 marked as a failure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { GLANCES_DATA, GLANCES_PASSWORD, GLANCES_USER, startStandInGlances } from './support/glances.js';
import type { StandInGlances } from './support/glances.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

let glances: StandInGlances;

beforeAll(async () => {
  glances = await startStandInGlances();
});
afterAll(async () => glances.close());

function widgetSections(base: string): string {
  return `sections:
  - name: System
    widgets:
      - type: gl-current-cpu
        options:
          hostname: ${base}/
      - type: gl-disk-space
        label: Disks
        options:
          hostname: ${base}
          apiVersion: 4
      - type: gl-current-mem
        options:
          hostname: ${base}/locked
          username: ${GLANCES_USER}
          password: ${GLANCES_PASSWORD}
      - type: gl-load-history
        timeout: 300
        options:
          hostname: ${base}/slow
      - type: gl-cpu-history
        options: { hostname: '${base}/broken' }
      - type: gl-cpu-history
        options: { hostname: '${base}/html' }
      - type: gl-cpu-history
        options: { hostname: '${base}/huge' }
      - type: gl-cpu-history
        options: { hostname: '${base}/moved' }
      - type: gl-cpu-history
        options: { hostname: '${base}/fail' }
      - type: weather
        options:
          apiKey: weather-api-key-123
          city: St-Malo
      - type: clock
        options:
          timeZone: Europe/Paris
`;
}

async function proxy(dashboard: TestDashboard, url: string, token?: string) {
  const response = await dashboard.get(`/widgets/proxy?url=${encodeURIComponent(url)}`, token);
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

describe('GET /widgets/proxy without sign-in configured', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: widgetSections(glances.base) });
  });
  afterAll(async () => dashboard.stop());

  it("passes on a Glances answer from a widget's host, never cached", async () => {
    for (const endpoint of ['cpu', 'fs', 'quicklook', 'load', 'cpu/history/100']) {
      const { status, headers, body } = await proxy(dashboard, `${glances.base}/api/4/${endpoint}`);
      expect(status, endpoint).toBe(200);
      expect(body).toEqual(GLANCES_DATA[endpoint]);
      expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(headers.get('cache-control')).toBe('no-store');
    }
  });

  it('adds the basic-auth credentials of the widget on the server', async () => {
    const { status, body } = await proxy(dashboard, `${glances.base}/locked/api/4/mem`);
    expect(status).toBe(200);
    expect(body).toEqual(GLANCES_DATA.mem);
    const request = glances.seen.at(-1);
    expect(request?.path).toBe('/locked/api/4/mem');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${GLANCES_USER}:${GLANCES_PASSWORD}`).toString('base64')}`);
  });

  it('refuses hosts and paths that are not the source of a widget, without contacting them', async () => {
    const before = glances.seen.length;
    const port = new URL(glances.base).port;
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      `${glances.base}/`,
      `${glances.base}/admin`,
      `${glances.base}/api/../admin`,
      `http://localhost:${port}/api/4/cpu`,
      `http://127.0.0.1:${Number(port) + 1}/api/4/cpu`,
    ]) {
      const { status, headers, body } = await proxy(dashboard, url);
      expect(status, url).toBe(403);
      expect(body).toEqual({ error: 'forbidden', reason: 'this URL is not the data source of a widget on your dashboard' });
      expect(headers.get('cache-control')).toBe('no-store');
    }
    expect(glances.seen.length).toBe(before);
    expect(dashboard.logs.some((line) => line.msg === 'widget proxy refused: not the source of a widget of the dashboard')).toBe(true);
  });

  it('answers malformed requests with 400 and other methods with 405', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/widgets/proxy', /expected \?url=/],
      ['/widgets/proxy?url=not%20a%20url', /expected \?url=/],
      [`/widgets/proxy?url=${encodeURIComponent(`${glances.base}/api/4/cpu`)}&url=x`, /expected \?url=/],
      [`/widgets/proxy?url=${encodeURIComponent('file:///etc/passwd')}`, /only http and https/],
      [`/widgets/proxy?url=${encodeURIComponent(glances.base.replace('//', '//u:p@') + '/api/4/cpu')}`, /credentials in the URL/],
      [`/widgets/proxy?url=${encodeURIComponent(`${glances.base}/api/4/..%2f..%2fadmin`)}`, /encoded/],
    ];
    for (const [path, reason] of cases) {
      const response = await dashboard.get(path);
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error: string; reason: string };
      expect(body.error).toBe('bad request');
      expect(body.reason).toMatch(reason);
    }
    const post = await fetch(`${dashboard.url}/widgets/proxy?url=${encodeURIComponent(`${glances.base}/api/4/cpu`)}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('turns every upstream failure into 502 with a reason', async () => {
    const cases: Array<[string, string, number | undefined]> = [
      ['/slow/api/4/load/history/500', "the widget's source did not answer within 300 ms", undefined],
      ['/broken/api/4/cpu/history/100', "the widget's source did not answer valid JSON", 200],
      ['/html/api/4/cpu/history/100', "the widget's source did not answer JSON (content-type text/html)", 200],
      ['/huge/api/4/cpu/history/100', "the widget's source answered more than 2 MB", 200],
      ['/moved/api/4/cpu/history/100', "the widget's source answered with a redirect (HTTP 302), which is not followed", 302],
      ['/fail/api/4/cpu/history/100', "the widget's source answered HTTP 500", 500],
      ['/api/4/nonexistent', "the widget's source answered HTTP 404", 404],
    ];
    for (const [path, reason, upstreamStatus] of cases) {
      const started = Date.now();
      const { status, body } = await proxy(dashboard, `${glances.base}${path}`);
      expect(status, path).toBe(502);
      expect(body).toEqual({ error: 'bad gateway', reason, ...(upstreamStatus === undefined ? {} : { upstreamStatus }) });
      expect(Date.now() - started, path).toBeLessThan(2_500);
    }
  });

  it('answers a failure as a marked 200 when the client asks for it inline, and nothing else changes', async () => {
    const inline = async (url: string) => {
      const response = await fetch(`${dashboard.url}/widgets/proxy?url=${encodeURIComponent(url)}`, { headers: { 'x-hearth-widget-errors': 'inline' } });
      return { status: response.status, marker: response.headers.get('x-hearth-widget-error'), cache: response.headers.get('cache-control'), body: (await response.json()) as unknown };
    };
    const failed = await inline(`${glances.base}/fail/api/4/cpu/history/100`);
    expect(failed).toEqual({
      status: 200,
      marker: '502',
      cache: 'no-store',
      body: { error: 'bad gateway', reason: "the widget's source answered HTTP 500", upstreamStatus: 500 },
    });
    const down = await inline(`${glances.base}/slow/api/4/load/history/500`);
    expect(down).toMatchObject({ status: 200, marker: '502', body: { error: 'bad gateway', reason: "the widget's source did not answer within 300 ms" } });

    const data = await inline(`${glances.base}/api/4/cpu`);
    expect(data).toEqual({ status: 200, marker: null, cache: 'no-store', body: GLANCES_DATA.cpu });
    // Refusals are not a source being down: they keep their status.
    expect(await inline('http://169.254.169.254/latest/meta-data/')).toMatchObject({ status: 403, marker: null });
    // Without the header a failure stays a 502.
    expect((await proxy(dashboard, `${glances.base}/fail/api/4/cpu/history/100`)).status).toBe(502);
  });

  it('says when the source cannot be reached', async () => {
    const closed = await startTestDashboard({
      config: `sections:\n  - name: Gone\n    widgets:\n      - type: gl-current-cpu\n        options: { hostname: 'http://127.0.0.1:9' }\n`,
    });
    try {
      const { status, body } = await proxy(closed, 'http://127.0.0.1:9/api/4/cpu');
      expect(status).toBe(502);
      expect((body as { reason: string }).reason).toMatch(/^cannot reach the widget's source: .*ECONNREFUSED/);
    } finally {
      await closed.stop();
    }
  });
});

describe('GET /widgets/proxy with sign-in configured', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  let member: string;
  let admin: string;

  beforeAll(async () => {
    provider = await startTestProvider({
      shape: 'pocket-id',
      clientId: 'widgets-client',
      accounts: [
        { id: 'bob', claims: { preferred_username: 'bob', groups: ['family'] } },
        { id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } },
      ],
    });
    const hidden = `  - name: Admin metrics
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
    widgets:
      - type: gl-current-mem
        options:
          hostname: ${glances.base}/admin-only
          username: root
          password: admin-glances-password
`;
    dashboard = await startTestDashboard({
      config: `appConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: widgets-client\n      endpoint: ${provider.issuer}\n      adminGroup: admins\npages:\n  - name: Lab\n    path: lab.yml\n${widgetSections(glances.base)}${hidden}`,
      files: { 'lab.yml': `sections:\n  - name: Lab box\n    widgets:\n      - type: gl-system-load\n        options: { hostname: '${glances.base}/lab' }\n` },
    });
    member = (await signIn(provider, 'bob')).idToken;
    admin = (await signIn(provider, 'alice')).idToken;
  });
  afterAll(async () => {
    await dashboard.stop();
    await provider.close();
  });

  it('needs a signed-in user when guest access is off', async () => {
    const url = `${glances.base}/api/4/cpu`;
    const signedOut = await proxy(dashboard, url);
    expect(signedOut.status).toBe(401);
    expect(signedOut.body).toEqual({ error: 'unauthorized', reason: 'sign-in required' });
    expect(signedOut.headers.get('cache-control')).toBe('no-store');
    expect((await proxy(dashboard, url, member)).status).toBe(200);
    expect((await proxy(dashboard, url, 'not-a-token')).status).toBe(401);
  });

  it("never forwards the requester's token to the widget's source", async () => {
    await proxy(dashboard, `${glances.base}/api/4/load`, member);
    const request = glances.seen.at(-1);
    expect(request?.path).toBe('/api/4/load');
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request?.headers)).not.toContain(member);
  });

  it('reads sources of visible sub-pages too', async () => {
    const { status } = await proxy(dashboard, `${glances.base}/lab/api/4/load`, member);
    // The stand-in has no /lab prefix: reaching it (404 upstream) proves the proxy let it through.
    expect(status).toBe(502);
    expect(glances.seen.at(-1)?.path).toBe('/lab/api/4/load');
  });

  it('does not proxy a widget hidden from the requester, but does for those who see it', async () => {
    const before = glances.seen.length;
    const hiddenUrl = `${glances.base}/admin-only/api/4/mem`;
    const refused = await proxy(dashboard, hiddenUrl, member);
    expect(refused.status).toBe(403);
    expect(glances.seen.length).toBe(before);

    await proxy(dashboard, hiddenUrl, admin);
    const request = glances.seen.at(-1);
    expect(request?.path).toBe('/admin-only/api/4/mem');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('root:admin-glances-password').toString('base64')}`);
  });

  it('keeps widget secrets out of the filtered view, and the rest of the widget in', async () => {
    const response = await dashboard.get('/conf.yml', member);
    expect(response.headers.get('x-hearth-config-view')).toBe('filtered');
    const text = await response.text();
    for (const secret of [GLANCES_PASSWORD, 'weather-api-key-123', 'admin-glances-password', 'admin-only']) expect(text).not.toContain(secret);
    const sections = (parse(text) as { sections: Array<{ name: string; widgets?: Array<Record<string, unknown>> }> }).sections;
    const widgets = sections.find((section) => section.name === 'System')?.widgets ?? [];
    expect(widgets.find((widget) => widget.type === 'gl-current-mem')).toEqual({
      type: 'gl-current-mem',
      options: { hostname: `${glances.base}/locked`, username: GLANCES_USER },
    });
    expect(widgets.find((widget) => widget.type === 'weather')).toEqual({ type: 'weather', options: { city: 'St-Malo' } });
    expect(widgets.find((widget) => widget.type === 'clock')).toEqual({ type: 'clock', options: { timeZone: 'Europe/Paris' } });

    const json = await fetch(`${dashboard.url}/conf.yml`, { headers: { authorization: `Bearer ${member}`, accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const jsonText = await json.text();
    expect(jsonText).toContain('"gl-current-mem"');
    for (const secret of [GLANCES_PASSWORD, 'weather-api-key-123', 'admin-glances-password']) expect(jsonText).not.toContain(secret);
  });
});

describe('GET /widgets/proxy with guest access', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;

  beforeAll(async () => {
    provider = await startTestProvider({ shape: 'pocket-id', clientId: 'widgets-guest', accounts: [] });
    dashboard = await startTestDashboard({
      config: `appConfig:
  auth:
    enableGuestAccess: true
    enableOidc: true
    oidc: { clientId: widgets-guest, endpoint: '${provider.issuer}' }
sections:
  - name: Public
    widgets:
      - type: gl-current-cpu
        options: { hostname: '${glances.base}' }
  - name: Members
    displayData: { hideForGuests: true }
    widgets:
      - type: gl-current-mem
        options: { hostname: '${glances.base}/members' }
`,
    });
  });
  afterAll(async () => {
    await dashboard.stop();
    await provider.close();
  });

  it('lets a guest read the widgets guests see, and only those', async () => {
    expect((await proxy(dashboard, `${glances.base}/api/4/cpu`)).status).toBe(200);
    expect((await proxy(dashboard, `${glances.base}/members/api/4/mem`)).status).toBe(403);
  });
});
