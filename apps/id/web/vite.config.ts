import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precompress } from '../../../scripts/build/precompress.js';

const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/**
 * The Hearth ID web app, served by Hearth ID itself from dist/web. The server's CSP allows
 * only same-origin scripts and styles, so CSS goes to files (Svelte's emitted CSS) and no
 * inline script or module-preload polyfill is emitted. Assets get .br and .gz copies at build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [svelte({ compilerOptions: { runes: true, css: 'external' } }), precompress(outDir)],
  build: {
    outDir,
    emptyOutDir: true,
    // The size check in the browser tests reads which chunks the sign-in page loads from here.
    manifest: true,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
});
