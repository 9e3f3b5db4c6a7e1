// Sends the files of a built web app from disk: the .br or .gz copy the build wrote beside a
// file when the browser takes it, a weak ETag and Last-Modified for revalidation (304), the
// Cache-Control the caller chooses per file, and no byte ranges (a range request gets the
// whole file). Paths come from the URL, so only plain names inside the folder are served: no
// "..", no dot-files, no backslashes or NUL; symlinks inside the folder are followed.
// It stands in for @fastify/static, whose dependencies (glob, @fastify/send, mime-db) cost
// about 11 MB of memory loaded alone.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The types of what the builds and public folders hold; anything else goes out as bytes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The files scripts/build/precompress.ts may have written a .br and a .gz copy of. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|map|txt|ttf|woff)$/;

const STREAM_ABOVE_BYTES = 1024 * 1024;

export interface StaticFilesOptions {
  /** The folder served. */
  root: string;
  /** Cache-Control for a file, by its path inside root ("/" separators). */
  cacheControl(path: string): string;
}

/** Sends the file at a path inside root; resolves to null (nothing sent) when there is none. */
export type SendStaticFile = (request: FastifyRequest, reply: FastifyReply, path: string) => Promise<FastifyReply | null>;

/** A path from the URL (already percent-decoded) as one inside the folder, or null when it may not be served. */
export function safeFilePath(root: string, path: string): string | null {
  if (path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment.startsWith('.'))) return null;
  const base = resolve(root);
  const file = resolve(base, ...segments);
  return file.startsWith(base + sep) ? file : null;
}

/** The content codings the request accepts (q=0 refuses one; "*" stands for any). */
function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const quality = params.find((param) => param.startsWith('q='));
    if (name === '' || (quality !== undefined && !(Number(quality.slice(2)) > 0))) continue;
    accepted.add(name);
  }
  if (accepted.has('*')) accepted.add('br').add('gzip');
  return accepted;
}

interface OpenFile {
  handle: FileHandle;
  stats: Stats;
}

/** Opens a regular file, or answers null; the open handle is what is sent, so a file swapped meanwhile cannot slip in. */
async function openFile(path: string): Promise<OpenFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, stats };
  } catch {
    // Fall through: treated as missing.
  }
  await handle.close();
  return null;
}

const etagOf = (stats: Stats): string => `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;

/** Whether the browser's copy is still good: If-None-Match when sent, otherwise If-Modified-Since. */
function notModified(request: FastifyRequest, etag: string, stats: Stats): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(stats.mtimeMs / 1000) * 1000 <= since;
}

export function staticFiles(options: StaticFilesOptions): SendStaticFile {
  return async (request, reply, path) => {
    const file = safeFilePath(options.root, path);
    if (file === null) return null;
    const original = await openFile(file);
    if (original === null) return null;

    let sent = original;
    let encoding: string | null = null;
    const compressible = COMPRESSIBLE.test(file);
    if (compressible) {
      const accepted = acceptedEncodings(request.headers['accept-encoding']);
      for (const [coding, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
        if (!accepted.has(coding)) continue;
        const copy = await openFile(file + suffix);
        if (copy === null) continue;
        await original.handle.close();
        sent = copy;
        encoding = coding;
        break;
      }
    }

    const relative = file.slice(resolve(options.root).length + 1).split(sep).join('/');
    const etag = etagOf(sent.stats);
    reply.header('etag', etag);
    reply.header('last-modified', sent.stats.mtime.toUTCString());
    reply.header('cache-control', options.cacheControl(relative));
    if (compressible) reply.header('vary', 'accept-encoding');
    if (notModified(request, etag, sent.stats)) {
      await sent.handle.close();
      return reply.code(304).send();
    }
    reply.code(200);
    reply.header('content-type', TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    reply.header('content-length', String(sent.stats.size));
    if (encoding !== null) reply.header('content-encoding', encoding);
    // A web app's files are small: read at once, the handle is closed before the answer goes
    // out. Anything large is streamed (for HEAD, Fastify drops the body and keeps the length).
    if (sent.stats.size > STREAM_ABOVE_BYTES) return reply.send(sent.handle.createReadStream());
    try {
      return reply.send(await sent.handle.readFile());
    } finally {
      await sent.handle.close();
    }
  };
}
