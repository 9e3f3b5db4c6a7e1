// Matching items against the search box, and where a web search goes when nothing matches.
// Plain functions without runes, so they run (and are tested) outside the browser too.
import type { Item, OpeningMethod } from './types';

/** Dashy's search engines (searchEngineUrls); the query is appended to the URL. */
export const searchEngineUrls: Readonly<Record<string, string>> = {
  duckduckgo: 'https://duckduckgo.com/?q=',
  google: 'https://google.com/search?q=',
  whoogle: 'https://whoogle.sdf.org/search?q=',
  qwant: 'https://www.qwant.com/?q=',
  startpage: 'https://www.startpage.com/do/search?query=',
  'searx-bar': 'https://searx.bar/search?q=',
  'searx-info': 'https://searx.info/search?q=',
  'searx-tiekoetter': 'https://searx.tiekoetter.com/search?q=',
  'searx-bissisoft': 'https://searx.bissisoft.com/search?q=',
  ecosia: 'https://www.ecosia.org/search?q=',
  metager: 'https://metager.org/meta/meta.ger3?eingabe=',
  swisscows: 'https://swisscows.com/web?query=',
  mojeek: 'https://www.mojeek.com/search?q=',
  peekier: 'https://peekier.com/#!',
  wikipedia: 'https://en.wikipedia.org/w/?search=',
  stackoverflow: 'https://stackoverflow.com/search?q=',
  wolframalpha: 'https://www.wolframalpha.com/input/?i=',
  reddit: 'https://www.reddit.com/search/?q=',
  youtube: 'https://youtube.com/results?q=',
  github: 'https://github.com/search?q=',
  bbc: 'https://www.bbc.co.uk/search?q=',
};

/** Dashy's built-in bangs; `appConfig.webSearch.searchBangs` adds to (and overrides) them. */
export const defaultSearchBangs: Readonly<Record<string, string>> = {
  '/b': 'bbc',
  '/d': 'duckduckgo',
  '/g': 'google',
  '/r': 'reddit',
  '/w': 'wikipedia',
  '/y': 'youtube',
  '/gh': 'github',
  '/so': 'stackoverflow',
  '/wa': 'wolframalpha',
};

export interface WebSearchSettings {
  searchEngine?: string;
  customSearchEngine?: string;
  openingMethod?: string;
  disableWebSearch?: boolean;
  openUrlsDirectly?: boolean;
  searchBangs?: Record<string, string>;
}

export interface WebSearchTarget {
  url: string;
  method: OpeningMethod;
}

function words(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Everything a person may type to find an item, lower-cased: title, description, URL, provider, tags. */
function searchableText(item: Item): string {
  const tags = Array.isArray(item.tags) ? item.tags.map(String) : [];
  const parts = [item.title, item.description, item.url, item.provider, ...tags];
  return parts.filter((part) => typeof part === 'string' || typeof part === 'number').join('\n').toLowerCase();
}

/** True when every word of the query occurs somewhere in the item (case-insensitive); an empty query matches all. */
export function matchesItem(item: Item, query: string): boolean {
  const wanted = words(query);
  if (wanted.length === 0) return true;
  const text = searchableText(item);
  return wanted.every((word) => text.includes(word));
}

const isHttpUrl = (value: string) => /^https?:\/\//i.test(value) && URL.canParse(value);

/** Dashy's test for "looks like a URL" (a TLD, no spaces), used with `openUrlsDirectly`. */
export function looksLikeUrl(input: string): boolean {
  return /^(https?:\/\/)?([\w-]+\.)+[a-z]{2,}(\/\S*)?$/i.test(input.trim());
}

function engineUrl(engine: string | undefined): string | undefined {
  if (!engine) return undefined;
  if (isHttpUrl(engine)) return engine;
  return searchEngineUrls[engine.toLowerCase()];
}

const openingMethods: readonly OpeningMethod[] = ['newtab', 'sametab', 'workspace', 'modal', 'parent', 'top'];

/**
 * Where Enter sends a query that matched no item, as Dashy's web search does: a bang
 * (`/w docker`), else the configured engine (or `custom` with `customSearchEngine`), else
 * DuckDuckGo. Null when web search is disabled or the query is empty.
 */
export function webSearchTarget(query: string, settings: WebSearchSettings | undefined = {}): WebSearchTarget | null {
  const prefs = settings ?? {};
  const input = query.trim();
  if (prefs.disableWebSearch === true || input === '') return null;
  const requested = typeof prefs.openingMethod === 'string' ? prefs.openingMethod : 'newtab';
  const method = (openingMethods as readonly string[]).includes(requested) ? (requested as OpeningMethod) : 'newtab';

  if (prefs.openUrlsDirectly === true && looksLikeUrl(input)) {
    return { url: /^https?:\/\//i.test(input) ? input : `https://${input}`, method };
  }

  const bangs: Record<string, string> = { ...defaultSearchBangs, ...(prefs.searchBangs ?? {}) };
  const tokens = input.split(/\s+/);
  const bangIndex = tokens.findIndex((token) => Object.hasOwn(bangs, token));
  let base: string | undefined;
  let terms = input;
  if (bangIndex >= 0) {
    base = engineUrl(bangs[tokens[bangIndex]!]);
    terms = tokens.filter((_, index) => index !== bangIndex).join(' ');
  }
  if (!base) {
    const custom = prefs.searchEngine === 'custom' && typeof prefs.customSearchEngine === 'string' ? prefs.customSearchEngine : undefined;
    base = custom && isHttpUrl(custom) ? custom : engineUrl(prefs.searchEngine);
    if (!base) {
      if (prefs.searchEngine) console.warn(`Unknown web search engine "${prefs.searchEngine}"; using DuckDuckGo.`);
      base = searchEngineUrls.duckduckgo!;
    }
  }
  return { url: base + encodeURIComponent(terms), method };
}
