// The file sender both apps serve their web app with, on a real Fastify server and real
// files: compressed copies by what the browser accepts, revalidation, cache headers, and
// nothing outside the folder.
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { staticFiles } from '@hearth/server-kit';

const script = `export const words = ${JSON.stringify(Array.from({ length: 300 }, (_, i) => `word-${i}`))};\n`;

/** Above the size the sender reads at once: streamed. */
const big = Buffer.alloc(3 * 1024 * 1024 + 7, 7);

/** A raw request: fetch would decode the body and hide what went over the wire. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the static file sender', () => {
  let dir: string;
  let root: string;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-static-'));
    root = join(dir, 'web');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(root, 'assets', 'app-abc.js'), script);
    await writeFile(join(root, 'assets', 'app-abc.js.br'), brotliCompressSync(script));
    await writeFile(join(root, 'assets', 'app-abc.js.gz'), gzipSync(script));
    await writeFile(join(root, 'assets', 'only-gzip.css'), 'body{}');
    await writeFile(join(root, 'assets', 'only-gzip.css.gz'), gzipSync('body{}'));
    await writeFile(join(root, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(join(root, 'assets', 'big.wasm'), big);
    await writeFile(join(root, '.env'), 'SECRET=1');
    await writeFile(join(dir, 'secret.txt'), 'outside the folder');
    await writeFile(join(root, 'orphan.js.br'), brotliCompressSync('no plain file'));
    await symlink(join(root, 'assets', 'app-abc.js'), join(root, 'linked.js'));
    await utimes(join(root, 'index.html'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));

    const send = staticFiles({ root, cacheControl: (path) => (path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache') });
    app = Fastify();
    app.get<{ Params: { '*': string } }>('/*', async (request, reply) => (await send(request, reply, request.params['*'])) ?? reply.code(404).send({ error: 'not found' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends brotli to a browser that takes it, gzip to one that takes only that, and the plain file otherwise', async () => {
    const brotli = await get(`${base}/assets/app-abc.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.status).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotli.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(brotli.headers['content-length'])).toBe(brotli.body.length);
    expect(brotli.body.equals(brotliCompressSync(script))).toBe(true);

    const gzip = await get(`${base}/assets/app-abc.js`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.equals(gzipSync(script))).toBe(true);

    const plain = await get(`${base}/assets/app-abc.js`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body.toString()).toBe(script);

    // Only a .gz beside it: a brotli-first browser gets that.
    const css = await get(`${base}/assets/only-gzip.css`, { 'accept-encoding': 'br, gzip' });
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    // Different bytes, different validators: a cache never mixes them up.
    expect(brotli.headers.etag).not.toBe(gzip.headers.etag);
    expect(gzip.headers.etag).not.toBe(plain.headers.etag);
  });

  it('lets hashed files be kept for a year and makes the rest revalidate', async () => {
    expect((await get(`${base}/assets/logo.png`)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const png = await get(`${base}/assets/logo.png`, { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect((await get(`${base}/index.html`)).headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 when the browser holds the same version, by ETag or by date', async () => {
    const first = await get(`${base}/index.html`);
    expect(first.status).toBe(200);
    expect(first.headers['last-modified']).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    const etag = String(first.headers.etag);
    const byTag = await get(`${base}/index.html`, { 'if-none-match': `"other", ${etag}` });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers.etag).toBe(etag);
    expect(byTag.headers['cache-control']).toBe('no-cache');
    expect((await get(`${base}/index.html`, { 'if-none-match': 'W/"stale"' })).status).toBe(200);
    expect((await get(`${base}/index.html`, { 'if-modified-since': 'Fri, 02 Jan 2026 03:04:05 GMT' })).status).toBe(304);
    expect((await get(`${base}/index.html`, { 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' })).status).toBe(200);
    // A stale ETag wins over a matching date.
    expect((await get(`${base}/index.html`, { 'if-none-match': '"stale"', 'if-modified-since': 'Fri, 02 Jan 2026 03:04:05 GMT' })).status).toBe(200);
  });

  it('sends the whole file to a range request, and headers without a body to HEAD', async () => {
    const ranged = await get(`${base}/assets/app-abc.js`, { range: 'bytes=0-9', 'accept-encoding': 'identity' });
    expect(ranged.status).toBe(200);
    expect(ranged.headers['accept-ranges']).toBeUndefined();
    expect(ranged.body.toString()).toBe(script);
    const head = await get(`${base}/assets/app-abc.js`, { 'accept-encoding': 'identity' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(script)));
    expect(head.body.length).toBe(0);
    const streamed = await get(`${base}/assets/big.wasm`);
    expect(streamed.headers['content-type']).toBe('application/wasm');
    expect(streamed.headers['content-length']).toBe(String(big.length));
    expect(streamed.body.equals(big)).toBe(true);
    const bigHead = await get(`${base}/assets/big.wasm`, {}, 'HEAD');
    expect(bigHead.headers['content-length']).toBe(String(big.length));
    expect(bigHead.body.length).toBe(0);
  });

  it('serves nothing outside the folder, no dot-files, no folders, and no compressed copy without its file', async () => {
    for (const path of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/.env', '/assets/%2e%2e/.env', '/index.html%00.js', '/assets', '/assets/', '/orphan.js']) {
      const response = await get(`${base}${path}`, { 'accept-encoding': 'br' });
      expect(response.status, path).toBe(404);
      expect(response.body.toString(), path).not.toMatch(/outside the folder|SECRET|no plain file/);
    }
    // A symlink inside the folder is followed, as a build may make one.
    expect((await get(`${base}/linked.js`, { 'accept-encoding': 'identity' })).body.toString()).toBe(script);
  });
});
