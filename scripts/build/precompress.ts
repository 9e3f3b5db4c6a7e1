// After the build, writes a .br and a .gz copy beside every text asset worth compressing,
// so the server sends compressed bytes without compressing on every request.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|map|txt|ttf|woff)$/;
/** Below this, the headers of a compressed answer cost more than they save. */
const MIN_BYTES = 1024;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function compressOne(file: string): Promise<void> {
  const body = await readFile(file);
  const [brotli, gzipped] = await Promise.all([
    brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gzipAsync(body, { level: 9 }),
  ]);
  // A compressed copy that is not smaller is worse than none.
  if (brotli.length < body.length) await writeFile(`${file}.br`, brotli);
  if (gzipped.length < body.length) await writeFile(`${file}.gz`, gzipped);
}

/** Compresses on libuv's thread pool, so the files go in parallel. */
export async function precompressFolder(dir: string): Promise<number> {
  const work: Promise<void>[] = [];
  for await (const file of files(dir)) {
    if (COMPRESSIBLE.test(file) && (await stat(file)).size >= MIN_BYTES) work.push(compressOne(file));
  }
  await Promise.all(work);
  return work.length;
}

export function precompress(outDir: string): Plugin {
  return {
    name: 'hearth-precompress',
    apply: 'build',
    async closeBundle() {
      await precompressFolder(outDir);
    },
  };
}
