import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction.js';

describe('redactUrl', () => {
  it('hides login-link tokens in paths', () => {
    expect(redactUrl('/lc/abcDEF123_-xyz')).toBe('/lc/[redacted]');
    expect(redactUrl('/lc/abcDEF123_-xyz/extra?x=1')).toBe('/lc/[redacted]/extra?x=1');
    expect(redactUrl('/api/one-time-access-token/abcDEF123')).toBe('/api/one-time-access-token/[redacted]');
    expect(redactUrl('/lc/')).toBe('/lc/');
  });

  it('hides the values of secret query parameters and keeps the rest as sent', () => {
    expect(redactUrl('/token?client_id=app&client_secret=s3cret&code=c0de&state=a%20b')).toBe(
      '/token?client_id=app&client_secret=[redacted]&code=[redacted]&state=a%20b',
    );
    expect(redactUrl('/x?refresh_token=r&token=t&access_token=a&id_token_hint=h&code_verifier=v')).toBe(
      '/x?refresh_token=[redacted]&token=[redacted]&access_token=[redacted]&id_token_hint=[redacted]&code_verifier=[redacted]',
    );
  });

  it('recognises encoded or upper-case names and survives malformed escapes', () => {
    expect(redactUrl('/x?%63ode=secret')).toBe('/x?%63ode=[redacted]');
    expect(redactUrl('/x?CODE=secret')).toBe('/x?CODE=[redacted]');
    expect(redactUrl('/x?%E0%A4%A=1&code=secret')).toBe('/x?%E0%A4%A=1&code=[redacted]');
    expect(redactUrl('/x?code')).toBe('/x?code');
    expect(redactUrl('/plain')).toBe('/plain');
  });
});
