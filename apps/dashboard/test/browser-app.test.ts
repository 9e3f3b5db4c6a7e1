// The browser app's files, when built; a plain page saying so when not; JSON 404s for APIs.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

const html = { accept: 'text/html,application/xhtml+xml' };

describe('without a built browser app', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: 'sections: []\n', webRoot: join(tmpdir(), 'no-such-web-root') });
  });
  afterAll(async () => dashboard.stop());

  it('says so on the home page', async () => {
    const response = await fetch(`${dashboard.url}/`, { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('the web app is not built');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${dashboard.url}/settings`, { headers: html });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not found', reason: 'no route for GET /settings' });
  });

  it('answers /healthz and serves the JSON Schema', async () => {
    expect(await (await dashboard.get('/healthz')).json()).toEqual({ status: 'ok' });
    const schema = (await (await dashboard.get('/conf.schema.json')).json()) as { properties: object };
    expect(Object.keys(schema.properties)).toContain('sections');
  });
});

describe('with a built browser app', () => {
  let dashboard: TestDashboard;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'hearth-web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title><div id="app"></div>');
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
    dashboard = await startTestDashboard({ config: 'sections: []\n', webRoot });
  });
  afterAll(async () => {
    await dashboard.stop();
    await rm(webRoot, { recursive: true, force: true });
  });

  it('serves its files and falls back to index.html for client-side routes', async () => {
    expect(await (await fetch(`${dashboard.url}/`)).text()).toContain('<div id="app">');
    expect(await (await fetch(`${dashboard.url}/assets/app.js`)).text()).toBe('console.log(1)');
    const route = await fetch(`${dashboard.url}/workspace/media`, { headers: html });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
  });

  it('does not answer API-looking requests with the app', async () => {
    expect((await fetch(`${dashboard.url}/missing.yml`, { headers: html })).status).toBe(404);
    expect((await fetch(`${dashboard.url}/nothing-here`, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await dashboard.get('/conf.yml')).headers.get('content-type')).toBe('application/yaml; charset=utf-8');
  });
});
