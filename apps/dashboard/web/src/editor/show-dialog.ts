// Dialogs of the editor live outside the app's component tree: mounted on demand, removed
// when they answer. Focus goes back to whatever opened them, or, when that element is gone
// (the item it belonged to was re-rendered or deleted), to the best replacement.
import { mount, tick, unmount } from 'svelte';
import type { Component } from 'svelte';

type DoneOf<P> = P extends { done: (result: infer R) => void } ? R : never;

/** Mounts a dialog component and resolves with what it passes to its `done` prop. */
export function showDialog<P extends { done: (result: never) => void }>(
  component: Component<P>,
  props: Omit<P, 'done'>,
  returnFocus?: () => HTMLElement | null | undefined,
): Promise<DoneOf<P>> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise<DoneOf<P>>((resolve) => {
    let instance: ReturnType<typeof mount> | null = null;
    let answered = false;
    const done = (result: DoneOf<P>) => {
      if (answered) return;
      answered = true;
      if (instance) void unmount(instance);
      resolve(result);
      void restoreFocus(opener, returnFocus);
    };
    instance = mount(component, { target: document.body, props: { ...props, done } as unknown as P });
  });
}

export async function restoreFocus(opener: HTMLElement | null, fallback?: () => HTMLElement | null | undefined): Promise<void> {
  await tick();
  // Let the page re-render what the dialog changed before looking for a place to land.
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const replacement = fallback?.();
  const target = replacement ?? (opener?.isConnected ? opener : null) ?? document.getElementById('main-heading');
  target?.focus();
}
