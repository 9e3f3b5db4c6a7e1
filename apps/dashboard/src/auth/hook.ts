// The Fastify edge of the auth pipeline. Permissive on requests without a token, so a
// signed-out browser can fetch the sign-in bootstrap; strict on requests with one.
import type { JWTPayload } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from './claims.js';
import type { TokenVerifier } from './verify.js';

export interface RequestAuth {
  user: string;
  isAdmin: boolean;
  claims: JWTPayload;
  identity: Identity;
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

/** A preHandler-style hook; with no verifier (sign-in not configured) tokens are ignored. */
export function createAuthHook(verifier: TokenVerifier | null) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    request.auth = null;
    const header = request.headers.authorization;
    if (!verifier || header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    if (!token) {
      request.log.warn('token rejected: the Authorization header is not "Bearer <id_token>"');
      await unauthorized(reply, 'expected "Authorization: Bearer <id_token>"');
      return;
    }
    const result = await verifier.verify(token);
    if (result.ok) {
      const { identity, claims } = result;
      request.auth = { user: identity.user, isAdmin: identity.isAdmin, claims, identity };
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
