// Builds the dashboard's Fastify app: config loaded and validated, auth wired, routes
// registered. It does not listen; the CLI (or a test) decides where.
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { loadAuthSettingsAtStart, setUpSignIn } from './auth/setup.js';
import { answerCachedViewsFirst, requestIds } from './config/cached-answers.js';
import type { CachedAnswerListener } from './config/cached-answers.js';
import { errorName, registerConfigRoutes } from './config/routes.js';
import { ConfigStore } from './config/store.js';
import { registerSaveRoute } from './saving/routes.js';
import { ConfigSaver, DEFAULT_MAX_CONFIG_BYTES } from './saving/save.js';
import { removeStaleTempFiles } from './saving/atomic-write.js';
import { registerStatusCheckRoute } from './status-check/routes.js';
import { defaultIconCacheDir, DEFAULT_MAX_ICON_BYTES, registerIconRoutes } from './icons/routes.js';
import { DEFAULT_DASHBOARD_ICONS_URL } from './icons/remote-icons.js';
import { registerWidgetProxyRoute } from './widgets/routes.js';
import { registerWebApp } from './browser-app/serve.js';
import { addSecurityHeaders, countFastifyRequests, packageRoot, securityHeaders, withoutRouteSchemas } from '@hearth/server-kit';
import type { MetricsAddress, MetricsListener } from '@hearth/server-kit';
import { createDashboardMetrics } from './metrics/dashboard-metrics.js';
import type { DashboardMetrics } from './metrics/dashboard-metrics.js';

export interface DashboardServerOptions {
  /** Folder holding conf.yml, sub-pages and .backups/. */
  userDataDir: string;
  /** A pino logger; silent when omitted. */
  logger?: Logger;
  /** The built browser app; defaults to dist/web next to this package. */
  webRoot?: string;
  maxConfigBytes?: number;
  statusCheckTimeoutMs?: number;
  /** How long an unreachable identity provider is left alone before the next try. */
  providerRetryAfterMs?: number;
  trustProxy?: boolean;
  /** How long a look at conf.yml on disk stays good (default 1000 ms); saves show at once. */
  configFreshnessMs?: number;
  /** How long a built-in user's session lasts (default 7 days). */
  sessionLifetimeSeconds?: number;
  /** Base URL of dashboard-icons (`hl-` icons); DASHBOARD_ICONS_URL. */
  dashboardIconsUrl?: string;
  /** Where icons fetched from other hosts are kept; default USER_DATA_DIR/.icon-cache. */
  iconCacheDir?: string;
  iconFetchTimeoutMs?: number;
  /** Called for each `GET /conf.yml` answered from memory ahead of Fastify's router (config/cached-answers.ts). */
  onCachedAnswer?: CachedAnswerListener;
  /** Where to serve /metrics (METRICS_PORT, METRICS_HOST); off when omitted. */
  metrics?: MetricsAddress;
}

const DEFAULT_WEB_ROOT = join(packageRoot(import.meta.url, '@hearth/dashboard'), 'dist', 'web');

/** Throws ConfigError (with file, line and path) when conf.yml is missing or invalid. */
export async function createDashboardServer(options: DashboardServerOptions): Promise<FastifyInstance> {
  const log = options.logger ?? pino({ level: 'silent' });
  const store = await ConfigStore.open(options.userDataDir, log, options.configFreshnessMs, { watch: true });
  const auth = loadAuthSettingsAtStart(await store.root(), options.userDataDir);
  const saver = new ConfigSaver(options.userDataDir, { maxBytes: options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES });
  const leftovers = await removeStaleTempFiles(options.userDataDir);
  if (leftovers.length > 0) log.info({ files: leftovers }, 'removed temporary files of an interrupted save');

  const signIn = await setUpSignIn({
    auth,
    userDataDir: options.userDataDir,
    root: () => store.root(),
    log,
    providerRetryAfterMs: options.providerRetryAfterMs,
    sessionLifetimeSeconds: options.sessionLifetimeSeconds,
  });
  const { authenticate } = signIn;

  const trustProxy = options.trustProxy ?? false;
  const genReqId = requestIds();
  const app = Fastify({ loggerInstance: log, trustProxy, genReqId, schemaController: withoutRouteSchemas }) as unknown as FastifyInstance;
  app.decorateRequest('auth', null);
  // With metrics off no hook is added: requests pay nothing for them.
  const metrics = options.metrics ? createDashboardMetrics(log) : null;
  if (metrics && options.metrics) {
    const address = options.metrics;
    countFastifyRequests(app, metrics.requests);
    let listener: MetricsListener | undefined;
    // Ready means listening soon: a metrics port already taken fails the start, before the app listens.
    app.addHook('onReady', async () => {
      listener = await metrics.listen(address);
    });
    app.addHook('onClose', async () => listener?.close());
  }
  app.addHook('onClose', async () => store.close());
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error', reason: 'the server could not complete the request' });
    }
    return reply.code(status).send({ error: errorName(status), reason: error.message });
  });

  const headers = await securityHeaders({
    // Homelabs often serve over plain http; HSTS and upgrade-insecure-requests would break
    // http service icons and an http identity provider. A TLS proxy in front can add them.
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': null,
        // Icons and images come through the server (nothing loads from other hosts); the
        // modal and workspace opening methods show the services themselves in a frame.
        'img-src': ["'self'", 'data:', 'blob:'],
        'frame-src': ['http:', 'https:'],
        'connect-src': ["'self'", ...(auth?.oidc ? [new URL(auth.oidc.issuer).origin] : [])],
      },
    },
  });
  addSecurityHeaders(app, headers);

  app.get('/healthz', async () => ({ status: 'ok' }));
  signIn.registerRoutes(app);
  registerConfigRoutes(app, { store, auth, authenticate });
  answerCachedViewsFirst(app, { store, auth, authFromMemory: signIn.authFromMemory, securityHeaders: headers, genReqId, trustProxy, onAnswer: answeredAheadListener(options.onCachedAnswer, metrics) });
  registerSaveRoute(app, { store, saver, auth, authenticate, ...(metrics && { onSaveAnswered: metrics.save }) });
  registerStatusCheckRoute(app, { store, auth, authenticate, timeoutMs: options.statusCheckTimeoutMs ?? 5_000, ...(metrics && { onChecked: metrics.statusCheck }) });
  registerIconRoutes(app, {
    store,
    auth,
    authenticate,
    userDataDir: options.userDataDir,
    cacheDir: options.iconCacheDir ?? defaultIconCacheDir(options.userDataDir),
    dashboardIconsUrl: options.dashboardIconsUrl ?? DEFAULT_DASHBOARD_ICONS_URL,
    timeoutMs: options.iconFetchTimeoutMs ?? 5_000,
    maxBytes: DEFAULT_MAX_ICON_BYTES,
  });
  registerWidgetProxyRoute(app, { store, auth, authenticate });
  await registerWebApp(app, options.webRoot ?? DEFAULT_WEB_ROOT);
  return app;
}

/** The listener given, the metrics', both, or none. */
function answeredAheadListener(given: CachedAnswerListener | undefined, metrics: DashboardMetrics | null): CachedAnswerListener | undefined {
  if (!metrics) return given;
  if (!given) return metrics.answeredAhead;
  return (method, route, statusCode, seconds) => {
    metrics.answeredAhead(method, route, statusCode, seconds);
    given(method, route, statusCode, seconds);
  };
}
