import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, normaliseAppUrl } from './config.js';

const KEY = { ENCRYPTION_KEY: 'local-dev-key-32-bytes-padding!!' };

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig(KEY);
    expect(config).toMatchObject({
      appUrl: 'http://localhost:1411',
      rpId: 'localhost',
      secure: false,
      trustProxy: false,
      db: { provider: 'sqlite', connectionString: 'data/hearth-id.db' },
      port: 1411,
      host: '0.0.0.0',
      logLevel: 'info',
      signInRateLimit: 30,
      auditLogRetentionDays: 90,
      dashboardUrl: null,
    });
  });

  it.each([
    ['true', 1],
    ['TRUE', 1],
    ['1', 1],
    ['2', 2],
    ['false', false],
    ['0', false],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback,uniquelocal,::1,fd00::/8', ['loopback', 'uniquelocal', '::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%s as %j (true is one hop, never the whole chain)', (raw, expected) => {
    expect(loadConfig({ ...KEY, TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['maybe', '33', '10.0.0.0/33', '10.0.0', 'localhost', '10.0.0.1,'])('rejects TRUST_PROXY=%s', (raw) => {
    expect(() => loadConfig({ ...KEY, TRUST_PROXY: raw })).toThrow('TRUST_PROXY must be');
  });

  it('reads AUDIT_LOG_RETENTION_DAYS, 0 keeping entries forever', () => {
    expect(loadConfig({ ...KEY, AUDIT_LOG_RETENTION_DAYS: '0' }).auditLogRetentionDays).toBe(0);
    expect(loadConfig({ ...KEY, AUDIT_LOG_RETENTION_DAYS: '365' }).auditLogRetentionDays).toBe(365);
    expect(() => loadConfig({ ...KEY, AUDIT_LOG_RETENTION_DAYS: '-1' })).toThrow('AUDIT_LOG_RETENTION_DAYS must be a whole number');
  });

  it.each([
    ['http://localhost:4000', 'http://localhost:4000'],
    ['http://localhost:4000/', 'http://localhost:4000'],
    ['HTTPS://Home.Example.COM/dashboard/', 'https://home.example.com/dashboard/'],
  ])('reads DASHBOARD_URL %s as %s', (raw, expected) => {
    expect(loadConfig({ ...KEY, DASHBOARD_URL: raw }).dashboardUrl).toBe(expected);
  });

  it.each([
    ['javascript:alert(1)', 'http:// or https://'],
    ['localhost:4000', 'http:// or https://'],
    ['//localhost:4000', 'absolute URL'],
    ['https://user:pw@home.example.com', 'user name or password'],
  ])('rejects DASHBOARD_URL %s, which would become a link', (raw, message) => {
    expect(() => loadConfig({ ...KEY, DASHBOARD_URL: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ ...KEY, DASHBOARD_URL: raw })).toThrow(message);
  });

  it('reads the seed compose file’s values', () => {
    const config = loadConfig({
      APP_URL: 'http://localhost:1411',
      TRUST_PROXY: 'false',
      DB_PROVIDER: 'sqlite',
      DB_CONNECTION_STRING: '/data/pocket-id.db',
      ENCRYPTION_KEY: 'local-dev-key-32-bytes-padding!!',
    });
    expect(config.db).toEqual({ provider: 'sqlite', connectionString: '/data/pocket-id.db' });
    expect(config.encryptionKey.length).toBe(32);
  });

  it.each([
    ['HTTPS://Auth.Example.COM', 'https://auth.example.com'],
    ['https://auth.example.com/', 'https://auth.example.com'],
    ['https://auth.example.com:443', 'https://auth.example.com'],
    ['http://localhost:1411/', 'http://localhost:1411'],
    [' http://localhost:1411 ', 'http://localhost:1411'],
  ])('normalises APP_URL %s to %s', (raw, expected) => {
    expect(normaliseAppUrl(raw)).toBe(expected);
  });

  it('derives the WebAuthn RP ID from APP_URL’s host name', () => {
    const config = loadConfig({ ...KEY, APP_URL: 'https://auth.example.com:8443' });
    expect(config.rpId).toBe('auth.example.com');
    expect(config.secure).toBe(true);
  });

  it.each([
    ['ftp://example.com', 'http:// or https://'],
    ['https://user:pw@example.com', 'user name or password'],
    ['https://example.com/auth', 'must not have a path'],
    ['https://example.com/?x=1', 'must not have a path'],
    ['example.com', 'absolute URL'],
  ])('rejects APP_URL %s', (raw, message) => {
    expect(() => loadConfig({ ...KEY, APP_URL: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ ...KEY, APP_URL: raw })).toThrow(message);
  });

  it('accepts postgresql:// and rejects a sqlite path for postgres', () => {
    expect(loadConfig({ ...KEY, DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: 'postgresql://u@db/hearth' }).db.provider).toBe('postgres');
    expect(() => loadConfig({ ...KEY, DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: 'data/x.db' })).toThrow('postgres:// URL');
    expect(() => loadConfig({ ...KEY, DB_CONNECTION_STRING: 'postgres://u@db/hearth' })).toThrow('set DB_PROVIDER=postgres');
  });

  it('counts ENCRYPTION_KEY in bytes, not characters', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: 'ééééééééé' })).not.toThrow();
    expect(() => loadConfig({ ENCRYPTION_KEY: '123456789012345' })).toThrow('ENCRYPTION_KEY must be at least 16 bytes long');
  });

  it('refuses a variable set both directly and as _FILE', () => {
    expect(() => loadConfig({ ...KEY, ENCRYPTION_KEY_FILE: '/run/secrets/key' })).toThrow('set only one');
  });
});
