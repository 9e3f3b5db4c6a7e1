import { describe, expect, it } from 'vitest';
import { makePageName, viewOf } from './routes';

describe('makePageName', () => {
  it('gives the slugs Dashy gives', () => {
    expect(makePageName('Media Center')).toBe('media-center');
    expect(makePageName('  Home Lab  ')).toBe('home-lab');
    expect(makePageName('work.yml')).toBe('work');
    // Dashy keeps the double hyphen where a symbol stood between spaces.
    expect(makePageName('Café & Bar!')).toBe('café--bar');
    expect(makePageName('Ünïcødé 東京')).toBe('ünïcødé-東京');
    expect(makePageName('main')).toBe('main-page');
    expect(makePageName('!!!')).toBe('unnamed-page');
    expect(makePageName(undefined)).toBe('unnamed-page');
  });
});

describe('viewOf', () => {
  it('reads Dashy routes', () => {
    expect(viewOf('/', '')).toEqual({ kind: 'home', page: null });
    expect(viewOf('/home', '')).toEqual({ kind: 'home', page: null });
    expect(viewOf('/home/main', '')).toEqual({ kind: 'home', page: null });
    expect(viewOf('/home/media-center', '')).toEqual({ kind: 'home', page: 'media-center' });
    expect(viewOf('/home/caf%C3%A9', '')).toEqual({ kind: 'home', page: 'café' });
    expect(viewOf('/workspace', '?url=http%3A%2F%2Fa.lan&page=media')).toEqual({ kind: 'workspace', url: 'http://a.lan', page: 'media' });
    expect(viewOf('/login', '')).toEqual({ kind: 'login' });
  });

  it('survives a malformed address', () => {
    expect(viewOf('/home/%E0%A4%A', '')).toEqual({ kind: 'home', page: '%E0%A4%A' });
  });
});
