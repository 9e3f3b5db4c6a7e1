// Built-in users' sessions: a cookie the server signs (HMAC-SHA256) and nobody else can make.
// It names the user and type and carries an expiry, plus a tag derived from the user's
// password hash, so changing the password in conf.yml ends the sessions made with the old one.
// Nothing is stored on the server: every request checks the cookie against conf.yml as it is.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BuiltInUser, UserType } from './built-in-users.js';

export const SESSION_COOKIE = 'hearth_session';
/** Dashy's longest usual choice at its login form is a week. */
export const DEFAULT_SESSION_SECONDS = 7 * 24 * 60 * 60;
const VERSION = 'v1';
const MAX_COOKIE_LENGTH = 2048;

export interface SessionClaims {
  user: string;
  type: UserType;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** Tag of the password hash the session was made with. */
  binding: string;
}

export class SessionSigner {
  constructor(private readonly key: Buffer) {}

  issue(user: BuiltInUser, lifetimeSeconds: number, now = Date.now()): string {
    const claims = { u: user.user, t: user.type, e: Math.floor(now / 1000) + lifetimeSeconds, b: this.bindingOf(user) };
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${VERSION}.${body}.${this.mac(body)}`;
  }

  /** The claims of a cookie this server signed and that has not expired; null otherwise. */
  read(value: string, now = Date.now()): SessionClaims | null {
    if (value.length > MAX_COOKIE_LENGTH) return null;
    const [version, body, signature, extra] = value.split('.');
    if (version !== VERSION || !body || !signature || extra !== undefined) return null;
    if (!equalStrings(signature, this.mac(body))) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const { u, t, e, b } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof u !== 'string' || (t !== 'admin' && t !== 'normal') || typeof e !== 'number' || typeof b !== 'string') return null;
    if (e * 1000 <= now) return null;
    return { user: u, type: t, expiresAt: e, binding: b };
  }

  /** Whether a session still describes this user as conf.yml has them now. */
  stillValidFor(claims: SessionClaims, user: BuiltInUser | undefined): user is BuiltInUser {
    if (!user || user.type !== claims.type) return false;
    return equalStrings(claims.binding, this.bindingOf(user));
  }

  /** Keyed, so the cookie says nothing about the hash to someone without the server key. */
  private bindingOf(user: BuiltInUser): string {
    return createHmac('sha256', this.key).update(`password:${user.user.toLowerCase()}:${user.hash.toLowerCase()}`).digest('base64url').slice(0, 22);
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`session:${body}`).digest('base64url');
  }
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The value of one cookie in a Cookie header; undefined when absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 16 * 1024) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    return /^[A-Za-z0-9._-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

export interface CookieOptions {
  /** Seconds; 0 removes the cookie. */
  maxAge: number;
  secure: boolean;
}

export function sessionCookie(value: string, { maxAge, secure }: CookieOptions): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { maxAge: 0, secure });
}
