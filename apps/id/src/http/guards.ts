import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Session } from '../sessions/sessions.js';
import { DomainError } from '../errors.js';

/** preHandler: 401 unless someone is signed in. */
export async function requireSignedIn(request: FastifyRequest): Promise<void> {
  if (!request.session) throw new DomainError('unauthorized', 'sign in first');
}

/** preHandler: 401 unless signed in, 403 unless an administrator. */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!request.session) throw new DomainError('unauthorized', 'sign in first');
  if (!request.session.user.isAdmin) throw new DomainError('forbidden', 'only administrators may do this');
}

/** The session of a route guarded by requireSignedIn/requireAdmin. */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw new DomainError('unauthorized', 'sign in first');
  return request.session;
}

export function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}
