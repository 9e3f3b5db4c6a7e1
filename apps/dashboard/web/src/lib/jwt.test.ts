import { describe, expect, it } from 'vitest';
import { jwtClaims, tokenIsFresh } from './jwt';

const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const token = (claims: object) => `e30.${base64url(JSON.stringify(claims))}.sig`;

describe('tokenIsFresh', () => {
  it('needs ten seconds left by default', () => {
    const now = 1_700_000_000_000;
    expect(tokenIsFresh(token({ exp: now / 1000 + 60 }), 10, now)).toBe(true);
    expect(tokenIsFresh(token({ exp: now / 1000 + 5 }), 10, now)).toBe(false);
    expect(tokenIsFresh(token({ exp: now / 1000 - 1 }), 10, now)).toBe(false);
  });

  it('leaves a token without exp to the server, and refuses what is not a JWT', () => {
    expect(tokenIsFresh(token({ sub: 'a' }))).toBe(true);
    expect(tokenIsFresh('not-a-token')).toBe(false);
    expect(tokenIsFresh('a.%%%.c')).toBe(false);
  });
});

describe('jwtClaims', () => {
  it('reads UTF-8 claims', () => {
    expect(jwtClaims(token({ name: 'Zoë 東京' }))).toEqual({ name: 'Zoë 東京' });
    expect(jwtClaims(token([1, 2]))).toBeNull();
  });
});
