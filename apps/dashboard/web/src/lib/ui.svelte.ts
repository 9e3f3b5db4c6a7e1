// Short-lived page state shared across components: toasts, the item shown in a modal frame,
// and the open context menu.
import type { Item } from './types';

export interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'error';
}

export const ui = $state({
  toasts: [] as Toast[],
  /** The item whose page the modal frame shows. */
  modal: null as { url: string; title: string } | null,
  /** The item's right-click menu: where, and for which element (focus goes back to it). */
  menu: null as { item: Item; x: number; y: number; returnFocus: HTMLElement | null } | null,
});

let nextToast = 1;

export function toast(text: string, kind: Toast['kind'] = 'success', ms = 3000): void {
  const id = nextToast++;
  ui.toasts.push({ id, text, kind });
  setTimeout(() => {
    ui.toasts = ui.toasts.filter((entry) => entry.id !== id);
  }, ms);
}
