// Signing built-in users in and recognising them again: the password check, the cookie, and
// the look-up of the cookie's user in conf.yml as it is now.
import type { FastifyRequest } from 'fastify';
import { findUser, passwordMatches } from './built-in-users.js';
import type { BuiltInUser, UserDirectory } from './built-in-users.js';
import type { Identity } from './claims.js';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './session.js';
import type { SessionSigner } from './session.js';

export type SessionLookup =
  | { kind: 'none' }
  /** A cookie that no longer signs anyone in: expired, forged, or its user changed. */
  | { kind: 'stale' }
  | { kind: 'user'; identity: Identity };

export function identityOfUser(user: BuiltInUser): Identity {
  // A built-in user has no groups or roles: known to be none, not missing.
  return { user: user.user, username: user.user, groups: [], roles: [], isAdmin: user.type === 'admin', method: 'users' };
}

export class CookieSessions {
  constructor(
    private readonly signer: SessionSigner,
    private readonly directory: UserDirectory,
    readonly lifetimeSeconds: number,
  ) {}

  async identify(request: FastifyRequest): Promise<SessionLookup> {
    const value = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (value === undefined) return hasCookieNamed(request.headers.cookie) ? { kind: 'stale' } : { kind: 'none' };
    const claims = this.signer.read(value);
    if (!claims) return { kind: 'stale' };
    const user = findUser(await this.directory.current(), claims.user);
    if (!this.signer.stillValidFor(claims, user)) return { kind: 'stale' };
    return { kind: 'user', identity: identityOfUser(user) };
  }

  /** The user whose name and password these are, or null; the same work either way. */
  async checkPassword(username: string, password: string): Promise<BuiltInUser | null> {
    const user = findUser(await this.directory.current(), username);
    return passwordMatches(user, password) && user ? user : null;
  }

  /** Whether the name belongs to a user (for the log only, never for the answer). */
  async knows(username: string): Promise<boolean> {
    return findUser(await this.directory.current(), username) !== undefined;
  }

  cookieFor(request: FastifyRequest, user: BuiltInUser): string {
    return sessionCookie(this.signer.issue(user, this.lifetimeSeconds), { maxAge: this.lifetimeSeconds, secure: request.protocol === 'https' });
  }

  clearedFor(request: FastifyRequest): string {
    return clearedSessionCookie(request.protocol === 'https');
  }
}

function hasCookieNamed(header: string | undefined): boolean {
  return header !== undefined && header.split(';').some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`) && part.trim() !== `${SESSION_COOKIE}=`);
}
