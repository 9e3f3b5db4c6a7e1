import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

export const REDACTED = '[redacted]';

/** Paths whose next segment is a login-link token: whoever reads it can sign in. */
const SECRET_SEGMENT_AFTER = ['/lc/', '/api/one-time-access-token/'];

/** Query parameters that carry codes, tokens or secrets (OAuth, OIDC, login links). */
const SECRET_PARAMS = new Set([
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
  'token',
  'client_secret',
  'client_assertion',
  'xsrf',
]);

/**
 * A request URL fit for a log line: login-link tokens in the path and the values of
 * secret query parameters are replaced by [redacted]; everything else stays as sent,
 * so the line still says which route was hit with which harmless parameters.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  let path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? null : url.slice(queryStart + 1);

  for (const prefix of SECRET_SEGMENT_AFTER) {
    if (path.startsWith(prefix) && path.length > prefix.length) {
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      path = `${prefix}${REDACTED}${slash === -1 ? '' : rest.slice(slash)}`;
    }
  }
  if (query === null) return path;

  const redactedQuery = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: compare the name as sent
      }
      return eq !== -1 && SECRET_PARAMS.has(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${redactedQuery}`;
}

/**
 * pino serializer for `req` in access-log lines (Fastify's fields, with the URL redacted).
 * Accepts Fastify's request and a raw Node.js request alike.
 */
export function serializeRequest(req: FastifyRequest | IncomingMessage): Record<string, unknown> {
  const fastifyRequest = 'raw' in req ? req : null;
  return {
    method: req.method,
    url: redactUrl(req.url ?? ''),
    host: fastifyRequest ? fastifyRequest.host : req.headers.host,
    remoteAddress: fastifyRequest ? fastifyRequest.ip : req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}
