// Which key means what: the pure half of the page's keyboard handling, kept apart from the
// installer so it runs (and is tested) without the app around it.
import type { Item } from './types';

/**
 * Elements where keys belong to the element: text fields, and widgets that read keys
 * themselves (menus, list boxes, dialogs). Typing there never triggers page shortcuts.
 */
export function isTypingTarget(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLElement && element.isContentEditable) return true;
  if (element instanceof HTMLInputElement) return !nonTextInputs.has(element.type);
  return element.matches('textarea, select') || element.closest('[role="menu"], [role="listbox"], [role="dialog"], dialog') !== null;
}

const nonTextInputs = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit']);

/** A modal dialog owns the keyboard while it is open. */
export function modalIsOpen(): boolean {
  return document.querySelector('dialog[open], [aria-modal="true"]') !== null;
}

export function hasModifier(event: KeyboardEvent): boolean {
  return event.ctrlKey || event.metaKey || event.altKey;
}

/** The item (sub-items included) whose hotkey is `key`; the first one wins when several share it. */
export function hotkeyItem(items: readonly Item[], key: string): Item | undefined {
  if (!/^[0-9]$/.test(key)) return undefined;
  for (const item of items) {
    if (item.hotkey !== undefined && item.hotkey !== null && String(item.hotkey).trim() === key) return item;
    const nested = Array.isArray(item.subItems) ? hotkeyItem(item.subItems, key) : undefined;
    if (nested) return nested;
  }
  return undefined;
}
