// Icons from npm packages (Font Awesome, Simple Icons, Material Design Icons) and from the
// owner's USER_DATA_DIR/item-icons folder: public, strictly named, nothing else readable.
import http from 'node:http';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { PNG, rawGet, SVG } from './support/icon-stand-ins.js';

describe('icons from packages and the item-icons folder', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: 'sections:\n  - name: Tools\n    items:\n      - { title: NAS, icon: Jellyfin.png }\n' });
    await mkdir(join(dashboard.userDataDir, 'item-icons', 'apps'), { recursive: true });
    await writeFile(join(dashboard.userDataDir, 'item-icons', 'Jellyfin.png'), PNG);
    await writeFile(join(dashboard.userDataDir, 'item-icons', 'apps', 'kuma (dark).svg'), SVG);
    await writeFile(join(dashboard.userDataDir, 'item-icons', 'notes.txt'), 'secret');
    await symlink(join(dashboard.userDataDir, 'conf.yml'), join(dashboard.userDataDir, 'item-icons', 'conf.png'));
  });
  afterAll(async () => dashboard.stop());

  it('serves the Font Awesome stylesheet and fonts, compressed and cached', async () => {
    const css = await fetch(`${dashboard.url}/vendor/fontawesome/css/all.min.css`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=86400');
    const text = await css.text();
    expect(text).toContain('.fa-solid');
    expect(text).toContain('url(../webfonts/fa-solid-900.woff2)');
    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve) =>
      http.get(`${dashboard.url}/vendor/fontawesome/css/all.min.css`, { headers: { 'accept-encoding': 'br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }),
    );
    expect(raw.encoding).toBe('br');
    expect(raw.body.length).toBeLessThan(text.length / 3);
    expect(brotliDecompressSync(raw.body).toString()).toBe(text);

    const again = await fetch(`${dashboard.url}/vendor/fontawesome/css/all.min.css`, { headers: { 'if-none-match': css.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const font = await dashboard.get('/vendor/fontawesome/webfonts/fa-solid-900.woff2');
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/woff2');
    expect(Buffer.from(await font.arrayBuffer()).subarray(0, 4).toString()).toBe('wOF2');
  });

  it('serves Simple Icons and Material Design Icons as locked-down SVG', async () => {
    for (const path of ['/icons/si/sonarr.svg', '/icons/si/hive_blockchain.svg', '/icons/mdi/server-network.svg']) {
      const response = await dashboard.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toMatch(/^<svg/);
    }
  });

  it('answers unknown names and every traversal attempt with a JSON 404, never a package file', async () => {
    const attempts = [
      '/icons/si/nosuchbrand.svg',
      '/icons/si/Sonarr.svg',
      '/icons/si/sonarr.png',
      '/icons/si/..%2Fpackage.json',
      '/icons/si/..%2F..%2F..%2Fpackage.json',
      '/icons/mdi/nosuchicon.svg',
      '/icons/mdi/..%2F..%2Fpackage.json',
      '/vendor/fontawesome/js/fontawesome.js',
      '/vendor/fontawesome/css/..%2Fpackage.json',
      '/vendor/fontawesome/__proto__/all.css',
      '/vendor/fontawesome/webfonts/fa-nosuch.woff2',
    ];
    for (const path of attempts) {
      const response = await dashboard.get(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error, path).toBe('not found');
    }
    const raw = await rawGet(dashboard.url, '/icons/si/../../package.json');
    expect(raw.body).not.toContain('"version"');
  });

  it('serves image files from USER_DATA_DIR/item-icons', async () => {
    const png = await dashboard.get('/item-icons/Jellyfin.png');
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(Buffer.from(await png.arrayBuffer())).toEqual(PNG);
    const svg = await dashboard.get(`/item-icons/apps/${encodeURIComponent('kuma (dark).svg')}`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect((await dashboard.get('/item-icons/jellyfin.png')).status).toBe(404);
  });

  it('serves nothing else from USER_DATA_DIR', async () => {
    for (const path of ['/item-icons/..%2Fconf.yml', '/item-icons/notes.txt', '/item-icons/.hidden.png', '/item-icons/apps/..%2F..%2Fconf.yml']) {
      expect([400, 404], path).toContain((await dashboard.get(path)).status);
    }
    const symlinked = await dashboard.get('/item-icons/conf.png');
    expect(symlinked.status).toBe(404);
    expect(await symlinked.text()).not.toContain('sections');
    for (const path of ['/item-icons/../conf.yml', '/item-icons/apps/../../conf.yml', '/item-icons/%2e%2e/conf.yml']) {
      const raw = await rawGet(dashboard.url, path);
      expect(raw.body, path).not.toContain('sections:');
    }
  });
});
