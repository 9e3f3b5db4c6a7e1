import type { Generated } from 'kysely';

/**
 * Table shapes as both databases hold them. Timestamps are ISO strings once read
 * (see database.ts); booleans are 0/1 integers in both; epoch-second expiries are numbers.
 */
export interface UsersTable {
  id: string;
  created_at: string;
  updated_at: string;
  username: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  is_admin: number;
  email_verified: number;
  disabled: Generated<number>;
}

export interface UserGroupsTable {
  id: string;
  created_at: string;
  updated_at: string;
  name: string;
  friendly_name: string;
}

export interface UserGroupMembersTable {
  user_id: string;
  group_id: string;
}

export interface OidcClientsTable {
  id: string;
  created_at: string;
  updated_at: string;
  name: string;
  /** JSON array of exact callback URLs. */
  callback_urls: string;
  /** JSON array of exact post-logout callback URLs. */
  logout_callback_urls: string;
  is_public: number;
  pkce_enabled: number;
  /** Trusted clients skip the consent screen. */
  trusted: number;
  /** SHA-256 (hex) of the client secret; null for public clients. */
  secret_hash: string | null;
  /** client_secret_basic or client_secret_post, for confidential clients. */
  token_endpoint_auth_method: Generated<string>;
  /** Where "My apps" opens the app (absolute http(s) URL); null lists the app without a link. */
  launch_url: Generated<string | null>;
  /** The content hash of the client's logo (oidc_client_logos), null without one. */
  logo_hash: Generated<string | null>;
}

/** A client's logo, as uploaded (after its type was checked by its bytes). */
export interface OidcClientLogosTable {
  client_id: string;
  content_type: string;
  /** SHA-256 (hex) of the bytes: the logo's ETag and part of its URL. */
  hash: string;
  data_base64: string;
  updated_at: string;
}

export interface OidcClientAllowedGroupsTable {
  client_id: string;
  group_id: string;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string;
  name: string;
  device_type: string;
  backed_up: number;
  aaguid: string;
  created_at: string;
  last_used_at: string | null;
}

export interface WebauthnChallengesTable {
  challenge: string;
  purpose: string;
  user_id: string | null;
  expires_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: string;
  expires_at: number;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface OneTimeAccessTokensTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: number;
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
  account_id: string | null;
  client_id: string | null;
}

export interface SigningKeysTable {
  id: string;
  created_at: string;
  alg: string;
  /** The private JWK, encrypted with a key derived from ENCRYPTION_KEY. */
  encrypted_jwk: string;
  /** Set when a newer key took over signing; the key stays published for a while. */
  retired_at: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  created_at: string;
  event: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: string;
}

/** Owned by http/rate-limit.ts. */
export interface RateLimitHitsTable {
  key: string;
  hits: number;
  /** Epoch milliseconds when the current window ends. */
  reset_at: number;
}

/** Owned by forward-auth/rules.ts. */
export interface ForwardAuthRulesTable {
  id: string;
  created_at: string;
  updated_at: string;
  /** Lower-case host name, with a port only when it is not the scheme's default. */
  host: string;
  /** `/` or a path without a trailing slash; matches whole path segments. */
  path_prefix: string;
  /** 1 when saved with no groups (any signed-in user); 0 restricts to the groups below, even when none are left. */
  allow_any_user: number;
}

export interface ForwardAuthRuleGroupsTable {
  rule_id: string;
  group_id: string;
}

/** Owned by custom-claims/: a claim set on exactly one user or one group. */
export interface CustomClaimsTable {
  user_id: string | null;
  group_id: string | null;
  key: string;
  value: string;
  /** The order the admin gave them in, for the screens and the provisioning file. */
  position: number;
}

export interface DB {
  users: UsersTable;
  user_groups: UserGroupsTable;
  user_group_members: UserGroupMembersTable;
  oidc_clients: OidcClientsTable;
  oidc_client_allowed_groups: OidcClientAllowedGroupsTable;
  oidc_client_logos: OidcClientLogosTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  sessions: SessionsTable;
  one_time_access_tokens: OneTimeAccessTokensTable;
  oidc_payloads: OidcPayloadsTable;
  signing_keys: SigningKeysTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  rate_limit_hits: RateLimitHitsTable;
  custom_claims: CustomClaimsTable;
  forward_auth_rules: ForwardAuthRulesTable;
  forward_auth_rule_groups: ForwardAuthRuleGroupsTable;
}
