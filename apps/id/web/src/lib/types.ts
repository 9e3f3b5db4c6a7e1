/** Shapes of the Hearth ID JSON API (docs/api.md). */

export interface User {
  id: string;
  createdAt: string;
  updatedAt: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  isAdmin: boolean;
  emailVerified: boolean;
  disabled: boolean;
}

export interface GroupRef {
  id: string;
  name: string;
  friendlyName: string;
}

export interface Group extends GroupRef {
  createdAt: string;
  updatedAt: string;
  memberCount?: number;
}

/** A page of a group's members (GET /api/admin/groups/:id). */
export interface MemberPage {
  members: User[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

export interface OidcClient {
  id: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  callbackUrls: string[];
  logoutCallbackUrls: string[];
  isPublic: boolean;
  pkceEnabled: boolean;
  trusted: boolean;
  allowedGroupIds: string[];
  hasSecret: boolean;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  launchUrl: string | null;
  logoUrl: string | null;
}

/** An app on the home page (GET /api/me/apps). */
export interface MyApp {
  id: string;
  name: string;
  launchUrl: string | null;
  logoUrl: string | null;
}

/** An app the person has granted access to (GET /api/me/apps, `granted`). */
export interface GrantedApp extends MyApp {
  grantedAt: string | null;
  scopes: string[];
}

export interface AuditEntry {
  id: string;
  createdAt: string;
  event: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown> | null;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: 'login' | 'consent'; reasons: string[] };
  client: { id: string; name: string };
  scopes: string[];
  signedInAs: { username: string; displayName: string } | null;
  allowed: boolean;
  /** Whether "Continue as …" would be accepted; the server checks again when it is used. */
  continueAllowed: boolean;
  /** Why the session cannot be reused (a fresh sign-in or another person was asked for). */
  continueRefusal: string | null;
  /** The person the app asked for (id_token_hint); null names nobody. */
  expectedUser: { username: string | null; displayName: string | null } | null;
  /** Claims the app asks for beyond its scopes (the claims parameter), for the consent screen. */
  claims?: string[];
}

/** Every interaction step answers where the browser goes next; a refusal also says why. */
export interface InteractionStep {
  redirectTo: string;
  refused?: boolean;
  message?: string;
}
