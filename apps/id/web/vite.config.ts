import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precompressFolder } from '../../../scripts/build/precompress.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

const shared = {
  root,
  base: '/',
  build: { outDir, modulePreload: { polyfill: false }, target: 'es2022', reportCompressedSize: false },
} as const;
const sveltePlugin = () => svelte({ compilerOptions: { runes: true, css: 'external' } });

/**
 * After the app's build: the sign-in screen apps send people to (sign-in.html, served at
 * /interaction/<uid>) as a page of its own, built alone so that it is one script and one
 * stylesheet (it repeats the Svelte runtime the app's chunks hold, 50 KB, 19 KB gzip) instead
 * of the app's entry and five chunks. Then a .br and a .gz copy of every asset of both.
 */
function signInPageThenPrecompress(): Plugin {
  return {
    name: 'hearth-sign-in-page',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        configFile: false,
        logLevel: 'warn',
        plugins: [sveltePlugin()],
        build: { ...shared.build, emptyOutDir: false, manifest: false, rollupOptions: { input: { 'sign-in': fileURLToPath(new URL('sign-in.html', import.meta.url)) } } },
      });
      await precompressFolder(outDir);
    },
  };
}

/**
 * The Hearth ID web app, served by Hearth ID itself from dist/web. The server's CSP allows
 * only same-origin scripts and styles, so CSS goes to files (Svelte's emitted CSS) and no
 * inline script or module-preload polyfill is emitted. Assets get .br and .gz copies at build.
 */
export default defineConfig({
  ...shared,
  plugins: [sveltePlugin(), signInPageThenPrecompress()],
  build: {
    ...shared.build,
    emptyOutDir: true,
    // The size check in the browser tests reads which chunks the sign-in page loads from here.
    manifest: true,
  },
});
