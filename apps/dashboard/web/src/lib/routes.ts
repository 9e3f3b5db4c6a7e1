// The app's routes as Dashy names them, as plain functions (router.svelte.ts keeps the
// current one): the same page names give the same URLs as in Dashy, so bookmarks of
// /home/<page-name> keep working.
import { routePaths } from './storage-keys';

export type View =
  | { kind: 'home'; page: string | null }
  | { kind: 'workspace'; url: string | null; page: string | null }
  | { kind: 'login' };

/** Dashy's ConfigHelpers.makePageName. */
export function makePageName(pageName: string | undefined | null): string {
  if (!pageName) return 'unnamed-page';
  const cleaned = String(pageName)
    .normalize('NFC')
    .toLowerCase()
    .replace(/\.yml$/i, '')
    .replace(/\s+/g, '-')
    .replace(/[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu, '')
    .replace(/[^\p{L}\p{N}\p{M}_-]/gu, '')
    .replace(/^-+|-+$/g, '');
  if (!cleaned) return 'unnamed-page';
  // Dashy reserves "main" for the root config in its URLs.
  if (cleaned === 'main') return 'main-page';
  return cleaned;
}

export function viewOf(path: string, search: string): View {
  if (path === routePaths.login) return { kind: 'login' };
  if (path === routePaths.workspace || path.startsWith(`${routePaths.workspace}/`)) {
    const params = new URLSearchParams(search);
    return { kind: 'workspace', url: params.get('url'), page: params.get('page') || null };
  }
  const home = `${routePaths.home}/`;
  if (path.startsWith(home)) {
    const raw = path.slice(home.length).split('/')[0] ?? '';
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
    return { kind: 'home', page: segment && segment !== 'main' ? segment : null };
  }
  return { kind: 'home', page: null };
}
