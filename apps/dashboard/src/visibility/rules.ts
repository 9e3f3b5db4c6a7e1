// Dashy's visibility rules (showForUsers, hideForUsers, showForKeycloakUsers,
// hideForKeycloakUsers, hideForGuests), applied on the server. Dashy evaluates them in the
// browser after sending everything; here they decide what is sent at all.
import type { DisplayData } from '../config/schema.js';

export type Viewer =
  /** Signed out, with `enableGuestAccess` on. */
  | { kind: 'guest' }
  | {
      kind: 'user';
      /** preferred_username (or a built-in user's name); null when the token has none. */
      username: string | null;
      /** Null when the token carries no such claim: unknown, not empty. */
      groups: readonly string[] | null;
      roles: readonly string[] | null;
    };

function listed(list: readonly string[] | undefined): list is readonly string[] {
  return list !== undefined && list.length > 0;
}

function intersects(wanted: readonly string[] | undefined, held: readonly string[] | null): boolean {
  return held !== null && (wanted ?? []).some((entry) => held.includes(entry));
}

/** A rule names some of these, and the viewer holds one of them or we cannot tell. */
function mayHold(wanted: readonly string[] | undefined, held: readonly string[] | null): boolean {
  if (!listed(wanted)) return false;
  return held === null || wanted.some((entry) => held.includes(entry));
}

function namesInclude(list: readonly string[], user: string): boolean {
  const wanted = user.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === wanted);
}

/**
 * Every rule must allow the viewer. Usernames compare case-insensitively and group and role
 * names exactly, as in Dashy. Deliberate differences, all failing closed:
 * - Dashy shows a `showForUsers` section to a guest (it has no user to compare); Hearth does
 *   not, because a list of allowed users cannot include someone who has not signed in.
 * - A hide rule that names groups (or roles) hides from a signed-in user whose token does not
 *   carry the claim at all: they may be in one of those groups, nobody can tell.
 * - User rules compare preferred_username only, so a user without one matches no
 *   `showForUsers` list and is hidden by every `hideForUsers` list.
 */
export function isVisibleTo(displayData: DisplayData | undefined, viewer: Viewer): boolean {
  if (!displayData) return true;
  const { hideForUsers, showForUsers, hideForKeycloakUsers, showForKeycloakUsers, hideForGuests } = displayData;

  if (viewer.kind === 'guest') {
    if (hideForGuests) return false;
    if (listed(showForUsers)) return false;
    // A guest has no groups or roles (known, not missing), so only show rules apply.
    return !showForKeycloakUsers;
  }

  const { username, groups, roles } = viewer;
  if (listed(hideForUsers) && (username === null || namesInclude(hideForUsers, username))) return false;
  if (listed(showForUsers) && (username === null || !namesInclude(showForUsers, username))) return false;
  if (hideForKeycloakUsers && (mayHold(hideForKeycloakUsers.groups, groups) || mayHold(hideForKeycloakUsers.roles, roles))) {
    return false;
  }
  if (showForKeycloakUsers && !(intersects(showForKeycloakUsers.groups, groups) || intersects(showForKeycloakUsers.roles, roles))) {
    return false;
  }
  return true;
}
