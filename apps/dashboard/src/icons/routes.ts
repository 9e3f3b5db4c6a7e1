// The icon routes. Everything a dashboard shows comes from this server, so the browser
// never loads from other hosts:
//   /vendor/fontawesome/{css,webfonts}/<file>, /icons/si/<slug>.svg, /icons/mdi/<name>.svg
//     package files, public;
//   /item-icons/<file>  the owner's files in USER_DATA_DIR/item-icons, public as in Dashy;
//   /icons/image?url=, /icons/favicon?url=, /icons/hl/<name>  (fetched-routes.ts)
//   /icons/background?url=, /icons/logo?url=  (page-images.ts)
//     only for what the requester's view of the config names.
// Icons take `title=` (and the item's `url=`) to fall back on: see answers.ts.
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthSettings } from '../auth/settings.js';
import type { ConfigStore } from '../config/store.js';
import { DAY, failure, fallbackIcon, fallbackOf, IconAnswers, letterIcon } from './answers.js';
import { IconDiskCache } from './disk-cache.js';
import { registerFetchedIconRoutes } from './fetched-routes.js';
import { imageHeaders } from './image-type.js';
import { findItemIcon } from './item-icons.js';
import { locateIconPackages, PackageFiles } from './packages.js';
import type { PackageFile } from './packages.js';
import { registerPageImageRoutes } from './page-images.js';
import { RemoteIcons } from './remote-icons.js';

export interface IconRouteDeps {
  store: ConfigStore;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
  userDataDir: string;
  /** Where fetched icons are kept; USER_DATA_DIR/.icon-cache by default. */
  cacheDir: string;
  dashboardIconsUrl: string;
  timeoutMs: number;
  /** Largest icon fetched from another host. */
  maxBytes: number;
}

export const ICON_CACHE_FOLDER = '.icon-cache';
export const DEFAULT_MAX_ICON_BYTES = 1024 * 1024;

type Query = Record<string, unknown>;

export function registerIconRoutes(app: FastifyInstance, deps: IconRouteDeps): void {
  const { authenticate } = deps;
  const packages = new PackageFiles(locateIconPackages());
  const answers = new IconAnswers(deps.store, deps.auth);
  const remote = new RemoteIcons({
    cache: new IconDiskCache(deps.cacheDir),
    dashboardIconsUrl: deps.dashboardIconsUrl,
    timeoutMs: deps.timeoutMs,
    maxBytes: deps.maxBytes,
    log: app.log,
  });

  app.get<{ Params: { folder: string; file: string } }>('/vendor/fontawesome/:folder/:file', async (request, reply) =>
    sendPackageFile(request, reply, await packages.fontAwesome(request.params.folder, request.params.file), 'Font Awesome file'),
  );

  /** A tinted icon the package lacks (renamed, or misspelt) becomes a letter cut out of a tile. */
  const sendTintedIcon = (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply, file: PackageFile | null, what: string) => {
    if (file) return sendPackageFile(request, reply.header('x-hearth-icon', 'package'), file, what);
    if (!('title' in request.query)) return sendPackageFile(request, reply, file, what);
    const fallback = fallbackOf(request.query, 'url');
    if (typeof fallback === 'string') return failure(reply, 400, fallback);
    return answers.send(reply, letterIcon(fallback.title, 'mask', `no such ${what}`), 'stand-in');
  };
  app.get<{ Params: { file: string }; Querystring: Query }>('/icons/si/:file', async (request, reply) =>
    sendTintedIcon(request, reply, await packages.simpleIcon(request.params.file), 'Simple Icons icon'),
  );
  app.get<{ Params: { file: string }; Querystring: Query }>('/icons/mdi/:file', async (request, reply) =>
    sendTintedIcon(request, reply, await packages.mdi(request.params.file), 'Material Design icon'),
  );

  app.get<{ Params: { '*': string }; Querystring: Query }>('/item-icons/*', async (request, reply) => {
    const found = await findItemIcon(deps.userDataDir, request.params['*']);
    if (found.ok) return answers.sendFile(request, reply, found.file, 'public');
    const wantsFallback = found.status === 404 && ('title' in request.query || 'url' in request.query);
    if (!wantsFallback) return failure(reply, found.status, found.reason);
    const fallback = fallbackOf(request.query, 'url');
    if (typeof fallback === 'string') return failure(reply, 400, fallback);
    if (fallback.item !== null) {
      // The file is public; the favicon of an item is only for who may see that item.
      await authenticate.call(app, request, reply);
      if (reply.sent) return reply;
      const item = fallback.item;
      if (!(await answers.lookUp(request, reply, (sources) => sources.itemUrls.has(item) || null))) return reply;
    }
    return answers.send(reply, await fallbackIcon(remote, fallback, found.reason), 'stand-in');
  });

  registerFetchedIconRoutes(app, { answers, remote, authenticate });
  registerPageImageRoutes(app, { answers, remote, authenticate, userDataDir: deps.userDataDir });
}

export function defaultIconCacheDir(userDataDir: string): string {
  return join(userDataDir, ICON_CACHE_FOLDER);
}

function sendPackageFile(request: FastifyRequest, reply: FastifyReply, file: PackageFile | null, what: string): FastifyReply {
  if (!file) return failure(reply, 404, `no such ${what}`);
  reply
    .headers(imageHeaders(file.contentType))
    .header('cache-control', `public, ${DAY}`)
    .header('etag', file.etag)
    .header('vary', 'Accept-Encoding');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}
