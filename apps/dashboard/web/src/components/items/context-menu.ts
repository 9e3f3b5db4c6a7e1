// Opens an item's menu from a right click, the context-menu key or Shift+F10 (the keyboard
// ways land below the item; a pointer lands where it was).
import { dashboard } from '../../lib/dashboard.svelte';
import type { Item } from '../../lib/types';
import { ui } from '../../lib/ui.svelte';

export function openMenuFor(event: MouseEvent | KeyboardEvent, item: Item): void {
  if (dashboard.config.appConfig?.disableContextMenu) return;
  const element = event.currentTarget as HTMLElement;
  const fromKeyboard = event instanceof KeyboardEvent;
  if (fromKeyboard && !((event.shiftKey && event.key === 'F10') || event.key === 'ContextMenu')) return;
  event.preventDefault();
  let x: number;
  let y: number;
  // A keyboard-made contextmenu event has no pointer position (0, 0).
  if (fromKeyboard || (event.clientX === 0 && event.clientY === 0)) {
    const box = element.getBoundingClientRect();
    x = box.left + 8;
    y = box.bottom + 4;
  } else {
    x = event.clientX;
    y = event.clientY;
  }
  ui.menu = { item, x, y, returnFocus: element };
}
