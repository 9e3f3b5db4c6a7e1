// Every call the app makes to its own server goes through apiFetch: it carries the ID token
// of an OIDC sign-in, and turns an expired or refused token into one renewal or sign-in
// instead of a stream of 401s. The sign-in module registers itself at boot (setAuthProvider).

export interface AuthProvider {
  /** The current ID token, or null when there is none or it is about to expire. */
  token(): string | null;
  /**
   * Renews silently when possible and resolves to the new token. Resolves to null when a
   * renewal is impossible: by then a sign-in redirect, or a page explaining the problem, is
   * on its way.
   */
  recover(reason: 'expired' | 'refused', refusal?: string): Promise<string | null>;
}

let provider: AuthProvider | null = null;
let recovering: Promise<string | null> | null = null;
let onSignedOut: (() => void) | null = null;

export function setAuthProvider(next: AuthProvider | null): void {
  provider = next;
  recovering = null;
}

/** Called when the server answers 401 to a request made without a token (a session cookie ran out). */
export function setSignedOutHandler(handler: (() => void) | null): void {
  onSignedOut = handler;
}

/** Concurrent calls that find the token expired share one renewal. */
function recover(reason: 'expired' | 'refused', refusal?: string): Promise<string | null> {
  if (!provider) return Promise.resolve(null);
  recovering ??= provider.recover(reason, refusal).finally(() => {
    recovering = null;
  });
  return recovering;
}

/** The page is about to navigate away (sign-in); nothing should render a half-failed request meanwhile. */
const never = <T>() => new Promise<T>(() => {});

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = (token: string | null) => {
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(path, { ...init, headers, credentials: 'same-origin' });
  };
  if (!provider) {
    const response = await send(null);
    if (response.status === 401) onSignedOut?.();
    return response;
  }
  let token = recovering ? await recovering : provider.token();
  if (token === null) token = await recover('expired');
  if (token === null) return never();
  const response = await send(token);
  if (response.status !== 401) return response;
  // The server refused a token we thought good (rotated keys, clock drift): renew once.
  const renewed = await recover('refused', await refusalReason(response));
  if (renewed === null) return never();
  return send(renewed);
}

async function refusalReason(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { reason?: unknown };
    return typeof body.reason === 'string' ? body.reason : undefined;
  } catch {
    return undefined;
  }
}

/** GET a configuration file's JSON view (see ConfigView). */
export function fetchConfigView(file: string): Promise<Response> {
  return apiFetch(`/${file}`, { headers: { accept: 'application/json' } });
}
