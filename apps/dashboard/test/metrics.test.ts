// /metrics on the dashboard (docs/metrics.md): off unless METRICS_PORT is set, then on its
// own address only, with counters that move by exactly what happened.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LATENCY_BUCKETS, parseMetricsText, sampleValue } from '@hearth/server-kit';
import type { MetricFamily } from '@hearth/server-kit';
import { readDashboardEnv } from '../src/index.js';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { closedBase, send, standIn } from './support/icon-stand-ins.js';
import type { StandIn } from './support/icon-stand-ins.js';

/** Servers of this process that are listening (the dashboard's, and the metrics' when on). */
function listeningServers(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle) => handle instanceof Server && handle.listening).length;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseMetricsText(await response.text());
}

/** How much a series moved between two scrapes (absent counts as 0). */
function moved(earlier: Map<string, MetricFamily>, later: Map<string, MetricFamily>, name: string, labels: Record<string, string>): number {
  return (sampleValue(later, name, labels) ?? 0) - (sampleValue(earlier, name, labels) ?? 0);
}

describe('metrics configuration', () => {
  it('is off unless METRICS_PORT is set, and listens on loopback by default', () => {
    expect(readDashboardEnv({}, '/x').metrics).toBeUndefined();
    expect(readDashboardEnv({ METRICS_PORT: '9465' }, '/x').metrics).toEqual({ port: 9465, host: '127.0.0.1' });
    expect(readDashboardEnv({ METRICS_PORT: '9465', METRICS_HOST: '::' }, '/x').metrics).toEqual({ port: 9465, host: '::' });
  });

  it.each([
    [{ METRICS_PORT: 'abc' }, 'invalid METRICS_PORT="abc": expected a port number'],
    [{ METRICS_PORT: '0' }, 'invalid METRICS_PORT="0": expected a port number from 1 to 65535'],
    [{ METRICS_PORT: '4000' }, 'METRICS_PORT must differ from PORT (both are 4000)'],
    [{ METRICS_HOST: '127.0.0.1' }, 'METRICS_HOST is set but METRICS_PORT is not'],
  ])('refuses %j', (env, message) => {
    expect(() => readDashboardEnv(env, '/x')).toThrow(message);
  });
});

describe('metrics off (the default)', () => {
  it('opens no listener besides the dashboard, which serves no metrics', async () => {
    const before = listeningServers();
    const dashboard = await startTestDashboard({ config: 'pageInfo:\n  title: Plain\n' });
    try {
      expect(listeningServers() - before).toBe(1);
      const response = await fetch(`${dashboard.url}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('# TYPE');
    } finally {
      await dashboard.stop();
    }
  });
});

describe('metrics on', () => {
  let dashboard: TestDashboard;
  let service: StandIn;
  let down: string;
  let metricsUrl: string;
  let before: number;

  beforeAll(async () => {
    service = await standIn({ '/': send('text/plain', 'ok') });
    down = await closedBase();
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    before = listeningServers();
    dashboard = await startTestDashboard({
      metrics: { port, host: '127.0.0.1' },
      config: `pageInfo:\n  title: Metrics\npages:\n  - name: Work\n    path: work.yml\nsections:\n  - name: Services\n    items:\n      - title: Up\n        url: ${service.base}/\n      - title: Down\n        url: ${down}/\n`,
      files: { 'work.yml': 'pageInfo:\n  title: Work\nsections: []\n' },
    });
  });
  afterAll(async () => {
    await dashboard?.stop();
    await service?.close();
  });

  it('listens on its own address; the dashboard port has no metrics and the metrics port nothing else', async () => {
    expect(listeningServers() - before).toBe(2);
    const onApp = await fetch(`${dashboard.url}/metrics`);
    expect(onApp.status).toBe(404);
    expect(await onApp.text()).not.toContain('# TYPE');
    expect((await fetch(metricsUrl.replace('/metrics', '/conf.yml'))).status).toBe(404);
  });

  it('counts conf.yml views from the cache and rendered, and requests by route', async () => {
    const start = await scrape(metricsUrl);
    for (let index = 0; index < 3; index += 1) expect((await dashboard.get('/conf.yml')).status).toBe(200);
    for (let index = 0; index < 2; index += 1) expect((await dashboard.get('/work.yml')).status).toBe(200);
    const end = await scrape(metricsUrl);
    // conf.yml: rendered once, then twice from the cache; a sub-page is read and rendered each time.
    expect(moved(start, end, 'hearth_dashboard_config_views_total', { source: 'rendered' })).toBe(3);
    expect(moved(start, end, 'hearth_dashboard_config_views_total', { source: 'cache' })).toBe(2);
    // Whether answered ahead of the router or by it, conf.yml has one route label.
    expect(moved(start, end, 'hearth_dashboard_http_requests_total', { method: 'GET', route: '/conf.yml', status: '2xx' })).toBe(3);
    expect(moved(start, end, 'hearth_dashboard_http_requests_total', { method: 'GET', route: '/:file(^[^/]+\\.ya?ml$)', status: '2xx' })).toBe(2);
  });

  it('counts status checks by result', async () => {
    const start = await scrape(metricsUrl);
    const check = (url: string) => dashboard.get(`/status-check?url=${encodeURIComponent(url)}`);
    expect((await (await check(`${service.base}/`)).json()).successStatus).toBe(true);
    expect((await (await check(`${down}/`)).json()).successStatus).toBe(false);
    expect((await check('http://not-an-item.example/')).status).toBe(403);
    expect((await dashboard.get('/status-check')).status).toBe(400);
    const end = await scrape(metricsUrl);
    for (const result of ['up', 'down', 'refused', 'invalid']) {
      expect(moved(start, end, 'hearth_dashboard_status_checks_total', { result })).toBe(1);
    }
    expect(moved(start, end, 'hearth_dashboard_http_requests_total', { method: 'GET', route: '/status-check', status: '2xx' })).toBe(2);
  });

  it('counts saves by result', async () => {
    const start = await scrape(metricsUrl);
    expect((await dashboard.save({ config: 'pageInfo:\n  title: Saved\n', filename: 'work.yml' })).status).toBe(200);
    expect((await dashboard.save({ config: 'sections: [unclosed', filename: 'work.yml' })).status).toBe(400);
    expect((await dashboard.save('{"not": "a save"}')).status).toBe(400);
    // Turning saving off is the last save allowed.
    expect((await dashboard.save({ config: 'pageInfo:\n  title: Locked\nappConfig:\n  disableConfiguration: true\n' })).status).toBe(200);
    expect((await dashboard.save({ config: 'pageInfo:\n  title: Again\n' })).status).toBe(403);
    const end = await scrape(metricsUrl);
    expect(moved(start, end, 'hearth_dashboard_saves_total', { result: 'saved' })).toBe(2);
    expect(moved(start, end, 'hearth_dashboard_saves_total', { result: 'invalid' })).toBe(2);
    expect(moved(start, end, 'hearth_dashboard_saves_total', { result: 'refused' })).toBe(1);
    expect(moved(start, end, 'hearth_dashboard_saves_total', { result: 'failed' })).toBe(0);
  });

  it('writes well-formed histograms and process figures', async () => {
    const families = await scrape(metricsUrl);
    const histogram = families.get('hearth_dashboard_http_request_duration_seconds')!;
    const bounds = new Set(histogram.samples.filter((sample) => sample.name.endsWith('_bucket')).map((sample) => sample.labels.le));
    expect([...bounds]).toEqual([...DEFAULT_LATENCY_BUCKETS.map(String), '+Inf']);
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(families, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
  });
});

describe('metrics from the hearth-dashboard command', () => {
  it('serves /metrics on METRICS_PORT and closes it on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-metrics-'));
    await writeFile(join(dir, 'conf.yml'), 'pageInfo:\n  title: CLI\n');
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [join(inject('dashboardBuild'), 'main.js')], {
      env: { PATH: process.env.PATH ?? '', USER_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: String(metricsPort) },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Server listening')) resolve();
        });
        child.on('exit', () => reject(new Error(`exited before listening: ${output}`)));
      });
      const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(families.get('hearth_dashboard_http_requests_total')?.type).toBe('counter');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});
