// GET /status-check?url=...: only for people who may see the dashboard, only for its items.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { unauthorized } from '../auth/hook.js';
import type { AuthSettings } from '../auth/settings.js';
import { requesterOf } from '../config/routes.js';
import type { ConfigStore } from '../config/store.js';
import { isAdminRequester, viewerOf } from '../config/views.js';
import { checkUrl } from './check.js';
import { checkOptionsFor, findTarget, targetsFor } from './targets.js';

export interface StatusCheckRouteDeps {
  store: ConfigStore;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
  timeoutMs: number;
  /** Told how each check ended (metrics); absent when metrics are off. */
  onChecked?: (result: 'up' | 'down' | 'refused' | 'invalid') => void;
}

export function registerStatusCheckRoute(app: FastifyInstance, { store, auth, authenticate, timeoutMs, onChecked }: StatusCheckRouteDeps): void {
  app.get<{ Querystring: { url?: unknown } }>('/status-check', { preHandler: authenticate }, async (request, reply) => {
    if (auth && !request.auth && !auth.enableGuestAccess) {
      onChecked?.('refused');
      return unauthorized(reply, 'sign-in required');
    }
    const url = request.query.url;
    if (typeof url !== 'string' || !URL.canParse(url)) {
      onChecked?.('invalid');
      return reply.code(400).send({ error: 'bad request', reason: 'expected ?url=<absolute URL of a dashboard item>' });
    }
    const requester = requesterOf(request);
    const viewer = isAdminRequester(requester, auth) ? null : viewerOf(requester);
    const item = findTarget(await targetsFor(store, viewer), url);
    if (!item) {
      request.log.warn({ url }, 'status check refused: not an item of the dashboard');
      onChecked?.('refused');
      return reply.code(403).send({ error: 'forbidden', reason: 'this URL is not an item of your dashboard' });
    }
    const result = await checkUrl(url, checkOptionsFor(item, timeoutMs));
    onChecked?.(result.successStatus ? 'up' : 'down');
    return reply.header('cache-control', 'no-store').send(result);
  });
}
