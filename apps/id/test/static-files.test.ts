// What Hearth ID loads and serves at start: /static/ and the web app's files through the
// small file sender it shares with the dashboard, and no PostgreSQL driver on SQLite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplica } from './support/replica.js';
import { freePort, startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from './support/server.js';

describe('/static/', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('serves the pages\' stylesheet, revalidated each time and answered with 304 when unchanged', async () => {
    const first = await fetch(`${server.url}/static/page.css`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(await first.text()).toBe(readFileSync(new URL('../public/page.css', import.meta.url), 'utf8'));
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(`${server.url}/static/page.css`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('serves nothing outside public/', async () => {
    for (const path of ['/static/..%2fpackage.json', '/static/%2e%2e/package.json', '/static/..%2f..%2fpackage.json', '/static/.%2e/src/boot.ts', '/static/']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toMatch(/"name": "@hearth|startIdServer/);
    }
  });
});

describe('hearth-id on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-modules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundled program, without the PostgreSQL driver', { timeout: 120_000 }, async () => {
    // Notes every module the process resolves (import and require alike) and prints them at exit.
    const hook = join(dir, 'record-modules.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
const loaded = new Set();
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); loaded.add(result.url); return result; } });
process.on('exit', () => process.stdout.write('\\nMODULES ' + JSON.stringify([...loaded]) + '\\n'));
`,
    );
    const replica = await startReplica('modules', await freePort(), {
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DB_CONNECTION_STRING: join(dir, 'hearth-id.db'),
      NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`,
    });
    expect((await fetch(`http://127.0.0.1:${replica.port}/static/page.css`)).status).toBe(200);
    await replica.stop();
    const line = replica.output().split('\n').find((text) => text.startsWith('MODULES '));
    const modules = JSON.parse(line!.slice('MODULES '.length)) as string[];
    // The record is real: the bundled program's files are in it.
    expect(modules.some((url) => url.includes('/apps/id/dist/program/main.js'))).toBe(true);
    expect(modules.some((url) => /\/apps\/id\/dist\/program\/server-[\w-]+\.js$/.test(url))).toBe(true);
    // The bundle holds every package the server runs on; pg alone stays outside, loaded
    // only for PostgreSQL, so on SQLite nothing at all comes from node_modules.
    expect(modules.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });
});
