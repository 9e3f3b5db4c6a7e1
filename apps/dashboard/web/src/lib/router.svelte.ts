// Client-side routes, as Dashy names them: `/` and `/home` for the main page,
// `/home/<page-name>` for a sub-page of `pages:`, `/workspace?url=...`, and `/login` for
// built-in users. The server answers index.html for all of them.
import { tick } from 'svelte';
import { makePageName, viewOf } from './routes';
import type { View } from './routes';
import { routePaths } from './storage-keys';

export { makePageName, viewOf };
export type { View };

export const route = $state({ path: window.location.pathname, search: window.location.search });

export function pagePath(pageName: string): string {
  return `${routePaths.home}/${makePageName(pageName)}`;
}

export function currentView(): View {
  return viewOf(route.path, route.search);
}

/** Focus the page's main heading after a route change, so screen readers announce it. */
async function focusMainHeading(): Promise<void> {
  await tick();
  // Page data may still be loading; give it one more frame.
  await new Promise((resolve) => requestAnimationFrame(resolve));
  document.getElementById('main-heading')?.focus();
}

export function navigate(to: string, options: { replace?: boolean; focus?: boolean } = {}): void {
  const url = new URL(to, window.location.origin);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = `${url.pathname}${url.search}${url.hash}`;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  route.path = url.pathname;
  route.search = url.search;
  if (options.focus !== false) void focusMainHeading();
}

/** After something else rewrote the address (the sign-in callback's history.replaceState). */
export function syncRoute(): void {
  route.path = window.location.pathname;
  route.search = window.location.search;
}

/** For same-site links: keeps ctrl/cmd/middle clicks (new tab) working as the browser does them. */
export function followLink(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.target && anchor.target !== '_self') return;
  const url = new URL(anchor.href, window.location.origin);
  if (url.origin !== window.location.origin || /\.ya?ml$/.test(url.pathname)) return;
  event.preventDefault();
  navigate(`${url.pathname}${url.search}${url.hash}`);
}

window.addEventListener('popstate', () => {
  syncRoute();
  void focusMainHeading();
});
