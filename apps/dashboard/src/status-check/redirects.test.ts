import { describe, expect, it } from 'vitest';
import { decideRedirect, isItemOrigin } from './redirects.js';

const url = (href: string) => new URL(href);

describe('isItemOrigin', () => {
  it('is the same scheme, host and port, or the same host upgraded to https', () => {
    const item = url('http://nas.lan/status');
    expect(isItemOrigin(item, url('http://nas.lan/other'))).toBe(true);
    expect(isItemOrigin(item, url('https://nas.lan/status'))).toBe(true);
    expect(isItemOrigin(item, url('http://nas.lan:8080/'))).toBe(false);
    expect(isItemOrigin(item, url('https://nas.lan:8443/'))).toBe(false);
    expect(isItemOrigin(item, url('http://other.lan/'))).toBe(false);
    expect(isItemOrigin(url('https://nas.lan/'), url('http://nas.lan/'))).toBe(false);
  });
});

describe('decideRedirect', () => {
  const item = url('https://app.lan/');
  it('follows within the origin, and elsewhere only when allowed', () => {
    expect(decideRedirect(item, item, url('https://app.lan/login'), false)).toEqual({ kind: 'follow' });
    expect(decideRedirect(item, item, url('https://sso.lan/'), false)).toMatchObject({ kind: 'stop', up: true });
    expect(decideRedirect(item, item, url('https://sso.lan/'), true)).toEqual({ kind: 'follow' });
  });

  it('never follows https to http', () => {
    expect(decideRedirect(item, item, url('http://app.lan/'), true)).toMatchObject({ kind: 'stop', up: false, reason: 'refused a redirect from https to http (http://app.lan)' });
  });
});
