import type Provider from 'oidc-provider';

/**
 * Where an account's claims carry its custom claims (custom-claims/). The library releases only
 * claims named in its configuration, fixed at start-up; custom claim names are an admin's to
 * choose at any time, so they travel beside the standard claims under this key and are added
 * to whatever the library released, whenever the `profile` scope was part of its filter.
 */
export const CUSTOM_CLAIMS = Symbol('hearth custom claims');

/** The scope that releases custom claims, as Pocket ID releases them. */
export const CUSTOM_CLAIMS_SCOPE = 'profile';

const releases = Symbol('hearth releases custom claims');

interface ClaimsMask {
  available: Record<string | symbol, unknown>;
  [releases]?: boolean;
  scope(value?: string): unknown;
  result(): Promise<Record<string, unknown>>;
}

/**
 * Teaches the provider's claims filter (used for ID tokens and userinfo alike) to release
 * custom claims with the profile scope. The standard claims win over a custom one of the
 * same name, though custom-claims/ refuses such names in the first place.
 */
export function releaseCustomClaims(provider: Provider): void {
  const prototype = (provider as unknown as { Claims: { prototype: ClaimsMask } }).Claims.prototype;
  const { scope, result } = prototype;
  prototype.scope = function scopeWithCustomClaims(this: ClaimsMask, value = '') {
    if (value.split(' ').includes(CUSTOM_CLAIMS_SCOPE)) this[releases] = true;
    return scope.call(this, value);
  };
  prototype.result = async function resultWithCustomClaims(this: ClaimsMask) {
    const released = await result.call(this);
    const custom = this.available[CUSTOM_CLAIMS] as Record<string, unknown> | undefined;
    if (!this[releases] || !custom) return released;
    return { ...custom, ...released };
  };
}
