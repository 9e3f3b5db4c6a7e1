// GET /widgets/proxy?url=...: JSON for the dashboard's widgets, read by the server so the
// browser talks to nothing but the dashboard, and only from the widgets' own sources.
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import { unauthorized } from '../auth/hook.js';
import type { AuthSettings } from '../auth/settings.js';
import { requesterOf } from '../config/routes.js';
import type { ConfigStore } from '../config/store.js';
import { isAdminRequester, viewerOf } from '../config/views.js';
import { fetchJson } from './fetch-json.js';
import { findSource, sourcesFor } from './sources.js';

export interface WidgetProxyRouteDeps {
  store: ConfigStore;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
  /** Used when a widget sets no `timeout` of its own (default 5 s). */
  timeoutMs?: number;
  /** Largest answer passed on (default 2 MB). */
  maxBytes?: number;
}

export const DEFAULT_WIDGET_TIMEOUT_MS = 5_000;
export const DEFAULT_WIDGET_MAX_BYTES = 2 * 1024 * 1024;

/** Sent as `inline` by a client that wants a source's failure as a 200 marked by WIDGET_ERROR_HEADER. */
export const INLINE_ERRORS_HEADER = 'x-hearth-widget-errors';
/** On a 200 whose body is the failure (`{error, reason, upstreamStatus}`): the status it stands for. */
export const WIDGET_ERROR_HEADER = 'x-hearth-widget-error';

// Encoded separators could be decoded by the upstream server into a path outside the prefix.
const ENCODED_SEPARATOR = /%2f|%5c|%2e/i;

function badRequest(reply: FastifyReply, reason: string): FastifyReply {
  return reply.code(400).send({ error: 'bad request', reason });
}

export function registerWidgetProxyRoute(app: FastifyInstance, deps: WidgetProxyRouteDeps): void {
  const { store, auth, authenticate } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WIDGET_TIMEOUT_MS;
  const maxBytes = deps.maxBytes ?? DEFAULT_WIDGET_MAX_BYTES;

  app.get<{ Querystring: { url?: unknown } }>(
    '/widgets/proxy',
    {
      onRequest: async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      if (auth && !request.auth && !auth.enableGuestAccess) return unauthorized(reply, 'sign-in required');
      const raw = request.query.url;
      if (typeof raw !== 'string' || !URL.canParse(raw)) {
        return badRequest(reply, "expected ?url=<absolute URL of a widget's data>");
      }
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return badRequest(reply, 'only http and https URLs can be read');
      if (url.username || url.password) return badRequest(reply, 'credentials in the URL are not accepted; set username and password in the widget options');
      if (ENCODED_SEPARATOR.test(url.pathname)) return badRequest(reply, "encoded '/', '\\' or '.' in the path are not accepted");
      url.hash = '';

      const requester = requesterOf(request);
      const viewer = isAdminRequester(requester, auth) ? null : viewerOf(requester);
      const source = findSource(await sourcesFor(store, viewer), url);
      if (!source) {
        request.log.warn({ url: url.href }, 'widget proxy refused: not the source of a widget of the dashboard');
        return reply.code(403).send({ error: 'forbidden', reason: 'this URL is not the data source of a widget on your dashboard' });
      }

      const result = await fetchJson(url, { timeoutMs: source.timeoutMs ?? timeoutMs, maxBytes, headers: source.headers });
      if (!result.ok) {
        request.log.debug({ url: url.href, reason: result.reason }, `widget data unavailable: ${result.reason}`);
        const failure = {
          error: 'bad gateway',
          reason: result.reason,
          ...(result.upstreamStatus === undefined ? {} : { upstreamStatus: result.upstreamStatus }),
        };
        // A Glances host that is off is an everyday state of a homelab, not an error of the
        // page: the web app asks for the failure as a 200 so the browser logs no failed request.
        if (request.headers[INLINE_ERRORS_HEADER] === 'inline') return reply.header(WIDGET_ERROR_HEADER, '502').send(failure);
        return reply.code(502).send(failure);
      }
      return reply.header('content-type', 'application/json; charset=utf-8').send(result.body);
    },
  );

  // Widgets only read; any other method is refused plainly rather than as an unknown route.
  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/widgets/proxy',
    handler: async (_request, reply) =>
      reply.code(405).header('allow', 'GET, HEAD').send({ error: 'method not allowed', reason: 'the widget proxy only reads (GET)' }),
  });
}
