import { describe, expect, it } from 'vitest';
import { DecryptionError, decrypt, deriveKeys, encrypt, hashToken, randomToken } from './crypto.js';

describe('crypto', () => {
  const keys = deriveKeys(Buffer.from('local-dev-key-32-bytes-padding!!'));

  it('round-trips data and refuses another key or altered data', () => {
    const sealed = encrypt(keys.dataKey, 'secret jwk');
    expect(sealed).toMatch(/^v1\./);
    expect(decrypt(keys.dataKey, sealed)).toBe('secret jwk');
    const other = deriveKeys(Buffer.from('another-key-of-16+bytes'));
    expect(() => decrypt(other.dataKey, sealed)).toThrow(DecryptionError);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => decrypt(keys.dataKey, tampered)).toThrow(DecryptionError);
  });

  it('derives separate, stable keys per purpose', () => {
    const again = deriveKeys(Buffer.from('local-dev-key-32-bytes-padding!!'));
    expect(again.dataKey.equals(keys.dataKey)).toBe(true);
    expect(again.cookieKeys).toEqual(keys.cookieKeys);
    expect(Buffer.from(keys.cookieKeys[0]!, 'base64url').equals(keys.dataKey)).toBe(false);
  });

  it('makes unguessable tokens and stores only their hash', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });
});
