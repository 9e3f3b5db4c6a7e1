#!/usr/bin/env node
// Bundles an app's compiled entry (and the packages it imports) into dist/program/, the
// files its bin runs. One file per lazily loaded part instead of hundreds of modules: the
// program starts sooner (no module resolution and file reads for each package) and, minified,
// keeps less source text and bytecode resident. Names are kept, because libraries tell errors
// apart by class and function names. The per-module output in dist/ stays for the tests.
//   node ../../scripts/bundle-program.mjs <entry> [external package ...]   (from the app's folder)
import { rm } from 'node:fs/promises';
import { build } from 'rolldown';
import { asciiLegalComments, builtinsWithoutNamespaces, fastifyServerModulesOnFirstUse, koaResponseCheckWithoutUndici, oidcProviderListsWithoutIcu } from './lib/program-plugins.mjs';

const [entry, ...external] = process.argv.slice(2);
if (!entry) {
  console.error('Usage: bundle-program.mjs <compiled entry> [package kept outside the bundle ...]');
  process.exit(2);
}

await rm('dist/program', { recursive: true, force: true });
await build({
  input: { main: entry },
  platform: 'node',
  // Kept outside: loaded from node_modules, as a package, only when asked for.
  external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
  logLevel: 'warn',
  plugins: [builtinsWithoutNamespaces, fastifyServerModulesOnFirstUse, oidcProviderListsWithoutIcu, koaResponseCheckWithoutUndici, asciiLegalComments],
  // depd (koa's) builds deprecation wrappers with eval; they work unchanged in the bundle.
  onLog(level, log, handler) {
    if (log.code === 'EVAL') return;
    handler(level, log);
  },
  output: {
    dir: 'dist/program',
    format: 'esm',
    minify: true,
    keepNames: true,
    // Non-ASCII characters written as escapes: V8 keeps a script's source text for as long as
    // the program runs, and one character beyond Latin-1 makes it two bytes per character
    // (a 1.2 MB chunk held 2.4 MB).
    charset: 'ascii',
    sourcemap: true,
    chunkFileNames: '[name]-[hash].js',
  },
});
