// Who is looking at the dashboard, and how they sign in and out. Boot follows Dashy's
// main.js: fetch /conf.yml; when its auth block turns OIDC or Keycloak on, load the OIDC
// chunk and sign in before anything else renders; built-in users get the login form.
import { setAuthProvider, setSignedOutHandler } from '../lib/api';
import { dashboard, fetchView, ROOT_FILE, setRootView, showPage } from '../lib/dashboard.svelte';
import type { ViewResult } from '../lib/dashboard.svelte';
import { currentView, navigate, route, syncRoute } from '../lib/router.svelte';
import { localStorageKeys, routePaths, sessionStorageKeys } from '../lib/storage-keys';
import type { ConfigView, Viewer } from '../lib/types';
import type { OidcClient } from './oidc';
import { oidcClientConfig, safeReturnPath, usesBuiltInUsers } from './oidc-settings';
import type { SignInProblemDetails } from './problem';

export type Phase = 'starting' | 'ready' | 'problem' | 'unavailable' | 'failed' | 'signed-out';

export const session = $state({
  phase: 'starting' as Phase,
  problem: null as SignInProblemDetails | null,
  /** Why the dashboard cannot be shown (phase unavailable or failed). */
  message: '',
  /** How this dashboard signs people in; null: it does not. */
  method: null as 'oidc' | 'users' | null,
  guestAccess: false,
  /** The dashboard's title, also known before sign-in (the bootstrap's "Login | ..."). */
  title: 'Hearth Dashboard',
  /** The signed-in person's name: preferred_username, else email, else sub (as Dashy keeps it). */
  username: '',
});

let oidc: OidcClient | null = null;
/** Where a built-in user goes after the login form. */
let afterLogin = '/';

export function isSignedIn(): boolean {
  return dashboard.viewer?.signedIn === true;
}

function showProblem(problem: SignInProblemDetails): void {
  session.problem = problem;
  session.phase = 'problem';
  document.title = `Sign-in problem | ${session.title}`;
}

function cannotLoad(result: Extract<ViewResult, { ok: false }>): void {
  session.message = result.reason;
  session.phase = result.status === 503 ? 'unavailable' : 'failed';
}

function titleOf(view: ConfigView): string {
  return (view.config.pageInfo?.title ?? 'Hearth Dashboard').replace(/^Login \| /, '');
}

async function ready(view: ConfigView): Promise<void> {
  setRootView(view);
  const current = currentView();
  await showPage(current.kind === 'home' ? current.page : null);
  session.phase = 'ready';
}

/** Runs once at start, and again after Retry or a built-in user's sign-out. */
export async function boot(): Promise<void> {
  session.phase = 'starting';
  const first = await fetchView(ROOT_FILE);
  if (!first.ok) return cannotLoad(first);
  const view = first.view;
  const auth = view.config.appConfig?.auth;
  session.title = titleOf(view);
  session.guestAccess = auth?.enableGuestAccess === true;
  const client = oidcClientConfig(auth);
  if (client) {
    session.method = 'oidc';
    const { startOidc } = await import('./oidc');
    const started = await startOidc(client, session.guestAccess, showProblem);
    syncRoute();
    if (started.kind === 'problem') return showProblem(started.problem);
    if (started.kind === 'redirecting') return;
    oidc = started.client;
    if (started.kind === 'signed-out') {
      forgetIdentity();
      session.phase = 'signed-out';
      return;
    }
    if (started.kind === 'guest') return ready(view);
    setAuthProvider(started.client);
    const signedIn = await fetchView(ROOT_FILE);
    if (!signedIn.ok) return cannotLoad(signedIn);
    started.client.confirmSignedIn();
    rememberIdentity(signedIn.view.viewer, started.client);
    return ready(signedIn.view);
  }
  if (usesBuiltInUsers(auth, view.kind) || view.viewer?.method === 'users') {
    session.method = 'users';
    setSignedOutHandler(() => void signedOutElsewhere());
    if (view.viewer?.signedIn) {
      rememberIdentity(view.viewer, null);
      if (route.path === routePaths.login) navigate('/', { replace: true, focus: false });
    } else if (view.kind === 'bootstrap' && route.path !== routePaths.login) {
      afterLogin = safeReturnPath(`${route.path}${route.search}`);
      navigate(routePaths.login, { replace: true, focus: false });
    }
  }
  return ready(view);
}

/** The login form (built-in users) finished: load what this person may see. */
export async function finishLogin(viewer: Viewer): Promise<void> {
  const result = await fetchView(ROOT_FILE);
  if (!result.ok) return cannotLoad(result);
  rememberIdentity(result.view.viewer.signedIn ? result.view.viewer : viewer, null);
  const destination = afterLogin;
  afterLogin = '/';
  navigate(destination, { replace: true });
  await ready(result.view);
}

/** "Sign in" for a guest, or after signing out. */
export async function signIn(): Promise<void> {
  if (session.method === 'users') {
    afterLogin = safeReturnPath(`${route.path}${route.search}`);
    navigate(routePaths.login);
    return;
  }
  await oidc?.signIn();
}

export async function signOut(): Promise<void> {
  forgetIdentity();
  if (session.method === 'oidc' && oidc) {
    setAuthProvider(null);
    await oidc.signOut();
    return;
  }
  if (session.method === 'users') {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    navigate('/', { replace: true, focus: false });
    await boot();
  }
}

/** The problem page's "Try again": forget the guard and start over on the same page. */
export function tryAgain(): void {
  sessionStorage.removeItem(sessionStorageKeys.SIGN_IN_ATTEMPT);
  sessionStorage.removeItem(sessionStorageKeys.SIGNED_OUT);
  window.location.assign(window.location.pathname);
}

async function signedOutElsewhere(): Promise<void> {
  if (session.phase !== 'ready') return;
  forgetIdentity();
  await boot();
}

function rememberIdentity(viewer: Viewer, client: OidcClient | null): void {
  try {
    if (client) {
      const claims = client.claims();
      const idToken = client.idToken();
      if (idToken) localStorage.setItem(localStorageKeys.ID_TOKEN, idToken);
      const groups = viewer.groups ?? (Array.isArray(claims.groups) ? claims.groups : []);
      localStorage.setItem(localStorageKeys.KEYCLOAK_INFO, JSON.stringify({ groups, roles: viewer.roles ?? [] }));
      const name = [claims.preferred_username, claims.email, claims.sub].find((value) => typeof value === 'string' && value !== '');
      session.username = String(name ?? viewer.user ?? '');
      localStorage.setItem(localStorageKeys.USERNAME, session.username);
    } else if (viewer.user) {
      session.username = viewer.user;
      localStorage.setItem(localStorageKeys.USERNAME, viewer.user);
    }
    // The server's word, not a guess from claims: it is what saving will check.
    localStorage.setItem(localStorageKeys.ISADMIN, String(viewer.isAdmin === true));
  } catch {
    // Storage full or disabled: the dashboard works without these.
  }
}

function forgetIdentity(): void {
  session.username = '';
  for (const key of [localStorageKeys.ID_TOKEN, localStorageKeys.KEYCLOAK_INFO, localStorageKeys.USERNAME, localStorageKeys.ISADMIN]) {
    localStorage.removeItem(key);
  }
}
