// What a browser downloads before the dashboard can render: the app's own JavaScript, without
// the chunks that only some people load (OIDC sign-in, the editor, widgets), stays small.
// Dashy 4.0.6 sends 258 KB gzip of JavaScript and 35 KB of CSS on first load.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const FIRST_LOAD_BUDGET = 50 * 1024;

type Manifest = Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; css?: string[]; isEntry?: boolean }>;

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(WEB_ROOT, '.vite', 'manifest.json'), 'utf8')) as Manifest;
}

/** Every chunk an entry pulls in before it runs (static imports, transitively). */
function staticClosure(chunks: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of chunks[key]?.imports ?? []) staticClosure(chunks, imported, seen);
  return seen;
}

function gzipSize(file: string): number {
  return gzipSync(readFileSync(join(WEB_ROOT, file)), { level: 9 }).length;
}

describe('the built dashboard web app', () => {
  beforeAll(() => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) {
      throw new Error(`The dashboard web app is not built (${WEB_ROOT}index.html is missing). Run: npm run build --workspace apps/dashboard`);
    }
  });

  it(`keeps the first load's JavaScript under ${FIRST_LOAD_BUDGET / 1024} KB gzip`, () => {
    const chunks = manifest();
    const keys = [...staticClosure(chunks, 'index.html')];
    const files = keys.map((key) => chunks[key]!.file);
    const total = files.reduce((sum, file) => sum + gzipSize(file), 0);
    const css = keys.flatMap((key) => chunks[key]!.css ?? []).reduce((sum, file) => sum + gzipSize(file), 0);
    console.log(`first load: ${(total / 1024).toFixed(1)} KB gzip JavaScript in ${files.length} files, ${(css / 1024).toFixed(1)} KB gzip CSS (Dashy 4.0.6: 258 KB + 35 KB)`);
    expect(total).toBeLessThan(FIRST_LOAD_BUDGET);
  });

  it('leaves sign-in, YAML, validation and the editor out of the first load', () => {
    const chunks = manifest();
    const firstLoad = [...staticClosure(chunks, 'index.html')];
    const text = firstLoad.map((key) => readFileSync(join(WEB_ROOT, chunks[key]!.file), 'utf8')).join('\n');
    // Markers of each library: oidc-client-ts's UserManager, CodeMirror's EditorView, yaml's
    // document parser and zod's error type. Their names survive minification as strings.
    expect(firstLoad.filter((key) => /node_modules\/(oidc-client-ts|@codemirror|codemirror|yaml|zod)\//.test(key))).toEqual([]);
    expect(text).not.toContain('oidc-client-ts');
    expect(text).not.toContain('cm-editor');
    // The lazy chunks exist and are reachable by import().
    const lazy = Object.values(chunks).flatMap((chunk) => chunk.dynamicImports ?? []);
    expect(lazy.length).toBeGreaterThan(0);
  });

  it('needs no inline script and loads nothing from other hosts', () => {
    const index = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/(src|href)="https?:/);
  });
});
