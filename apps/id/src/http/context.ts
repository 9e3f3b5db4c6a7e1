import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../audit/audit.js';
import type { Session } from '../sessions/sessions.js';

/* What Fastify's requests and replies carry in Hearth ID, and the audit entry of a request. */

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person's session, read from the session cookie; null when signed out. */
    session: Session | null;
  }
  interface FastifyReply {
    /** Starts a sign-in session for the user and sets the session cookie. */
    signIn(userId: string): Promise<void>;
    /** Ends the current session and clears the cookie. */
    signOut(): Promise<void>;
  }
}

/** Who did what from where, for the audit log. */
export function auditFrom(request: FastifyRequest, entry: AuditEntry): AuditEntry {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    actorId: request.session?.user.id ?? null,
    ...entry,
  };
}

export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
