// Dashy's browser storage names, kept so that a Dashy user's habits and scripts still work
// (the guide's troubleshooting reads the ID token from localStorage under ID_TOKEN). One
// module, so a key is never spelled twice.
export const localStorageKeys = {
  /** The raw ID token of an OIDC sign-in. */
  ID_TOKEN: 'ID_TOKEN',
  /** `{ groups, roles }` of the signed-in user; the name is historical (any OIDC provider). */
  KEYCLOAK_INFO: 'keycloakInfo',
  USERNAME: 'username',
  ISADMIN: 'isAdmin',
  THEME: 'theme',
  PRIMARY_THEME: 'primaryTheme',
  CUSTOM_COLORS: 'customColors',
  LAYOUT_ORIENTATION: 'layoutOrientation',
  ICON_SIZE: 'iconSize',
  COLLAPSE_STATE: 'collapseState',
  LANGUAGE: 'language',
  /** `{ itemId: timesOpened }`, for `sortBy: most-used`. */
  MOST_USED: 'mostUsed',
  /** `{ itemId: lastOpenedAtMs }`, for `sortBy: last-used`. */
  LAST_USED: 'lastUsed',
} as const;

export const sessionStorageKeys = {
  /** Set just before a sign-in redirect; stops a provider that never returns a user from looping us. */
  SIGN_IN_ATTEMPT: 'hearthSignInAttempt',
  /** Set on sign-out, so that coming back from the provider's logout does not sign straight in again. */
  SIGNED_OUT: 'hearthSignedOut',
} as const;

/** Dashy's route paths. Sub-pages live at /home/<page-name>. */
export const routePaths = {
  home: '/home',
  workspace: '/workspace',
  login: '/login',
} as const;

/** Reads a JSON value from localStorage; a missing or unreadable value gives `fallback`. */
export function readStored<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}
