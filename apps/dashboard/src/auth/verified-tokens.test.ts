import { describe, expect, it } from 'vitest';
import type { Identity } from './claims.js';
import { VerifiedTokens } from './verified-tokens.js';

const identity: Identity = { user: 'bob', username: 'bob', groups: ['family'], roles: null, isAdmin: false, method: 'oidc' };
const entry = (expiresAtMs: number, keySetVersion = 1) => ({ claims: { sub: 'bob' }, identity, expiresAtMs, keySetVersion });

describe('VerifiedTokens', () => {
  it('finds a token until its exp, and not from exp on', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', entry(10_000), 1_000);
    expect(tokens.get('a.b.c', 9_999, 1)?.identity).toBe(identity);
    expect(tokens.get('a.b.c', 10_000, 1)).toBeUndefined();
    // Forgotten, not just hidden.
    expect(tokens.get('a.b.c', 9_999, 1)).toBeUndefined();
  });

  it('finds only the exact token string', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', entry(10_000), 0);
    expect(tokens.get('a.b.C', 0, 1)).toBeUndefined();
    expect(tokens.get('a.b.c ', 0, 1)).toBeUndefined();
  });

  it('forgets a token once the key set is another version, or due for a fetch', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', entry(10_000, 1), 0);
    expect(tokens.get('a.b.c', 0, null)).toBeUndefined();
    tokens.remember('a.b.c', entry(10_000, 1), 0);
    expect(tokens.get('a.b.c', 0, 2)).toBeUndefined();
    expect(tokens.get('a.b.c', 0, 1)).toBeUndefined();
  });

  it('does not keep a token that has already expired', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', entry(1_000), 1_000);
    expect(tokens.size).toBe(0);
  });

  it('stays within its bound, dropping expired tokens first, then the oldest', () => {
    const tokens = new VerifiedTokens(3);
    tokens.remember('one', entry(5_000), 0);
    tokens.remember('two', entry(50_000), 0);
    tokens.remember('three', entry(50_000), 0);
    tokens.remember('four', entry(50_000), 6_000);
    expect(tokens.size).toBe(3);
    expect(tokens.get('one', 6_000, 1)).toBeUndefined();
    expect(tokens.get('two', 6_000, 1)).toBeDefined();
    tokens.remember('five', entry(50_000), 6_000);
    expect(tokens.size).toBe(3);
    expect(tokens.get('two', 6_000, 1)).toBeUndefined();
    expect(tokens.get('five', 6_000, 1)).toBeDefined();
  });
});
