// The identity provider as the server sees it: its discovery document and its signing keys.
// Fetched on first use (the dashboard must boot while the provider is still starting), kept
// for the life of the process once it worked, and retried after a short pause when it did
// not, so the dashboard recovers by itself when the provider comes back.
import { createRemoteJWKSet } from 'jose';
import type { JWTVerifyGetKey } from 'jose';

export interface IssuerContext {
  /** The canonical issuer from the discovery document: what `iss` must equal. */
  issuer: string;
  keys: JWTVerifyGetKey;
  algorithms: string[];
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
    return {
      issuer,
      keys: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: this.timeoutMs }),
      algorithms: advertised.length > 0 ? advertised : ['RS256'],
    };
  }
}

export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
