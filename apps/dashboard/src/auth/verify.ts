// Verifies the ID token a browser sends as `Authorization: Bearer <id_token>`, and says in a
// few plain words why one was refused: the reason goes back to the browser, the detail to
// the log.
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { identityFromClaims } from './claims.js';
import type { Identity } from './claims.js';
import { describeFetchError, ProviderUnreachableError } from './issuer.js';
import type { IssuerContext, IssuerContexts } from './issuer.js';
import type { OidcSettings } from './settings.js';
import { VerifiedTokens } from './verified-tokens.js';

/** The 30 seconds of drift Dashy tolerates between the provider's clock and ours. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export type VerifyResult =
  | { ok: true; claims: JWTPayload; identity: Identity }
  | { ok: false; status: 401 | 503; reason: string; detail: string };

export class TokenVerifier {
  constructor(
    readonly settings: OidcSettings,
    private readonly contexts: IssuerContexts,
    /** Tokens already verified: a browser sends the same one with every request. */
    private readonly verified = new VerifiedTokens(),
  ) {}

  /** The issuer once discovery worked; it is kept from then on (see IssuerContexts). */
  private discovered: IssuerContext | null = null;

  /** A token this verifier accepted before and would accept now, without waiting for anything. */
  remembered(token: string): { claims: JWTPayload; identity: Identity } | undefined {
    const context = this.discovered;
    return context ? this.verified.get(token, Date.now(), context.keySetVersion()) : undefined;
  }

  async verify(token: string): Promise<VerifyResult> {
    let context;
    try {
      context = await this.contexts.get(this.settings.issuer);
    } catch (error) {
      return unavailable(error);
    }
    this.discovered = context;
    const known = this.verified.get(token, Date.now(), context.keySetVersion());
    if (known) return { ok: true, claims: known.claims, identity: known.identity };
    const keySetVersion = context.keySetVersion();
    const result = await this.verifyFully(token, context);
    // Remembered only when one and the same key set was in use from start to end.
    if (result.ok && keySetVersion !== null && keySetVersion === context.keySetVersion()) {
      const { claims, identity } = result;
      this.verified.remember(token, { claims, identity, expiresAtMs: (claims.exp ?? 0) * 1000, keySetVersion }, Date.now());
    }
    return result;
  }

  private async verifyFully(token: string, context: IssuerContext): Promise<VerifyResult> {
    try {
      // Access tokens in the RFC 9068 format are signed by the same keys; they are not proof
      // of a sign-in at this dashboard, so they are refused before anything else.
      const typ = decodeProtectedHeader(token).typ;
      if (typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ)) {
        return refused('not an ID token', `JWT header typ is ${typ}`);
      }
      const { payload } = await jwtVerify(token, context.keys, {
        issuer: context.issuer,
        audience: this.settings.clientId,
        algorithms: context.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      // Keycloak marks its token kinds with a `typ` claim; only its ID token says "ID".
      if (typeof payload.typ === 'string' && payload.typ !== 'ID') {
        return refused('not an ID token', `token typ claim is ${payload.typ}`);
      }
      // Shared by every request that sends this token again: nothing may change them.
      return { ok: true, claims: Object.freeze(payload), identity: frozen(identityFromClaims(payload, this.settings)) };
    } catch (error) {
      return classify(error);
    }
  }
}

function frozen(identity: Identity): Identity {
  if (identity.groups) Object.freeze(identity.groups);
  if (identity.roles) Object.freeze(identity.roles);
  return Object.freeze(identity);
}

function refused(reason: string, detail: string): VerifyResult {
  return { ok: false, status: 401, reason, detail };
}

function unavailable(error: unknown): VerifyResult {
  if (error instanceof ProviderUnreachableError) {
    return { ok: false, status: 503, reason: error.message, detail: error.detail };
  }
  return { ok: false, status: 503, reason: 'cannot reach the identity provider', detail: describeFetchError(error) };
}

function classify(error: unknown): VerifyResult {
  if (error instanceof errors.JWTExpired) return refused('expired', error.message);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refused('wrong audience', error.message);
    if (error.claim === 'nbf') return refused('not yet valid', error.message);
    return refused(error.message, error.message);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('invalid signature', error.message);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refused('unknown signing key', error.message);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refused('algorithm not allowed', error.message);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return refused('malformed token', error.message);
  }
  if (isKeySetFailure(error)) {
    return { ok: false, status: 503, reason: 'cannot fetch the identity provider signing keys', detail: describeFetchError(error) };
  }
  return refused('malformed token', error instanceof Error ? error.message : String(error));
}

/** The provider's key set failed to load: a provider problem, not the user's token. */
function isKeySetFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return (
    error instanceof errors.JOSEError &&
    error.code === 'ERR_JOSE_GENERIC' &&
    /JSON Web Key Set HTTP response/.test(error.message)
  );
}
