import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors.js';
import { isOidcPath } from './oidc-dispatch.js';
import { isForwardAuthCheck } from '../forward-auth/routes.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request protection for our own state-changing routes (the OIDC endpoints
 * have their own rules). A browser always sends Origin on a cross-site POST, so a request
 * is accepted when its Origin is APP_URL, or when it has no Origin and is JSON (which a
 * cross-site form cannot send without a CORS preflight we never grant), e.g. from scripts.
 */
export function installCsrfProtection(app: FastifyInstance, appUrl: string): void {
  app.addHook('preHandler', async (request) => {
    if (SAFE_METHODS.has(request.method) || isOidcPath(request.url) || isForwardAuthCheck(request.url)) return;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (origin === appUrl) return;
      throw new DomainError('forbidden', `cross-site request refused: this request came from ${origin}, not ${appUrl}`);
    }
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new DomainError('forbidden', 'cross-site request refused');
    }
    const contentType = request.headers['content-type'] ?? '';
    if (request.body !== undefined && !contentType.startsWith('application/json')) {
      throw new DomainError('forbidden', 'requests without an Origin header must send JSON');
    }
  });
}
