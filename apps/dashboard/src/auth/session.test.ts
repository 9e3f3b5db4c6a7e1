import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BuiltInUser } from './built-in-users.js';
import { readCookie, SessionSigner, sessionCookie } from './session.js';

const alice: BuiltInUser = { user: 'alice', hash: 'a'.repeat(64), type: 'admin' };
const signer = new SessionSigner(randomBytes(32));
const now = Date.UTC(2026, 0, 1);

describe('SessionSigner', () => {
  it('reads back what it signed, until it expires', () => {
    const value = signer.issue(alice, 3600, now);
    expect(signer.read(value, now + 1000)).toMatchObject({ user: 'alice', type: 'admin', expiresAt: now / 1000 + 3600 });
    expect(signer.read(value, now + 3600 * 1000)).toBeNull();
  });

  it('refuses a cookie signed with another key', () => {
    const value = new SessionSigner(randomBytes(32)).issue(alice, 3600, now);
    expect(signer.read(value, now)).toBeNull();
  });

  it('refuses any change to the claims, such as a promotion to admin or a later expiry', () => {
    const value = signer.issue({ ...alice, type: 'normal' }, 3600, now);
    const [version, body, mac] = value.split('.');
    const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as Record<string, unknown>;
    for (const change of [{ t: 'admin' }, { e: Number(claims.e) + 86400 }, { u: 'bob' }]) {
      const forged = Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url');
      expect(signer.read(`${version}.${forged}.${mac}`, now)).toBeNull();
    }
    expect(signer.read(`${value}x`, now)).toBeNull();
    expect(signer.read(`${value}.extra`, now)).toBeNull();
    expect(signer.read('v1..', now)).toBeNull();
    expect(signer.read('garbage', now)).toBeNull();
  });

  it('ties the session to the password hash and the type', () => {
    const claims = signer.read(signer.issue(alice, 3600, now), now);
    if (!claims) throw new Error('expected claims');
    expect(signer.stillValidFor(claims, alice)).toBe(true);
    expect(signer.stillValidFor(claims, { ...alice, user: 'ALICE' })).toBe(true);
    expect(signer.stillValidFor(claims, { ...alice, hash: 'b'.repeat(64) })).toBe(false);
    expect(signer.stillValidFor(claims, { ...alice, type: 'normal' })).toBe(false);
    expect(signer.stillValidFor(claims, undefined)).toBe(false);
  });

  it('puts neither the hash nor anything derived from it without the key into the cookie', () => {
    const value = signer.issue(alice, 3600, now);
    const decoded = Buffer.from(value.split('.')[1] ?? '', 'base64url').toString();
    expect(decoded).not.toContain('aaaa');
    expect(value).not.toContain('aaaa');
  });
});

describe('cookies', () => {
  it('finds the session cookie among others and ignores malformed values', () => {
    expect(readCookie('a=1; hearth_session=v1.abc.def; b=2', 'hearth_session')).toBe('v1.abc.def');
    expect(readCookie('hearth_session="v1.abc"', 'hearth_session')).toBeUndefined();
    expect(readCookie('xhearth_session=v1', 'hearth_session')).toBeUndefined();
    expect(readCookie(undefined, 'hearth_session')).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Strict and Path=/, and Secure only when asked', () => {
    expect(sessionCookie('v', { maxAge: 60, secure: false })).toBe('hearth_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(sessionCookie('v', { maxAge: 60, secure: true })).toMatch(/; Secure$/);
  });
});
