import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { registerWebApp, WEB_APP_DIR } from '../../src/web-app/routes.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { requireWebAppBuild, webAppManifest } from './support.js';

const SIGN_IN_BUDGET = 40 * 1024;
/** The sign-in screen of an app's authorization, a page of its own (about 19 KB). */
const APP_SIGN_IN_BUDGET = 24 * 1024;

/** The scripts, module preloads and stylesheets a page names, in order. */
function pageAssets(page: string): string[] {
  return [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1]!);
}

/** Every JavaScript file a manifest entry pulls in before it runs (static imports, transitively). */
function staticClosure(manifest: ReturnType<typeof webAppManifest>, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(manifest, imported, seen);
  return seen;
}

describe('the built web app', () => {
  beforeAll(() => requireWebAppBuild());

  it(`keeps the sign-in page's JavaScript under ${SIGN_IN_BUDGET / 1024} KB gzip, without the admin screens`, () => {
    const manifest = webAppManifest();
    const keys = new Set([...staticClosure(manifest, 'index.html'), ...staticClosure(manifest, 'src/routes/login/LoginPage.svelte')]);
    const files = [...keys].map((key) => manifest[key]!.file);
    const gzipped = files.map((file) => gzipSync(readFileSync(join(WEB_APP_DIR, file)), { level: 9 }).length);
    const total = gzipped.reduce((sum, size) => sum + size, 0);
    console.log(`sign-in page JavaScript: ${(total / 1024).toFixed(1)} KB gzip in ${files.length} files`);
    expect(total).toBeLessThan(SIGN_IN_BUDGET);
    expect(files.filter((file) => /Users|Clients|Groups|Audit|Account/.test(file))).toEqual([]);
  });

  it(`keeps the sign-in screen apps send people to (sign-in.html) under ${APP_SIGN_IN_BUDGET / 1024} KB of JavaScript gzip, in one file`, () => {
    const files = pageAssets(readFileSync(join(WEB_APP_DIR, 'sign-in.html'), 'utf8')).filter((file) => file.endsWith('.js'));
    const total = files.map((file) => gzipSync(readFileSync(join(WEB_APP_DIR, file)), { level: 9 }).length).reduce((sum, size) => sum + size, 0);
    console.log(`app sign-in page JavaScript: ${(total / 1024).toFixed(1)} KB gzip in ${files.length} files`);
    expect(files).toHaveLength(1);
    expect(total).toBeLessThan(APP_SIGN_IN_BUDGET);
  });

  it('needs no inline script or style, as the Content-Security-Policy forbids them', () => {
    for (const name of ['index.html', 'sign-in.html']) {
      const page = readFileSync(join(WEB_APP_DIR, name), 'utf8');
      expect(page, name).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page, name).not.toMatch(/<style|\sstyle=/);
      expect(page, name).not.toMatch(/https?:\/\/(?!localhost)/);
    }
  });
});

describe('Hearth ID serving the web app', () => {
  let server: TestServer;
  beforeAll(async () => {
    requireWebAppBuild();
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('serves index.html, uncached and carrying APP_URL, for every screen', async () => {
    for (const path of ['/', '/login', '/setup', '/settings/account', '/admin/users', '/admin/clients/new', '/interaction/abc']) {
      const res = await api(server, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toContain(`<meta name="hearth-app-url" content="${server.url}">`);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('caches hashed assets for a year', async () => {
    const entry = webAppManifest()['index.html']!.file;
    const res = await fetch(new URL(`/${entry}`, server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('sends the hashed assets precompressed, brotli or gzip as the browser takes them', async () => {
    const entry = webAppManifest()['index.html']!.file;
    const plain = readFileSync(join(WEB_APP_DIR, entry));
    let total = 0;
    for (const encoding of ['br', 'gzip'] as const) {
      const res = await fetch(new URL(`/${entry}`, server.url), { headers: { 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const sent = Number(res.headers.get('content-length'));
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(plain.length / 2);
      expect(Buffer.from(await res.arrayBuffer()).equals(plain)).toBe(true);
      total += sent;
    }
    console.log(`main chunk: ${plain.length} bytes, brotli + gzip sent: ${total} bytes`);
    const identity = await fetch(new URL(`/${entry}`, server.url), { headers: { 'accept-encoding': 'identity' } });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(Number(identity.headers.get('content-length'))).toBe(plain.length);
  });

  it("names the first screen's chunks and who is signed in in the page, so nothing waits for the entry script", async () => {
    const manifest = webAppManifest();
    const res = await api(server, 'GET', '/login');
    const screen = manifest['src/routes/login/LoginPage.svelte']!;
    expect(res.body).toContain(`<link rel="modulepreload" crossorigin href="/${screen.file}">`);
    for (const css of screen.css ?? []) expect(res.body).toContain(`href="/${css}"`);
    const boot = /<script type="application\/json" id="hearth-boot">([^<]*)<\/script>/.exec(res.body as string);
    expect(boot).not.toBeNull();
    expect(JSON.parse(boot![1]!)).toMatchObject({ user: null, groups: [] });
  });

  it("serves an app's sign-in screen as a page of its own: one script and one stylesheet, not the app's entry", async () => {
    const res = await api(server, 'GET', '/interaction/abc');
    const body = res.body as string;
    expect(pageAssets(body)).toEqual([expect.stringMatching(/^assets\/sign-in-[\w-]+\.js$/), expect.stringMatching(/^assets\/sign-in-[\w-]+\.css$/)]);
    expect(body).not.toContain(webAppManifest()['index.html']!.file);
    expect(body).toContain(`<meta name="hearth-app-url" content="${server.url}">`);
    expect(body).toContain('id="hearth-boot"');
  });

  it('answers unknown pages with the app and a 404, unknown API paths with JSON', async () => {
    const page = await api(server, 'GET', '/no/such/page');
    expect(page.status).toBe(404);
    expect(page.body).toContain('hearth-app-url');
    const apiPath = await api(server, 'GET', '/api/no-such-thing');
    expect(apiPath.status).toBe(404);
    expect(apiPath.body).toMatchObject({ error: 'not_found' });
  });

  it('says how to build the web app when it is missing', async () => {
    const bare = Fastify();
    await registerWebApp(bare, server.ctx, '/nonexistent');
    const res = await bare.inject({ method: 'GET', url: '/login' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });
});
