// Dashy's visibility rules (showForUsers, hideForUsers, showForKeycloakUsers,
// hideForKeycloakUsers, hideForGuests), applied on the server. Dashy evaluates them in the
// browser after sending everything; here they decide what is sent at all.
import type { DisplayData } from '../config/schema.js';

export type Viewer =
  /** Signed out, with `enableGuestAccess` on. */
  | { kind: 'guest' }
  | { kind: 'user'; user: string; groups: readonly string[]; roles: readonly string[] };

function intersects(wanted: readonly string[] | undefined, held: readonly string[]): boolean {
  return (wanted ?? []).some((entry) => held.includes(entry));
}

function namesInclude(list: readonly string[], user: string): boolean {
  const wanted = user.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === wanted);
}

/**
 * Every rule must allow the viewer. Usernames compare case-insensitively and group and role
 * names exactly, as in Dashy. One deliberate difference: Dashy shows a `showForUsers`
 * section to a guest (it has no user to compare); Hearth does not, because a list of
 * allowed users cannot include someone who has not signed in.
 */
export function isVisibleTo(displayData: DisplayData | undefined, viewer: Viewer): boolean {
  if (!displayData) return true;
  const { hideForUsers, showForUsers, hideForKeycloakUsers, showForKeycloakUsers, hideForGuests } = displayData;
  const groups = viewer.kind === 'user' ? viewer.groups : [];
  const roles = viewer.kind === 'user' ? viewer.roles : [];

  if (viewer.kind === 'guest' && hideForGuests) return false;
  if (viewer.kind === 'user' && hideForUsers && namesInclude(hideForUsers, viewer.user)) return false;
  if (showForUsers && showForUsers.length > 0) {
    if (viewer.kind !== 'user' || !namesInclude(showForUsers, viewer.user)) return false;
  }
  if (hideForKeycloakUsers && (intersects(hideForKeycloakUsers.groups, groups) || intersects(hideForKeycloakUsers.roles, roles))) {
    return false;
  }
  if (showForKeycloakUsers && !(intersects(showForKeycloakUsers.groups, groups) || intersects(showForKeycloakUsers.roles, roles))) {
    return false;
  }
  return true;
}
