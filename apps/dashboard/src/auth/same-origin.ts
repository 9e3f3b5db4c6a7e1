// Cross-site request forgery defence for requests a cookie authenticates. The cookie is
// SameSite=Strict already; these checks also hold for old browsers and for sibling hosts of
// the same site, which SameSite counts as "same site".
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * Why a request is not provably from this dashboard's own pages, or null when it is.
 * `strict` asks for positive proof (a browser's `Sec-Fetch-Site: same-origin`, or an
 * `Origin` equal to this server's); otherwise only a request a browser marked as coming
 * from elsewhere is refused, so scripts without those headers can still sign in.
 */
export function crossOriginReason(request: FastifyRequest, strict: boolean): string | null {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite === 'same-origin') return null;
  if (typeof fetchSite === 'string') return `refused a request from another site (Sec-Fetch-Site: ${fetchSite})`;
  const origin = request.headers.origin;
  if (origin === undefined) return strict ? 'refused a request without an Origin header: requests signed in by cookie must come from the dashboard itself' : null;
  if (origin === ownOrigin(request)) return null;
  return `refused a request from ${origin}: this dashboard is ${ownOrigin(request)} (behind a reverse proxy, set TRUST_PROXY=true)`;
}

/** Forms from other sites can send text/plain without asking first; JSON needs a preflight. */
export function isJsonRequest(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
}
