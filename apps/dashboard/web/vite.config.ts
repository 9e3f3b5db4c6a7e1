import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { compileEntryEagerly } from './build/compile-hints.js';
import { precompress } from '../../../scripts/build/precompress.js';

const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/**
 * The dashboard's browser app, served by the dashboard server from dist/web. The server's
 * CSP allows only same-origin scripts and styles, so CSS goes to files and no inline script
 * or module-preload polyfill is emitted. Sign-in (oidc-client-ts), the editor (CodeMirror,
 * yaml, zod) and widgets are separate chunks loaded with import() when needed.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [svelte({ compilerOptions: { runes: true, css: 'external' } }), compileEntryEagerly(), precompress(outDir)],
  build: {
    outDir,
    emptyOutDir: true,
    // The size budget test reads which chunks the first load needs from here.
    manifest: true,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
});
