import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { handleNotFound } from '../http/errors.js';
import { escapeHtml, html, page } from '../pages/page.js';
import { bootDataBlock, readPreloadHints } from './page-hints.js';
import { loadPasskeyLibrary } from '../passkeys/passkeys.js';
import { signInRateLimit } from '../http/rate-limit.js';
import { packageRoot, staticFiles } from '@hearth/server-kit';

const APP_ROOT = packageRoot(import.meta.url, '@hearth/id');

/** Where `vite build` puts the web app (apps/id/dist/web), from src/, dist/ and the bundle alike. */
export const WEB_APP_DIR = join(APP_ROOT, 'dist', 'web') + sep;

/** The stylesheet and script of the server-drawn pages (src/pages), served at /static/. */
export const PUBLIC_DIR = join(APP_ROOT, 'public') + sep;

/** Screens the web app draws; the fallback below serves it for anything else too, as a 404. */
const INTERACTION_ROUTE = '/interaction/:uid';
const APP_ROUTES = ['/', '/setup', '/login', '/settings', '/settings/*', '/admin', '/admin/*', INTERACTION_ROUTE];

const APP_URL_META = /<meta name="hearth-app-url" content="[^"]*"\s*\/?>/;

/**
 * Serves the Hearth ID web app: hashed assets cached for a year (their .br and .gz copies
 * from the build when the browser takes them), index.html never cached (it names the
 * current assets, carries who is signed in, and APP_URL, which the sign-in screens compare
 * with the address the page was opened at). Without a build, a short page says how to
 * make one instead of a blank screen.
 */
export interface WebAppData {
  /**
   * What the sign-in screen's page carries: its details (GET /interaction/:uid/details) and
   * the passkey options when it offers the passkey button (POST .../passkey-options).
   */
  interactionPage?: (request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) => Promise<unknown>;
}

export async function registerWebApp(app: FastifyInstance, ctx: AppContext, webDir: string = WEB_APP_DIR, data: WebAppData = {}): Promise<void> {
  // Read once at start: the pages and the assets they name belong to one build.
  const readPage = (name: string) => {
    const file = join(webDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8').replace(APP_URL_META, `<meta name="hearth-app-url" content="${escapeHtml(ctx.config.appUrl)}">`) : null;
  };
  const indexHtml = readPage('index.html');
  // The sign-in screen apps send people to, as a page of its own that loads only that screen's
  // code (web/sign-in.html); it names its own script and stylesheet, so it needs no hints.
  const signInHtml = indexHtml === null ? null : readPage('sign-in.html');
  const preloadHints = readPreloadHints(webDir);

  // Their names do not change with their content: browsers ask again each time (304 when unchanged).
  const sendPublic = staticFiles({ root: PUBLIC_DIR, cacheControl: () => 'no-cache' });
  app.get<{ Params: { '*': string } }>('/static/*', async (request, reply) => (await sendPublic(request, reply, request.params['*'])) ?? handleNotFound(request, reply));

  if (existsSync(join(webDir, 'assets'))) {
    // File names carry a content hash, so a name never changes meaning: kept for a year. The
    // build writes .br and .gz beside each asset; these go out with Vary: Accept-Encoding.
    const sendAsset = staticFiles({ root: join(webDir, 'assets'), cacheControl: () => 'public, max-age=31536000, immutable' });
    app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => (await sendAsset(request, reply, request.params['*'])) ?? handleNotFound(request, reply));
  }

  const faviconPath = join(webDir, 'favicon.svg');
  app.get('/favicon.svg', async (request, reply) => {
    if (!existsSync(faviconPath)) return handleNotFound(request, reply);
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(readFileSync(faviconPath));
  });

  /** The details of the interaction a page shows, or null: the screen then asks for them and shows why they failed. */
  async function embeddedInteraction(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const { uid } = request.params as { uid?: string };
    if (!uid || !data.interactionPage) return null;
    return data.interactionPage(request as FastifyRequest<{ Params: { uid: string } }>, reply).catch(() => null);
  }

  async function sendApp(request: FastifyRequest, reply: FastifyReply, status: number, signInPage = false) {
    if (indexHtml === null) {
      return reply
        .code(503)
        .type('text/html')
        .header('cache-control', 'no-store')
        .send(
          page(
            'Web app not built',
            html`<h1>The Hearth ID web app is not built</h1>
<p>The server runs, but the screens for signing in and managing Hearth ID were not built. From the repository run:</p>
<p><code>npm run build</code></p>
<p class="muted">Then restart Hearth ID. The JSON API and the OIDC endpoints work without it.</p>`,
          ),
        );
    }
    // Every screen may lead to a passkey prompt: the library loads while the page does.
    void loadPasskeyLibrary();
    const path = request.url.split('?')[0] ?? '/';
    const shell = signInPage && signInHtml !== null ? signInHtml : indexHtml;
    const hints = shell === signInHtml ? '' : preloadHints(path);
    const head = `${hints}${await bootDataBlock(ctx, request, await embeddedInteraction(request, reply))}</head>`;
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(shell.replace('</head>', () => head));
  }

  for (const path of APP_ROUTES) {
    // The sign-in screen's page carries a fresh passkey challenge, so it counts as a sign-in request.
    const config = path === INTERACTION_ROUTE ? signInRateLimit(ctx.config) : {};
    app.get(path, { config }, async (request, reply) => sendApp(request, reply, 200, path === INTERACTION_ROUTE));
  }

  // Unknown pages get the app (which says "Page not found") with a 404; unknown API paths stay JSON.
  app.get('/*', async (request: FastifyRequest, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/api') return handleNotFound(request, reply);
    return sendApp(request, reply, 404);
  });
}
