// An <img> (or a CSS background) cannot send `Authorization: Bearer`, and the server answers
// the icons the config names only to people who may see the dashboard. With an OIDC sign-in
// those icons are fetched with the token and shown from a blob: URL. Each is fetched once per
// page load and shared by every item that shows it.
import { apiFetch } from '../../lib/api';
import { needsSignIn } from '../../lib/icons';
import type { Viewer } from '../../lib/types';

const loaded = new Map<string, Promise<string | null>>();

/** A blob: URL for the icon, or null when the server sent no image (the caller falls back). */
export function loadWithToken(src: string): Promise<string | null> {
  let pending = loaded.get(src);
  if (!pending) {
    pending = apiFetch(src)
      .then(async (response) => {
        if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('image/')) return null;
        return URL.createObjectURL(await response.blob());
      })
      .catch(() => null);
    loaded.set(src, pending);
  }
  return pending;
}

/**
 * What an <img> or `background-image` can load for `src` (from lib/icons.ts, e.g.
 * backgroundImageUrl): `src` itself, or for an OIDC sign-in a blob: URL fetched with the
 * token. Null when there is nothing to show.
 */
export async function viewableImage(src: string | null, viewer: Pick<Viewer, 'method'> | null | undefined): Promise<string | null> {
  if (!src) return null;
  return viewer?.method === 'oidc' && needsSignIn(src) ? loadWithToken(src) : src;
}
