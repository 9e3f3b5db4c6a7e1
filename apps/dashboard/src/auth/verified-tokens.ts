// ID tokens that passed full verification, so that a browser sending the same token on every
// request pays for the signature check once per token rather than once per request.
//
// Safe by construction:
// - The key is the whole token string, signature included: only the very bytes that were
//   verified find an entry. A forged or altered token is a different string and always goes
//   through full verification; refusals are never stored.
// - An entry lasts until the token's `exp`, never longer (the verifier's 30 seconds of clock
//   tolerance are left to full verification, which applies them afresh).
// - An entry remembers which version of the provider's key set verified it, and is dropped
//   as soon as the key set is fetched again (a rotation may have withdrawn the key).
// - Bounded in count: a flood of valid tokens cannot grow the process without limit.
import type { JWTPayload } from 'jose';
import type { Identity } from './claims.js';

export interface VerifiedToken {
  claims: JWTPayload;
  identity: Identity;
  /** The token's `exp`, in milliseconds. */
  expiresAtMs: number;
  /** The key set version that verified it (see IssuerContext.keySetVersion). */
  keySetVersion: number;
}

export const DEFAULT_MAX_VERIFIED_TOKENS = 1000;

export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly maxEntries = DEFAULT_MAX_VERIFIED_TOKENS) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for exactly this token, if it is still within its lifetime and key set version. */
  get(token: string, nowMs: number, keySetVersion: number | null): VerifiedToken | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.expiresAtMs || entry.keySetVersion !== keySetVersion) {
      this.entries.delete(token);
      return undefined;
    }
    return entry;
  }

  /** Stores a token that full verification has just accepted. */
  remember(token: string, entry: VerifiedToken, nowMs: number): void {
    if (nowMs >= entry.expiresAtMs) return;
    if (this.entries.size >= this.maxEntries) this.makeRoom(nowMs);
    this.entries.set(token, entry);
  }

  private makeRoom(nowMs: number): void {
    for (const [token, entry] of this.entries) {
      if (nowMs >= entry.expiresAtMs) this.entries.delete(token);
    }
    // Still full of live tokens: forget the oldest (Map keeps insertion order).
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
