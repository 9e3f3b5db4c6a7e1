/** A small history router: the app has a dozen screens and needs nothing more. */

export const router = $state({ path: window.location.pathname, search: window.location.search });

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.origin);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  router.path = url.pathname;
  router.search = url.search;
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  router.path = window.location.pathname;
  router.search = window.location.search;
});

/** Paths this app draws itself; everything else (login links, OIDC endpoints) is a full page load. */
export function isAppPath(path: string): boolean {
  return path === '/' || /^\/(login|setup|settings|admin)(\/|$)/.test(path);
}

/** Same-origin links to app paths change the screen without a page load. */
export function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a[href]');
  if (!(anchor instanceof HTMLAnchorElement) || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href);
  if (url.origin !== window.location.origin || !isAppPath(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
