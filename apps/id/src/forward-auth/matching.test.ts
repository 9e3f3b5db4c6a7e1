import { describe, expect, it } from 'vitest';
import { headerText, matchRule, normalisePath, normaliseRuleHost, normaliseRulePathPrefix, originalRequest, safeReturnUrl, type ForwardAuthRule } from './matching.js';

const rule = (host: string, pathPrefix: string, id = `${host}${pathPrefix}`): ForwardAuthRule => ({ id, host, pathPrefix, allowAnyUser: true, allowedGroupIds: [] });

describe('forward-auth matching', () => {
  it('stores hosts lower-case and refuses addresses, paths and default ports', () => {
    expect(normaliseRuleHost(' Photos.Example.COM ')).toEqual({ host: 'photos.example.com' });
    expect(normaliseRuleHost('photos.example.com:8443')).toEqual({ host: 'photos.example.com:8443' });
    expect(normaliseRuleHost('[::1]:8080')).toEqual({ host: '[::1]:8080' });
    for (const bad of ['', 'https://x.example', 'x.example/path', 'x.example:0', 'x.example:99999', 'x.example:08443', '-x.example', 'x_y.example', 'a b']) {
      expect(normaliseRuleHost(bad), bad).toHaveProperty('problem');
    }
    expect(normaliseRuleHost('x.example:443')).toEqual({ problem: 'must leave out the port when it is 80 or 443 (proxies do not send it)' });
  });

  it('stores path prefixes without a trailing slash', () => {
    expect(normaliseRulePathPrefix(undefined)).toEqual({ pathPrefix: '/' });
    expect(normaliseRulePathPrefix('/admin/')).toEqual({ pathPrefix: '/admin' });
    expect(normaliseRulePathPrefix('admin')).toHaveProperty('problem');
    expect(normaliseRulePathPrefix('/a?b')).toHaveProperty('problem');
  });

  it('reads paths as an app would', () => {
    expect(normalisePath('/%61dmin/../admin//users/')).toBe('/admin/users');
    expect(normalisePath('/a\\..\\admin')).toBe('/admin');
    expect(normalisePath('/%E0%A4%A')).toBeNull();
    expect(normalisePath('/%00')).toBeNull();
  });

  it('picks the longest prefix the path is under, on that host only', () => {
    const rules = [rule('a.example', '/'), rule('a.example', '/admin'), rule('a.example', '/admin/deep'), rule('b.example', '/admin')];
    expect(matchRule(rules, 'a.example', '/admin/deep/x')?.id).toBe('a.example/admin/deep');
    expect(matchRule(rules, 'a.example', '/admin/x')?.id).toBe('a.example/admin');
    expect(matchRule(rules, 'a.example', '/administrator')?.id).toBe('a.example/');
    expect(matchRule(rules, 'b.example', '/')).toBeNull();
    expect(matchRule(rules, 'c.example', '/admin')).toBeNull();
  });

  it('rebuilds the original request from the forwarded headers', () => {
    expect(originalRequest({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'A.example:443', 'x-forwarded-uri': '/x?y=1' })).toEqual({
      url: 'https://a.example/x?y=1',
      host: 'a.example',
      path: '/x',
    });
    expect(originalRequest({ 'x-forwarded-host': 'a.example, b.example', 'x-forwarded-uri': '/' })).toHaveProperty('problem');
    expect(originalRequest({ 'x-forwarded-host': 'a.example' })).toHaveProperty('problem');
    expect(originalRequest({ 'x-forwarded-host': 'user@a.example', 'x-forwarded-uri': '/' })).toHaveProperty('problem');
    expect(originalRequest({ 'x-forwarded-proto': 'ftp', 'x-forwarded-host': 'a.example', 'x-forwarded-uri': '/' })).toHaveProperty('problem');
  });

  it('follows return addresses only to Hearth ID and protected hosts', () => {
    const hosts = new Set(['a.example']);
    expect(safeReturnUrl('https://a.example/x', 'https://id.example', hosts)).toBe('https://a.example/x');
    expect(safeReturnUrl('/apps', 'https://id.example', hosts)).toBe('https://id.example/apps');
    for (const rd of ['//evil.example', 'https://a.example@evil.example', 'javascript:alert(1)', 'https://evil.example', 42, '', 'https://a.example/\n']) {
      expect(safeReturnUrl(rd, 'https://id.example', hosts), String(rd)).toBeNull();
    }
  });

  it('writes header values as UTF-8 bytes, without control characters', () => {
    expect(Buffer.from(headerText('Zoë 李\r\nX: y'), 'latin1').toString('utf8')).toBe('Zoë 李X: y');
  });
});
