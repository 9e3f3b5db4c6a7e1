import { describe, expect, it, vi } from 'vitest';
import { looksLikeUrl, matchesItem, webSearchTarget } from './search-match';
import type { Item } from './types';

const plex: Item = {
  title: 'Plex',
  description: 'Media library',
  url: 'https://plex.lab.local:32400/web',
  tags: ['movies', 'Music'],
};

describe('matchesItem', () => {
  it('matches the title, description, URL and tags, ignoring case', () => {
    expect(matchesItem(plex, 'plex')).toBe(true);
    expect(matchesItem(plex, 'LIBRARY')).toBe(true);
    expect(matchesItem(plex, '32400')).toBe(true);
    expect(matchesItem(plex, 'music')).toBe(true);
    expect(matchesItem(plex, 'grafana')).toBe(false);
  });

  it('needs every word, each anywhere in the item', () => {
    expect(matchesItem(plex, 'media movies')).toBe(true);
    expect(matchesItem(plex, '  plex   media ')).toBe(true);
    expect(matchesItem(plex, 'media grafana')).toBe(false);
  });

  it('matches everything with an empty query, and survives items without text', () => {
    expect(matchesItem(plex, '')).toBe(true);
    expect(matchesItem(plex, '   ')).toBe(true);
    expect(matchesItem({}, '')).toBe(true);
    expect(matchesItem({}, 'x')).toBe(false);
    expect(matchesItem({ title: 'A', tags: 'not-a-list' as unknown as string[] }, 'not-a-list')).toBe(false);
  });

  it('matches the provider too, as Dashy does', () => {
    expect(matchesItem({ title: 'Router', provider: 'Ubiquiti' }, 'ubiquiti')).toBe(true);
  });
});

describe('webSearchTarget', () => {
  it('uses DuckDuckGo in a new tab by default, with the query encoded', () => {
    expect(webSearchTarget('cats & dogs')).toEqual({ url: 'https://duckduckgo.com/?q=cats%20%26%20dogs', method: 'newtab' });
  });

  it('uses the configured engine and opening method', () => {
    expect(webSearchTarget('docker', { searchEngine: 'google', openingMethod: 'sametab' })).toEqual({
      url: 'https://google.com/search?q=docker',
      method: 'sametab',
    });
    expect(webSearchTarget('x', { searchEngine: 'wikipedia', openingMethod: 'workspace' })).toEqual({
      url: 'https://en.wikipedia.org/w/?search=x',
      method: 'workspace',
    });
  });

  it('uses a custom engine URL', () => {
    expect(webSearchTarget('q1', { searchEngine: 'custom', customSearchEngine: 'https://searx.lab/search?q=' })?.url).toBe('https://searx.lab/search?q=q1');
  });

  it('never builds a search on a script URL', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(webSearchTarget('q', { searchEngine: 'custom', customSearchEngine: 'javascript:alert(1)//' })?.url).toBe('https://duckduckgo.com/?q=q');
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('falls back to DuckDuckGo with a warning for an unknown engine', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(webSearchTarget('q', { searchEngine: 'altavista' })?.url).toBe('https://duckduckgo.com/?q=q');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('altavista'));
    warn.mockRestore();
  });

  it('follows bangs, built-in and configured, and drops them from the query', () => {
    expect(webSearchTarget('/w docker')?.url).toBe('https://en.wikipedia.org/w/?search=docker');
    expect(webSearchTarget('compose /gh')?.url).toBe('https://github.com/search?q=compose');
    expect(webSearchTarget(':a usb hub', { searchBangs: { ':a': 'https://shop.example/s?k=' } })?.url).toBe('https://shop.example/s?k=usb%20hub');
    // A bang is a whole word: a path with a slash in it is a query, not a bang.
    expect(webSearchTarget('a/w')?.url).toBe('https://duckduckgo.com/?q=a%2Fw');
  });

  it('opens URL-like input directly when openUrlsDirectly is on', () => {
    expect(webSearchTarget('github.com/x', { openUrlsDirectly: true })).toEqual({ url: 'https://github.com/x', method: 'newtab' });
    expect(webSearchTarget('http://nas.lan', { openUrlsDirectly: true })?.url).toBe('http://nas.lan');
    expect(webSearchTarget('github.com', {})?.url).toBe('https://duckduckgo.com/?q=github.com');
    expect(looksLikeUrl('two words.com')).toBe(false);
  });

  it('gives nothing when web search is off or the query is empty', () => {
    expect(webSearchTarget('docker', { disableWebSearch: true })).toBeNull();
    expect(webSearchTarget('   ')).toBeNull();
  });

  it('ignores an opening method web search cannot use', () => {
    expect(webSearchTarget('q', { openingMethod: 'clipboard' })?.method).toBe('newtab');
  });
});
