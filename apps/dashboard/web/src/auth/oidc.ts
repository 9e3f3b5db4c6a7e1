// OpenID Connect sign-in in the browser, on oidc-client-ts: authorization code with PKCE, the
// user kept in localStorage, back to the page the person wanted. Loaded with import() only
// when conf.yml turns OIDC or Keycloak on, so a dashboard without sign-in never downloads it.
import { ErrorResponse, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { User } from 'oidc-client-ts';
import type { AuthProvider } from '../lib/api';
import { tokenIsFresh } from '../lib/jwt';
import { localStorageKeys, sessionStorageKeys } from '../lib/storage-keys';
import { safeReturnPath } from './oidc-settings';
import type { OidcClientConfig } from './oidc-settings';
import type { SignInProblemDetails } from './problem';

/** A provider that sends the browser straight back without a usable user would loop; this stops it. */
const LOOP_WINDOW_MS = 30_000;

export type OidcStart =
  | { kind: 'signed-in'; client: OidcClient; fromCallback: boolean }
  | { kind: 'guest'; client: OidcClient }
  | { kind: 'signed-out'; client: OidcClient }
  | { kind: 'redirecting' }
  | { kind: 'problem'; problem: SignInProblemDetails };

interface ReturnState {
  returnTo: string;
}

export class OidcClient implements AuthProvider {
  private readonly manager: UserManager;
  private user: User | null = null;
  private redirecting = false;
  /** Set by the app: shows the explanatory page instead of redirecting again. */
  onProblem: (problem: SignInProblemDetails) => void = () => {};

  constructor(readonly config: OidcClientConfig) {
    const origin = window.location.origin;
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      // Exactly what Dashy sends, so a client registered for Dashy works unchanged.
      redirect_uri: origin,
      post_logout_redirect_uri: origin,
      response_type: 'code',
      response_mode: 'query',
      scope: config.scope,
      extraQueryParams: config.extraQueryParams,
      userStore: new WebStorageStateStore({ store: window.localStorage }),
      // The server reads the ID token; profile, groups and roles are there.
      loadUserInfo: false,
      automaticSilentRenew: false,
      monitorSession: false,
    });
  }

  get redirectUri(): string {
    return window.location.origin;
  }

  idToken(): string | null {
    return this.user?.id_token ?? null;
  }

  claims(): Record<string, unknown> {
    return (this.user?.profile as Record<string, unknown> | undefined) ?? {};
  }

  token(): string | null {
    const idToken = this.user?.id_token;
    return idToken && tokenIsFresh(idToken) ? idToken : null;
  }

  async recover(reason: 'expired' | 'refused', refusal?: string): Promise<string | null> {
    if (this.redirecting) return null;
    const renewed = await this.renewSilently();
    if (renewed) return renewed;
    if (reason === 'refused' && this.recentAttempt()) {
      this.onProblem(this.problem('token_refused', `The dashboard server refused the ID token it just received${refusal ? `: ${refusal}` : '.'}`));
      return null;
    }
    const problem = await this.redirect();
    if (problem) this.onProblem(problem);
    return null;
  }

  /** A person choosing "Sign in" (guest, signed out, Try again): no loop guard in the way. */
  async signIn(): Promise<void> {
    sessionStorage.removeItem(sessionStorageKeys.SIGN_IN_ATTEMPT);
    sessionStorage.removeItem(sessionStorageKeys.SIGNED_OUT);
    const problem = await this.redirect();
    if (problem) this.onProblem(problem);
  }

  /** A sign-in that worked end to end (the server accepted the token): the guard can go. */
  confirmSignedIn(): void {
    sessionStorage.removeItem(sessionStorageKeys.SIGN_IN_ATTEMPT);
    sessionStorage.removeItem(sessionStorageKeys.SIGNED_OUT);
  }

  async signOut(): Promise<void> {
    const idToken = this.user?.id_token;
    sessionStorage.setItem(sessionStorageKeys.SIGNED_OUT, '1');
    await this.manager.removeUser();
    this.user = null;
    this.redirecting = true;
    try {
      await this.manager.signoutRedirect({
        ...(idToken ? { id_token_hint: idToken } : {}),
        post_logout_redirect_uri: window.location.origin,
      });
    } catch {
      // No end_session_endpoint: the provider's own session stays; the dashboard's is gone.
      window.location.assign('/');
    }
  }

  async start(guestAccess: boolean): Promise<OidcStart> {
    // Sign-ins abandoned at the provider leave their PKCE state behind; tidy up now and then.
    void this.manager.clearStaleState().catch(() => undefined);
    const params = new URLSearchParams(window.location.search);
    let fromCallback = false;
    if (params.has('state') && (params.has('code') || params.has('error'))) {
      const outcome = await this.finishCallback();
      if (outcome.kind === 'problem') return outcome;
      fromCallback = outcome.kind === 'done';
    }
    this.user ??= await this.manager.getUser();
    if (!this.token() && this.user) await this.renewSilently();
    if (this.token()) return { kind: 'signed-in', client: this, fromCallback };
    if (this.user) await this.manager.removeUser();
    this.user = null;
    if (sessionStorage.getItem(sessionStorageKeys.SIGNED_OUT)) return { kind: 'signed-out', client: this };
    if (guestAccess) return { kind: 'guest', client: this };
    if (this.recentAttempt()) {
      return {
        kind: 'problem',
        problem: fromCallback
          ? this.problem('expired_token', 'The identity provider returned an ID token that has already expired. Check that the clocks of this computer and the provider agree.')
          : this.problem('no_session', 'The identity provider sent the browser back without a sign-in.'),
      };
    }
    const problem = await this.redirect();
    return problem ? { kind: 'problem', problem } : { kind: 'redirecting' };
  }

  private async finishCallback(): Promise<{ kind: 'done' | 'stale' } | { kind: 'problem'; problem: SignInProblemDetails }> {
    try {
      const user = await this.manager.signinCallback(window.location.href);
      if (!user) return { kind: 'stale' };
      this.user = user;
      const state = user.state as Partial<ReturnState> | undefined;
      window.history.replaceState(null, '', safeReturnPath(state?.returnTo));
      return { kind: 'done' };
    } catch (error) {
      if (error instanceof ErrorResponse) {
        const state = error.state as Partial<ReturnState> | undefined;
        window.history.replaceState(null, '', safeReturnPath(state?.returnTo));
        return { kind: 'problem', problem: this.problem(error.error ?? 'error', error.error_description ?? null) };
      }
      const message = error instanceof Error ? error.message : String(error);
      // A reloaded or bookmarked callback URL: its state was used up; start afresh.
      if (/no matching state/i.test(message)) {
        window.history.replaceState(null, '', '/');
        return { kind: 'stale' };
      }
      window.history.replaceState(null, '', '/');
      return { kind: 'problem', problem: this.problem('callback_failed', message) };
    }
  }

  private async renewSilently(): Promise<string | null> {
    const current = this.user ?? (await this.manager.getUser());
    // Only a refresh token renews without a visible round trip here: providers such as
    // Hearth ID and Pocket ID forbid being framed, so a hidden-iframe renewal would only time out.
    if (!current?.refresh_token) return null;
    try {
      this.user = await this.manager.signinSilent();
      if (this.user?.id_token) localStorage.setItem(localStorageKeys.ID_TOKEN, this.user.id_token);
      return this.token();
    } catch {
      return null;
    }
  }

  private recentAttempt(): boolean {
    const at = Number(sessionStorage.getItem(sessionStorageKeys.SIGN_IN_ATTEMPT));
    return Number.isFinite(at) && at > 0 && Date.now() - at < LOOP_WINDOW_MS;
  }

  /** Sends the browser to the provider; resolves to what went wrong instead, if anything. */
  private async redirect(): Promise<SignInProblemDetails | null> {
    if (this.redirecting) return null;
    const { pathname, search, hash } = window.location;
    if (this.recentAttempt()) return this.problem('no_session', 'The identity provider sent the browser back without a usable sign-in.');
    this.redirecting = true;
    sessionStorage.setItem(sessionStorageKeys.SIGN_IN_ATTEMPT, String(Date.now()));
    const state: ReturnState = { returnTo: safeReturnPath(`${pathname}${search}${hash}`) };
    try {
      await this.manager.signinRedirect({ state });
      return null;
    } catch (error) {
      this.redirecting = false;
      sessionStorage.removeItem(sessionStorageKeys.SIGN_IN_ATTEMPT);
      const message = error instanceof Error ? error.message : String(error);
      return this.problem('provider_unreachable', `The identity provider at ${this.config.authority} could not be reached from this browser (${message}).`);
    }
  }

  private problem(error: string, description: string | null): SignInProblemDetails {
    return { error, description, redirectUri: this.redirectUri, authority: this.config.authority, clientId: this.config.clientId };
  }
}

export async function startOidc(
  config: OidcClientConfig,
  guestAccess: boolean,
  onProblem: (problem: SignInProblemDetails) => void,
): Promise<OidcStart> {
  const client = new OidcClient(config);
  client.onProblem = onProblem;
  return client.start(guestAccess);
}
