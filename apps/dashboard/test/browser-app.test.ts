// The browser app's files, when built; a plain page saying so when not; JSON 404s for APIs.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

// Both apps' builds share this module, which lies outside this package's TypeScript root:
// loaded by a path the compiler does not follow.
const PRECOMPRESS = fileURLToPath(new URL('../../../scripts/build/precompress.ts', import.meta.url));
const { precompressFolder } = (await import(PRECOMPRESS)) as { precompressFolder(dir: string): Promise<number> };

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
    const page = await response.text();
    expect(page).toContain('the web app is not built');
    expect(page).toContain('<code>npm run build --workspace apps/dashboard</code>');
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

const bigScript = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word-${i}`))};\n`;

describe('with a built browser app', () => {
  let dashboard: TestDashboard;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'hearth-web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>app</title><div id="app"></div>');
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(webRoot, 'assets', 'big-abc123.js'), bigScript);
    await precompressFolder(webRoot);
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

  it('sends the compressed copy the browser accepts, and the plain file to one that accepts none', async () => {
    const url = `${dashboard.url}/assets/big-abc123.js`;
    const brotli = await fetch(url, { headers: { 'accept-encoding': 'br, gzip' } });
    // fetch decodes by itself; what matters is which encoding went over the wire.
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await brotli.text()).toBe(bigScript);
    const gzip = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(bigScript);
    expect(brotliDecompressSync(await readFile(join(webRoot, 'assets', 'big-abc123.js.br'))).toString()).toBe(bigScript);
    expect(gunzipSync(await readFile(join(webRoot, 'assets', 'big-abc123.js.gz'))).toString()).toBe(bigScript);
  });

  it('lets browsers keep hashed assets for a year and revalidate the page itself', async () => {
    expect((await fetch(`${dashboard.url}/assets/app.js`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${dashboard.url}/`)).headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${dashboard.url}/home/media`, { headers: html })).headers.get('cache-control')).toBe('no-cache');
  });
});
