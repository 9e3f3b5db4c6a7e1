// Dashy's opening methods (`target` on an item, `appConfig.defaultOpeningMethod`): a new tab,
// this tab, the parent or top frame, a modal frame, the workspace, or copying the address.
// `newwindow` and names Dashy does not know open a new tab, as Dashy's launchItem does.
import { dashboard } from './dashboard.svelte';
import { navigate } from './router.svelte';
import { routePaths } from './storage-keys';
import type { AppConfig, Item, OpeningMethod } from './types';
import { toast, ui } from './ui.svelte';

export const OPENING_METHODS: readonly OpeningMethod[] = ['newtab', 'sametab', 'parent', 'top', 'modal', 'workspace', 'clipboard'];

export function isOpeningMethod(value: unknown): value is OpeningMethod {
  return typeof value === 'string' && (OPENING_METHODS as readonly string[]).includes(value);
}

export function itemTarget(item: Item, appConfig?: AppConfig): OpeningMethod {
  const wanted = item.target ?? appConfig?.defaultOpeningMethod;
  return isOpeningMethod(wanted) ? wanted : 'newtab';
}

/** The HTML target of a plain link for the methods a link can do by itself. */
export function anchorTarget(method: OpeningMethod): string | undefined {
  switch (method) {
    case 'newtab':
      return '_blank';
    case 'sametab':
      return '_self';
    case 'parent':
      return '_parent';
    case 'top':
      return '_top';
    default:
      return undefined;
  }
}

const UNSAFE_SCHEMES = /^(javascript|data|vbscript|blob):/i;

/**
 * An item's URL as a link may use it; null for none or a scheme that would run code in the
 * dashboard's page. Other schemes (ssh:, smb:, a `host:port` without scheme) pass as in Dashy.
 */
export function linkUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (trimmed === '' || trimmed === '#') return null;
  // Browsers ignore tabs, newlines and other control characters inside a scheme; so must this check.
  const compact = [...trimmed].filter((character) => character.charCodeAt(0) > 0x20).join('');
  if (UNSAFE_SCHEMES.test(compact)) return null;
  return trimmed;
}

/** Only web pages can be shown in a frame (modal, workspace). */
export function frameUrl(url: unknown): string | null {
  const link = linkUrl(url);
  if (!link) return null;
  try {
    const parsed = new URL(link, window.location.origin);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The workspace showing `url`, on the page being shown (its items fill the side list). */
export function workspacePath(url: string): string {
  const page = dashboard.pageSlug ? `&page=${encodeURIComponent(dashboard.pageSlug)}` : '';
  return `${routePaths.workspace}?url=${encodeURIComponent(url)}${page}`;
}

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permissions): try the older way below.
  }
  // Plain-http homelab addresses have no Clipboard API; a selected textarea still copies.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

export async function openItem(item: Item, method?: OpeningMethod): Promise<void> {
  const how = method ?? itemTarget(item, dashboard.config.appConfig);
  const raw = typeof item.url === 'string' ? item.url.trim() : '';
  if (how === 'clipboard') {
    if (!raw) return;
    const copied = await copyText(raw);
    toast(copied ? `Copied ${raw}` : 'The browser refused to copy the address', copied ? 'success' : 'error');
    return;
  }
  const url = linkUrl(raw);
  if (!url) return;
  const framed = frameUrl(url);
  switch (how) {
    case 'sametab':
      window.location.assign(url);
      return;
    case 'parent':
    case 'top':
      window.open(url, anchorTarget(how));
      return;
    case 'modal':
      if (framed) {
        ui.modal = { url: framed, title: item.title ?? framed };
        return;
      }
      break;
    case 'workspace':
      if (framed) {
        navigate(workspacePath(framed));
        return;
      }
      break;
    default:
      break;
  }
  window.open(url, '_blank', 'noopener,noreferrer');
}
