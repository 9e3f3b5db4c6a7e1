// What an item's or section's `icon` means, decided the way Dashy decides it (ItemIcon.vue),
// and where this app loads it from. Everything is same-origin: the dashboard server serves
// package icons and fetches remote ones, so the browser never asks another host. The server
// also falls back (favicon, then a letter tile) when an icon cannot be fetched, so an image
// it serves always loads: a failed load would be a console error on every page view.
import type { AppConfig, DashyConfig, Item, PageInfo } from './types';

export type IconSource =
  | { kind: 'none' }
  | { kind: 'font-awesome'; className: string }
  | { kind: 'emoji'; text: string }
  /** `tinted` ones are single-colour SVGs drawn in the text colour. */
  | { kind: 'image'; src: string; tinted: boolean }
  | { kind: 'letter' };

const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|bmp|ico|svg)$/i;
const FILE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9 _.,+@()-]{0,127}$/;
const SIMPLE_ICON = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const MDI_ICON = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DASHBOARD_ICON = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;
const FA_TOKEN = /^fa[a-z0-9-]*$/;
/** Families the free package has; the rest are Pro and drawn as solid here. */
const FA_FREE_FAMILIES = new Set(['fa', 'fas', 'far', 'fab', 'fa-solid', 'fa-regular', 'fa-brands', 'fa-classic']);
const FA_PRO_FAMILIES = new Set(['fal', 'fad', 'fat', 'fass', 'fasr', 'fasl', 'fa-light', 'fa-thin', 'fa-duotone', 'fa-sharp', 'fa-sharp-solid', 'fa-sharp-regular', 'fa-sharp-light']);

export const FONT_AWESOME_CSS = '/vendor/fontawesome/css/all.min.css';

/** The longest URL the server takes in a query; a longer one falls back to a letter tile. */
const MAX_URL_LENGTH = 2048;

/** An http(s) URL the server reads the same way (it normalises with the URL parser). */
export function isHttpUrl(value: string | undefined): value is string {
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return trimmed.length <= MAX_URL_LENGTH && /^https?:\/\/[^\s]+$/i.test(trimmed) && URL.canParse(trimmed);
}

/** `fas fa-rocket`, `fa-solid fa-house fa-spin`, `fa-server` → classes to render; else null. */
export function fontAwesomeClasses(icon: string): string | null {
  const tokens = icon.trim().toLowerCase().split(/\s+/);
  if (!tokens.every((token) => FA_TOKEN.test(token)) || !tokens.some((token) => token.startsWith('fa-'))) return null;
  const kept = tokens.filter((token) => !FA_PRO_FAMILIES.has(token));
  const families = kept.filter((token) => FA_FREE_FAMILIES.has(token));
  const glyphs = kept.filter((token) => !FA_FREE_FAMILIES.has(token));
  if (glyphs.length === 0) return null;
  return [...(families.length > 0 ? families : ['fas']), ...glyphs].join(' ');
}

/** One or more emoji (with skin tones, joiners and flags), or Dashy's `U+1F680`. */
export function emojiText(icon: string): string | null {
  const text = icon.trim();
  const code = /^U\+([0-9A-F]{4,6})$/i.exec(text);
  if (code) {
    const point = parseInt(code[1]!, 16);
    return point <= 0x10ffff ? String.fromCodePoint(point) : null;
  }
  if (text.length > 32) return null;
  const onlyEmoji = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Modifier}|\u200d|\ufe0f|\u20e3)+$/u.test(text);
  return onlyEmoji && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(text) ? text : null;
}

/** `wallpaper.jpg`, `apps/Kuma.png`: the checks the server applies to paths of image files. */
function imageFileSegments(path: string): string[] | null {
  if (!IMAGE_FILE.test(path)) return null;
  const segments = path.split('/');
  if (segments.length > 4 || segments.some((segment) => !FILE_SEGMENT.test(segment) || segment.includes('..'))) return null;
  return segments;
}

/** `jellyfin.png`, `apps/kuma.svg`, `./item-icons/x.png` → `/item-icons/...`; else null. */
export function itemIconPath(icon: string): string | null {
  const segments = imageFileSegments(icon.trim().replace(/^\.?\/+/, '').replace(/^item-icons\//, ''));
  return segments ? `/item-icons/${segments.map(encodeURIComponent).join('/')}` : null;
}

/**
 * What the server falls back on: the item's page (`url=`, or `item=` where `url=` is the
 * image itself) for its favicon, and the title for a letter tile.
 */
function withFallback(path: string, title: string, url?: string, itemParameter: 'url' | 'item' = 'url'): string {
  const parts: string[] = [];
  if (url !== undefined && isHttpUrl(url)) parts.push(`${itemParameter}=${encodeURIComponent(url.trim())}`);
  // Only the first letter and the colour matter; lone surrogates cannot be encoded.
  const shortTitle = [...title.replace(/\p{Cs}/gu, '').trim()].slice(0, 100).join('');
  parts.push(`title=${encodeURIComponent(shortTitle)}`);
  return `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

/**
 * Where `icon` comes from. The order follows Dashy: a URL, then an image file name, then
 * the prefixed kinds, then emoji. Unlike Dashy, a name Hearth cannot resolve (Dashy's
 * `generative`, an unknown prefix) gets the favicon or a letter tile rather than a broken
 * image, and the server answers an icon it cannot fetch with the favicon or the tile.
 */
export function resolveIcon(icon: string | undefined, url?: string, title = ''): IconSource {
  const value = icon?.trim() ?? '';
  if (!value) return { kind: 'none' };
  const image = (src: string, tinted = false): IconSource => ({ kind: 'image', src, tinted });
  const favicon = (): IconSource => (isHttpUrl(url) ? image(withFallback(`/icons/favicon?url=${encodeURIComponent(url.trim())}`, title)) : { kind: 'letter' });

  if (/^https?:\/\//i.test(value)) {
    return isHttpUrl(value) ? image(withFallback(`/icons/image?url=${encodeURIComponent(value)}`, title, url, 'item')) : favicon();
  }
  if (IMAGE_FILE.test(value)) {
    const path = itemIconPath(value);
    return path ? image(withFallback(path, title, url)) : favicon();
  }
  const prefixed = /^(mdi|si|hl|sh)-(.+)$/i.exec(value.replace(/^mdi\s+/i, ''));
  if (prefixed) {
    const prefix = prefixed[1]!.toLowerCase();
    const name = prefixed[2]!.toLowerCase();
    if (prefix === 'mdi' && MDI_ICON.test(name)) return image(withFallback(`/icons/mdi/${name}.svg`, title), true);
    if (prefix === 'si' && SIMPLE_ICON.test(name)) return image(withFallback(`/icons/si/${name}.svg`, title), true);
    if (prefix === 'hl' && DASHBOARD_ICON.test(name)) return image(withFallback(`/icons/hl/${name}`, title, url));
    // selfh.st icons (sh-) are not fetched: the favicon stands in.
    return favicon();
  }
  if (/^favicon(?:-|$)/i.test(value)) return favicon();
  if (value.toLowerCase() === 'generative') return { kind: 'letter' };
  const className = fontAwesomeClasses(value);
  if (className) return { kind: 'font-awesome', className };
  const emoji = emojiText(value);
  if (emoji) return { kind: 'emoji', text: emoji };
  return favicon();
}

/**
 * The routes whose answer depends on who asks: an OIDC session must send its token. An
 * item-icons file is public, but falling back on the item's favicon is not.
 */
export function needsSignIn(src: string): boolean {
  return /^\/icons\/(?:image|favicon|hl|background|logo)[/?]/.test(src) || /^\/item-icons\/[^?#]*\?(?:[^#]*&)?url=/.test(src);
}

// The same letter and colour as the server's tiles, from the one module both use.
export { letterOf as letterFor, letterColour } from '../../../src/icons/letter.js';

/**
 * Where the page's own pictures load from: the server fetches an http(s) URL, or serves a
 * path from the user data folder (as Dashy serves it at its root); a data: image needs no
 * server. Null when there is none, or nothing the server could serve.
 */
function pageImageUrl(kind: 'background' | 'logo', value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^data:image\//i.test(trimmed)) return trimmed;
  const servable = /^[a-z][a-z0-9+.-]*:|^\/\//i.test(trimmed) ? isHttpUrl(trimmed) : imageFileSegments(trimmed.replace(/^(?:\.?\/)+/, '')) !== null;
  return servable ? `/icons/${kind}?url=${encodeURIComponent(trimmed)}` : null;
}

/** `appConfig.backgroundImg`, for `background-image: url(...)` on the page. */
export function backgroundImageUrl(appConfig: AppConfig | null | undefined): string | null {
  return pageImageUrl('background', appConfig?.backgroundImg);
}

/** `pageInfo.logo`, for the header's <img>. */
export function logoImageUrl(pageInfo: PageInfo | null | undefined): string | null {
  return pageImageUrl('logo', pageInfo?.logo);
}

// Entries that are not objects (a stray `-` in YAML) are skipped, as the page skips them.
function itemsUseFontAwesome(items: readonly Item[] | undefined): boolean {
  return (Array.isArray(items) ? items : []).some(
    (item) => (typeof item?.icon === 'string' && fontAwesomeClasses(item.icon) !== null) || itemsUseFontAwesome(item?.subItems),
  );
}

/** Whether any section or item of the config has a Font Awesome icon. */
export function usesFontAwesome(config: DashyConfig | null | undefined): boolean {
  return (Array.isArray(config?.sections) ? config.sections : []).some(
    (section) => (typeof section?.icon === 'string' && fontAwesomeClasses(section.icon) !== null) || itemsUseFontAwesome(section?.items),
  );
}

/** Adds Font Awesome's stylesheet once; dashboards without FA icons never load it. */
export function ensureFontAwesome(doc: Document = document): void {
  if (doc.querySelector('link[data-font-awesome]')) return;
  const link = doc.createElement('link');
  link.rel = 'stylesheet';
  link.href = FONT_AWESOME_CSS;
  link.dataset.fontAwesome = '';
  doc.head.append(link);
}
