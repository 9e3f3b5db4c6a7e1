// The Fastify edge of the auth pipeline. Permissive on requests without credentials, so a
// signed-out browser can fetch the sign-in bootstrap; strict on requests with them. An OIDC
// dashboard reads `Authorization: Bearer <id_token>`; a dashboard of built-in users reads
// its session cookie, and nothing else.
import type { JWTPayload } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from './claims.js';
import type { CookieSessions } from './cookie-sessions.js';
import { changesState, crossOriginReason, isJsonRequest } from './same-origin.js';
import type { TokenVerifier } from './verify.js';

export interface RequestAuth {
  user: string;
  isAdmin: boolean;
  /** The ID token's claims; empty for a built-in user. */
  claims: JWTPayload;
  identity: Identity;
  method: 'oidc' | 'users';
}

export interface AuthHookOptions {
  /** Set when sign-in is through OIDC or Keycloak. */
  verifier: TokenVerifier | null;
  /** Set when sign-in is through built-in users. */
  sessions: CookieSessions | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request carried a valid ID token. */
    auth: RequestAuth | null;
  }
}

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i;

export function unauthorized(reply: FastifyReply, reason: string): FastifyReply {
  const description = reason.replace(/["\\]/g, "'");
  return reply
    .code(401)
    .header('www-authenticate', `Bearer error="invalid_token", error_description="${description}"`)
    .send({ error: 'unauthorized', reason });
}

function rememberedAuth(verifier: TokenVerifier, token: string): RequestAuth | null {
  const known = verifier.remembered(token);
  return known ? { user: known.identity.user, isAdmin: known.identity.isAdmin, claims: known.claims, identity: known.identity, method: 'oidc' } : null;
}

/**
 * What the hook below concludes without waiting for anything or answering: null for a
 * request without credentials, the sign-in of a token verified before; undefined when only
 * the hook can tell (a token to verify or refuse, a session cookie).
 */
export function authFromMemory({ verifier, sessions }: AuthHookOptions, authorization: string | undefined): RequestAuth | null | undefined {
  if (sessions) return undefined;
  if (!verifier || authorization === undefined) return null;
  const token = BEARER.exec(authorization)?.[1];
  return (token && rememberedAuth(verifier, token)) || undefined;
}

/** A preHandler-style hook; with neither (sign-in not configured) credentials are ignored. */
export function createAuthHook({ verifier, sessions }: AuthHookOptions) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    request.auth = null;
    if (sessions) {
      await authenticateBySession(sessions, request, reply);
      return;
    }
    const header = request.headers.authorization;
    if (!verifier || header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    if (!token) {
      request.log.warn('token rejected: the Authorization header is not "Bearer <id_token>"');
      await unauthorized(reply, 'expected "Authorization: Bearer <id_token>"');
      return;
    }
    // Most requests carry a token already verified: no need to wait for anything.
    const known = rememberedAuth(verifier, token);
    if (known) {
      request.auth = known;
      return;
    }
    const result = await verifier.verify(token);
    if (result.ok) {
      const { identity, claims } = result;
      request.auth = { user: identity.user, isAdmin: identity.isAdmin, claims, identity, method: 'oidc' };
      return;
    }
    if (result.status === 503) {
      request.log.error({ detail: result.detail }, `${result.reason}: ${result.detail}`);
      await reply.code(503).header('retry-after', '5').send({ error: 'identity provider unavailable', reason: result.reason });
      return;
    }
    request.log.warn({ reason: result.reason, detail: result.detail }, `token rejected: ${result.reason} (${result.detail})`);
    await unauthorized(reply, result.reason);
  };
}

async function authenticateBySession(sessions: CookieSessions, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const found = await sessions.identify(request);
  if (found.kind === 'none') return;
  if (found.kind === 'stale') {
    // Signed out from here on; the browser can drop the cookie.
    reply.header('set-cookie', sessions.clearedFor(request));
    return;
  }
  const { identity } = found;
  if (changesState(request)) {
    // A cookie rides along with any request to this host, whoever made the page that sent it.
    const reason = crossOriginReason(request, true) ?? (isJsonRequest(request) ? null : 'requests signed in by cookie must send Content-Type: application/json');
    if (reason) {
      request.log.warn({ user: identity.user, origin: request.headers.origin }, `request refused: ${reason}`);
      await reply.code(403).send({ error: 'forbidden', reason });
      return;
    }
  }
  request.auth = { user: identity.user, isAdmin: identity.isAdmin, claims: {}, identity, method: 'users' };
}
