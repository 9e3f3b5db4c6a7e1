import type { ClaimsParameter, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a `claims` request parameter (OIDC Core §5.5) beyond the library's own checks.
 * Hearth ID sets no `acr`: an app that makes one essential would be sent round the sign-in
 * screen for ever (the library asks again after every sign-in that lacks it), so the
 * request ends at once with unmet_authentication_requirements, which §5.5.1.1 calls a
 * failed authentication. A voluntary acr, like acr_values, is simply not answered.
 */
export async function assertClaimsParameter(_koa: KoaContextWithOIDC, claims: ClaimsParameter): Promise<void> {
  for (const container of ['userinfo', 'id_token'] as const) {
    const members: unknown = claims[container];
    if (members === undefined) continue;
    if (!isObject(members)) throw new errors.InvalidRequest(`claims.${container} should be an object`);
    for (const value of Object.values(members)) {
      if (value !== null && !isObject(value)) throw new errors.InvalidRequest(`claims.${container} members must be null or objects`);
    }
    const acr = members.acr;
    if (isObject(acr) && acr.essential === true) {
      throw new errors.CustomOIDCProviderError('unmet_authentication_requirements', 'Hearth ID does not provide an authentication context class (acr)');
    }
  }
}
