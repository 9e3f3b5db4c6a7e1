// What this browser chose for itself, under Dashy's localStorage names: layout, item size,
// which sections are collapsed, and how often items were opened (for smart sorting).
import { localStorageKeys } from './storage-keys';
import type { AppConfig } from './types';

export type Layout = 'auto' | 'horizontal' | 'vertical';
export type ItemSize = 'small' | 'medium' | 'large';

export const LAYOUTS: readonly Layout[] = ['auto', 'horizontal', 'vertical'];
export const ITEM_SIZES: readonly ItemSize[] = ['small', 'medium', 'large'];

/** Dashy wrote some of these as plain strings and some as JSON strings; read both. */
function readString(key: string): string | null {
  try {
    const raw = localStorage.getItem(key);
    if (raw === null) return null;
    return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  } catch {
    return null;
  }
}

function readObject<T>(key: string): Record<string, T> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, T>) : {};
  } catch {
    return {};
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage full or refused: the choice lasts for this page only.
  }
}

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | null =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;

export const preferences = $state({
  layout: pick(readString(localStorageKeys.LAYOUT_ORIENTATION), LAYOUTS),
  itemSize: pick(readString(localStorageKeys.ICON_SIZE), ITEM_SIZES),
  collapsed: readObject<boolean>(localStorageKeys.COLLAPSE_STATE),
});

export function effectiveLayout(appConfig: AppConfig | undefined): Layout {
  return preferences.layout ?? pick(appConfig?.layout, LAYOUTS) ?? 'auto';
}

export function effectiveItemSize(appConfig: AppConfig | undefined): ItemSize {
  return preferences.itemSize ?? pick(appConfig?.iconSize, ITEM_SIZES) ?? 'medium';
}

export function setLayout(layout: Layout): void {
  preferences.layout = layout;
  write(localStorageKeys.LAYOUT_ORIENTATION, layout);
}

export function setItemSize(size: ItemSize): void {
  preferences.itemSize = size;
  write(localStorageKeys.ICON_SIZE, size);
}

/**
 * Dashy's key for a section's collapse state: page id and the section's name. The stored
 * value is whether the section is open.
 */
export function sectionKey(pageId: string | null, name: string | undefined): string {
  const normalized = name ? name.trim().toLowerCase().replace(/[^\p{L}\p{N}]/gu, '-') : 'unnamed';
  return `${pageId ?? 'home'}-${normalized}`;
}

export function isSectionOpen(key: string, collapsedInConfig: boolean | undefined): boolean {
  const stored = preferences.collapsed[key];
  if (typeof stored === 'boolean') return stored;
  return collapsedInConfig !== true;
}

export function setSectionOpen(key: string, open: boolean): void {
  preferences.collapsed[key] = open;
  const stored = readObject<boolean>(localStorageKeys.COLLAPSE_STATE);
  stored[key] = open;
  write(localStorageKeys.COLLAPSE_STATE, JSON.stringify(stored));
}

/** Counts an item as opened, for `sortBy: most-used` and `last-used` (Dashy's ledgers). */
export function recordUse(itemId: string, appConfig: AppConfig | undefined): void {
  if (appConfig?.disableSmartSort) return;
  const mostUsed = readObject<number>(localStorageKeys.MOST_USED);
  mostUsed[itemId] = (Number(mostUsed[itemId]) || 0) + 1;
  write(localStorageKeys.MOST_USED, JSON.stringify(mostUsed));
  const lastUsed = readObject<number>(localStorageKeys.LAST_USED);
  lastUsed[itemId] = Date.now();
  write(localStorageKeys.LAST_USED, JSON.stringify(lastUsed));
}

export function usageLedger(kind: 'most-used' | 'last-used'): Record<string, number> {
  return readObject<number>(kind === 'most-used' ? localStorageKeys.MOST_USED : localStorageKeys.LAST_USED);
}
