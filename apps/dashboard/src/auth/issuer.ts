// The identity provider as the server sees it: its discovery document and its signing keys.
// Fetched on first use (the dashboard must boot while the provider is still starting), kept
// for the life of the process once it worked, and retried after a short pause when it did
// not, so the dashboard recovers by itself when the provider comes back.
import { createRemoteJWKSet, jwksCache } from 'jose';
import type { JSONWebKeySet, JWKSCacheInput, JWTVerifyGetKey } from 'jose';

export interface IssuerContext {
  /** The canonical issuer from the discovery document: what `iss` must equal. */
  issuer: string;
  keys: JWTVerifyGetKey;
  algorithms: string[];
  /**
   * Changes every time the key set is fetched again; null when the set is older than jose's
   * cache age (10 minutes) and due for a fetch. Tokens verified under one version are only
   * trusted without a fresh check while it lasts.
   */
  keySetVersion(): number | null;
}

/**
 * Handed to jose as its key set cache: jose writes each newly fetched set into it, which is
 * how a fetch is noticed here.
 */
class KeySetTracker {
  uat: number | undefined;
  version = 0;
  private current: JSONWebKeySet | undefined;

  get jwks(): JSONWebKeySet | undefined {
    return this.current;
  }

  set jwks(value: JSONWebKeySet | undefined) {
    this.current = value;
    this.version += 1;
  }
}

export class ProviderUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly detail: string,
  ) {
    super(`cannot reach the identity provider at ${endpoint}`);
    this.name = 'ProviderUnreachableError';
  }
}

export interface IssuerContextOptions {
  /** How long a failed discovery is remembered before the next request tries again. */
  retryAfterMs?: number;
  timeoutMs?: number;
}

// Only asymmetric algorithms: with a symmetric one, anyone holding the public key could sign.
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$|^ES256K$/;

interface Entry {
  promise: Promise<IssuerContext>;
  failedAt?: number;
}

export class IssuerContexts {
  private readonly entries = new Map<string, Entry>();
  private readonly retryAfterMs: number;
  private readonly timeoutMs: number;

  constructor(options: IssuerContextOptions = {}) {
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  get(endpoint: string): Promise<IssuerContext> {
    const entry = this.entries.get(endpoint);
    if (entry && (entry.failedAt === undefined || Date.now() - entry.failedAt < this.retryAfterMs)) {
      return entry.promise;
    }
    const fresh: Entry = { promise: this.discover(endpoint) };
    fresh.promise.catch(() => {
      fresh.failedAt = Date.now();
    });
    this.entries.set(endpoint, fresh);
    return fresh.promise;
  }

  private async discover(endpoint: string): Promise<IssuerContext> {
    const url = `${endpoint.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: Record<string, unknown>;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
      document = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new ProviderUnreachableError(endpoint, describeFetchError(error));
    }
    const { issuer, jwks_uri: jwksUri } = document;
    if (typeof issuer !== 'string' || typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
      throw new ProviderUnreachableError(endpoint, `${url} is not an OpenID Connect discovery document`);
    }
    const advertised = Array.isArray(document.id_token_signing_alg_values_supported)
      ? document.id_token_signing_alg_values_supported.filter((alg): alg is string => typeof alg === 'string' && ASYMMETRIC.test(alg))
      : [];
    const tracker = new KeySetTracker();
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.timeoutMs,
      [jwksCache]: tracker as unknown as JWKSCacheInput,
    });
    return {
      issuer,
      keys,
      algorithms: advertised.length > 0 ? advertised : ['RS256'],
      keySetVersion: () => (keys.fresh ? tracker.version : null),
    };
  }
}

export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
