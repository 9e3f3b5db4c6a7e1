import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { checkClaims, claimNameProblem, claimValue, sameClaims, storedClaimValue } from './custom-claims.js';

describe('custom claim values', () => {
  it('become their JSON value when the whole text is JSON, and stay text otherwise', () => {
    expect(claimValue('100')).toBe(100);
    expect(claimValue('true')).toBe(true);
    expect(claimValue('["a","b"]')).toEqual(['a', 'b']);
    expect(claimValue('{"x":1}')).toEqual({ x: 1 });
    expect(claimValue('"100"')).toBe('100');
    expect(claimValue('admin')).toBe('admin');
    expect(claimValue('[not json')).toBe('[not json');
  });

  it('are stored as text from a provisioning file’s YAML values', () => {
    expect(storedClaimValue('admin')).toBe('admin');
    expect(storedClaimValue(100)).toBe('100');
    expect(storedClaimValue(['a', 'b'])).toBe('["a","b"]');
    expect(claimValue(storedClaimValue(false))).toBe(false);
  });
});

describe('custom claim names', () => {
  it('refuse standard names in any case, and malformed ones', () => {
    for (const key of ['sub', 'EMAIL', 'Groups', 'auth_time', 'c_hash', 'locale', 'display_name', 'client_id']) {
      expect(claimNameProblem(key)).toBe('is a standard claim that Hearth ID sets itself; choose another name');
    }
    for (const key of ['', '1st', '_x', 'has space', 'a/b', 'x'.repeat(65)]) expect(claimNameProblem(key)).toMatch(/^must be 1 to 64/);
    for (const key of ['immich_role', 'immich_quota', 'roles', 'app:role', 'x'.repeat(64)]) expect(claimNameProblem(key)).toBeUndefined();
  });

  it('are checked as a set: the first problem names its row and part', () => {
    const problem = (claims: { key: string; value: string }[]) => {
      try {
        checkClaims(claims);
        return undefined;
      } catch (error) {
        return error instanceof DomainError ? `${error.field}: ${error.message}` : String(error);
      }
    };
    expect(problem([{ key: 'role', value: 'a' }, { key: 'ROLE', value: 'b' }])).toBe('claims.1.key: The claim "ROLE" is given twice; keep one');
    expect(problem([{ key: '', value: 'a' }])).toBe('claims.0.key: Enter a claim name');
    expect(problem(Array.from({ length: 51 }, (_, i) => ({ key: `c${i}`, value: 'v' })))).toBe('claims: A user or group may have at most 50 custom claims');
    expect(checkClaims([{ key: ' role ', value: ' admin ' }])).toEqual([{ key: 'role', value: 'admin' }]);
  });

  it('compare as sets for the provisioning report', () => {
    expect(sameClaims([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], [{ key: 'b', value: '2' }, { key: 'a', value: '1' }])).toBe(true);
    expect(sameClaims([{ key: 'a', value: '1' }], [{ key: 'a', value: '2' }])).toBe(false);
  });
});
