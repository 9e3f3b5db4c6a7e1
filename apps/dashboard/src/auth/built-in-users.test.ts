import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findUser, passwordMatches, readUserEntries } from './built-in-users.js';
import { AuthSettingsError, loadAuthSettings } from './settings.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const ALICE = { user: 'Alice', hash: sha256('correct horse').toUpperCase(), type: 'admin' };

describe('passwordMatches', () => {
  const [alice] = readUserEntries([ALICE]).users;

  it('accepts the password whose SHA-256 is the hash, written in either case', () => {
    expect(passwordMatches(alice, 'correct horse')).toBe(true);
    const [lower] = readUserEntries([{ ...ALICE, hash: ALICE.hash.toLowerCase() }]).users;
    expect(passwordMatches(lower, 'correct horse')).toBe(true);
  });

  it('refuses another password, an empty one, and an unknown user', () => {
    expect(passwordMatches(alice, 'correct horse ')).toBe(false);
    expect(passwordMatches(alice, '')).toBe(false);
    expect(passwordMatches(undefined, 'correct horse')).toBe(false);
  });

  it('hashes the password as UTF-8, as sha256sum does', () => {
    const [bob] = readUserEntries([{ user: 'bob', hash: sha256('pässwörd🔑') }]).users;
    expect(passwordMatches(bob, 'pässwörd🔑')).toBe(true);
  });
});

describe('findUser', () => {
  it('compares names case-insensitively, as Dashy does', () => {
    const { users } = readUserEntries([ALICE]);
    expect(findUser(users, 'alice')?.user).toBe('Alice');
    expect(findUser(users, 'ALICE')?.user).toBe('Alice');
    expect(findUser(users, 'alic')).toBeUndefined();
  });
});

describe('readUserEntries', () => {
  it('defaults the type to normal and lower-cases the hash', () => {
    expect(readUserEntries([{ user: 'lu', hash: ALICE.hash }]).users).toEqual([{ user: 'lu', hash: ALICE.hash.toLowerCase(), type: 'normal' }]);
  });

  it('names each faulty entry', () => {
    const { users, problems } = readUserEntries([
      ALICE,
      { hash: ALICE.hash },
      { user: 'short', hash: 'abc123' },
      { user: 'env', password: 'VITE_APP_PASSWORD' },
      { user: 'odd', hash: ALICE.hash, type: 'root' },
      'not an entry',
    ]);
    expect(users.map((user) => user.user)).toEqual(['Alice']);
    expect(problems.map((problem) => problem.path.join('.'))).toEqual([
      'appConfig.auth.users.1.user',
      'appConfig.auth.users.2.hash',
      'appConfig.auth.users.3.hash',
      'appConfig.auth.users.4.type',
      'appConfig.auth.users.5',
    ]);
    expect(problems[1]?.message).toContain('user "short": hash must be the SHA-256 of the password, 64 hexadecimal characters');
    expect(problems[2]?.message).toContain('VITE_APP_');
  });

  it('drops both entries of a name listed twice', () => {
    const { users, problems } = readUserEntries([ALICE, { ...ALICE, user: 'alice', type: 'normal' }]);
    expect(users).toEqual([]);
    expect(problems).toHaveLength(2);
  });
});

describe('loadAuthSettings with built-in users', () => {
  it('uses the users when no provider is switched on', () => {
    const settings = loadAuthSettings({ appConfig: { auth: { enableGuestAccess: true, users: [ALICE] } } });
    expect(settings).toMatchObject({ method: 'users', oidc: null, enableGuestAccess: true, users: [{ user: 'Alice', type: 'admin' }] });
  });

  it('lets OIDC win when both are configured, as Dashy does', () => {
    const settings = loadAuthSettings({
      appConfig: { auth: { users: [ALICE], enableOidc: true, oidc: { clientId: 'c', endpoint: 'http://id.test' } } },
    });
    expect(settings).toMatchObject({ method: 'oidc', oidc: { issuer: 'http://id.test' }, users: null });
  });

  it('treats an empty list as no sign-in, as Dashy does', () => {
    expect(loadAuthSettings({ appConfig: { auth: { enableGuestAccess: true, users: [] } } })).toBeNull();
  });

  it('refuses unusable entries with an error naming them', () => {
    const load = () => loadAuthSettings({ appConfig: { auth: { users: [ALICE, { user: 'lu', hash: 'not-a-hash' }] } } });
    expect(load).toThrow(AuthSettingsError);
    expect(load).toThrow('invalid configuration: appConfig.auth.users[1].hash: user "lu": hash must be');
  });
});
