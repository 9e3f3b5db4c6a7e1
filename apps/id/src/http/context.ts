import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { DerivedKeys } from '../crypto/crypto.js';
import type { Database } from '../db/database.js';
import type { AuditEntry } from '../audit/audit.js';
import type { Session } from '../sessions/sessions.js';
import type { IdMetrics } from '../metrics/id-metrics.js';

/** What every route module receives: the parsed config and the open database. */
export interface AppContext {
  config: Config;
  database: Database;
  keys: DerivedKeys;
  logger: FastifyBaseLogger;
  /** Present only when METRICS_PORT is set: with metrics off, nothing is counted. */
  metrics?: IdMetrics | null;
}

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
