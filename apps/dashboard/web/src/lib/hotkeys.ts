// Dashy's item hotkeys: an item with `hotkey: 3` opens when 3 is pressed anywhere but in a
// text field.
import { hasModifier, hotkeyItem, isTypingTarget, modalIsOpen } from './key-targets';
import { openItem } from './open-item';
import type { Item } from './types';

export { hotkeyItem } from './key-targets';

/**
 * Listens for hotkeys on the whole page until the returned function is called. Runs in the
 * capture phase and marks handled keys (preventDefault), so the search bar does not also
 * take the digit as typed text.
 */
export function installHotkeys(currentItems: () => readonly Item[]): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.repeat || hasModifier(event)) return;
    if (isTypingTarget(document.activeElement) || modalIsOpen()) return;
    const item = hotkeyItem(currentItems(), event.key);
    if (!item) return;
    event.preventDefault();
    void openItem(item);
  };
  window.addEventListener('keydown', onKeyDown, true);
  return () => window.removeEventListener('keydown', onKeyDown, true);
}
