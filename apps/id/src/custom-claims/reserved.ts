/**
 * Claim names a custom claim may not take: the registered JWT claims, the OpenID Connect
 * standard claims and protocol claims, and every claim Hearth ID sets itself. A custom
 * `email` or `groups` would let an admin screen quietly contradict what relying parties
 * trust, so these are refused rather than overridden. Compared without regard to case:
 * `Email` beside `email` would look like the same claim in every screen.
 */
const RESERVED = [
  // JWT (RFC 7519) and JOSE-adjacent
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ', 'cty', 'cnf',
  // OpenID Connect Core: ID token and protocol claims
  'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 's_hash', 'sid', 'sub_jwk',
  '_claim_names', '_claim_sources', 'events',
  // OpenID Connect Core §5.1 standard claims
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture',
  'website', 'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number',
  'phone_number_verified', 'address', 'updated_at',
  // OAuth token and introspection members
  'scope', 'client_id', 'token_type', 'active', 'username', 'act', 'may_act',
  // What Hearth ID emits besides the standard ones, and what Pocket ID does (apps move between them)
  'groups', 'display_name',
];

const RESERVED_SET = new Set(RESERVED);

export function isReservedClaimName(key: string): boolean {
  return RESERVED_SET.has(key.toLowerCase());
}
