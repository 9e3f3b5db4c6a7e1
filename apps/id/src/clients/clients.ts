import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable, SqlBool } from 'kysely';
import { briefCache } from '../db/brief-cache.js';
import { anyColumnContains, pageWindow } from '../db/search.js';
import type { DB, OidcClientsTable } from '../db/schema.js';
import { inTransaction, isoTimestamp, nowIso } from '../db/database.js';
import { constantTimeEqual, hashToken, randomToken } from '../crypto/crypto.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import { checkLaunchUrl, logoPath } from './launch.js';
import { clientIdsHeldBy, revokeAllOfClient, revokeUserClient, userIdsHolding } from '../oidc/revocation.js';

export interface OidcClient {
  /** The client ID relying parties are configured with: a generated UUID. */
  id: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  callbackUrls: string[];
  logoutCallbackUrls: string[];
  /** Public clients have no secret and must use PKCE. */
  isPublic: boolean;
  pkceEnabled: boolean;
  /** Trusted clients skip the consent screen. */
  trusted: boolean;
  /** When not empty, only members of these groups may sign in to the client. */
  allowedGroupIds: string[];
  hasSecret: boolean;
  /** How a confidential client sends its secret: an HTTP Basic header, or fields in the form body. */
  authMethod: ClientAuthMethod;
  /** Where "My apps" opens the app; null lists it without a link. */
  launchUrl: string | null;
  /** Path of the uploaded logo (content-addressed, cacheable); null without one. */
  logoUrl: string | null;
}

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export interface OidcClientInput {
  name: string;
  callbackUrls: string[];
  logoutCallbackUrls?: string[];
  isPublic?: boolean;
  pkceEnabled?: boolean;
  trusted?: boolean;
  allowedGroupIds?: string[];
  authMethod?: ClientAuthMethod;
  /** An absolute http(s) URL; null or "" clears it. */
  launchUrl?: string | null;
}

/** The two lists of URLs a client registers, as the admin screen and the API name them. */
export type CallbackField = 'callbackUrls' | 'logoutCallbackUrls';

const CALLBACK_LABELS: Record<CallbackField, string> = { callbackUrls: 'Callback URL', logoutCallbackUrls: 'Logout callback URL' };

/**
 * An app's own scheme (RFC 8252 §7.1), for phone apps such as Immich's `app.immich:///oauth-callback`:
 * a reverse domain name, so it always has a dot and can never be `javascript:` or `data:`.
 */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;

/**
 * What is wrong with a callback URL, as the end of a sentence that begins with it ("contains
 * a *, ..."), or undefined when it is usable. Callback URLs are matched exactly (no wildcards:
 * `oidc-provider` compares `redirect_uri` by equality), so anything that would be stored but
 * could never match is refused.
 */
export function callbackUrlProblem(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return 'is empty; enter a URL or remove it';
  if (value.includes('*')) return 'contains a *, but callback URLs are matched exactly and wildcards are not supported; list each URL in full';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL; enter it in full, like https://app.example.com/callback';
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  if (!web && !PRIVATE_USE_SCHEME.test(url.protocol)) {
    return "must start with https:// or http:// (or an app's own scheme such as com.example.app:/callback)";
  }
  if (web && !url.host) return 'has no host';
  if (value.includes('#')) return 'must not contain a #fragment';
  return undefined;
}

/**
 * Checks one callback URL and returns it trimmed, or refuses it with a message naming the
 * entry. `index` is the entry's place in its list; `count` how many the list has.
 */
export function checkCallbackUrl(raw: string, field: CallbackField, index = 0, count = 1): string {
  const value = raw.trim();
  const problem = callbackUrlProblem(value);
  if (problem) {
    const name = count > 1 ? `${CALLBACK_LABELS[field]} ${index + 1}` : CALLBACK_LABELS[field];
    throw new DomainError('invalid', value ? `${name} "${value}" ${problem}` : `${name} ${problem}`, `${field}.${index}`);
  }
  return value;
}

/** Checks a list of callback URLs, returning them trimmed. */
export function checkCallbackUrls(urls: readonly string[], field: CallbackField): string[] {
  return urls.map((url, index) => checkCallbackUrl(url, field, index, urls.length));
}

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function toClient(row: Selectable<OidcClientsTable>, allowedGroupIds: string[]): OidcClient {
  return {
    id: row.id,
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    updatedAt: isoTimestamp(row.updated_at) ?? row.updated_at,
    name: row.name,
    callbackUrls: parseList(row.callback_urls),
    logoutCallbackUrls: parseList(row.logout_callback_urls),
    isPublic: Boolean(row.is_public),
    // Public clients always use PKCE, whatever the switch says.
    pkceEnabled: Boolean(row.pkce_enabled) || Boolean(row.is_public),
    trusted: Boolean(row.trusted),
    allowedGroupIds,
    hasSecret: row.secret_hash !== null,
    authMethod: row.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    launchUrl: row.launch_url ?? null,
    logoUrl: row.logo_hash ? logoPath(row.id, row.logo_hash) : null,
  };
}

async function allowedGroupsOf(db: Kysely<DB>, clientIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(clientIds.map((id) => [id, []]));
  if (clientIds.length === 0) return map;
  const rows = await db.selectFrom('oidc_client_allowed_groups').selectAll().where('client_id', 'in', clientIds).execute();
  for (const row of rows) map.get(row.client_id)?.push(row.group_id);
  return map;
}

/** A client as stored: its row (undefined when there is none) and its allowed groups. */
interface ClientRecord {
  row: Selectable<OidcClientsTable> | undefined;
  allowedGroupIds: string[];
}

/**
 * How long a cached client record may be used before it is read again. Changes made through
 * this process clear the cache at once; this bounds how long a change made by another
 * replica (or by hand in the database) may go unseen here.
 */
export const CLIENT_CACHE_TTL_MS = 1000;

/** Per database handle: every request reads the client (token endpoint, access checks), so the record is kept briefly. */
const clientRecords = briefCache<string, ClientRecord>({ ttlMs: CLIENT_CACHE_TTL_MS, maxEntries: 10_000 });

/** Forgets every cached client record: call it after any change to clients or their allowed groups. */
export function forgetCachedClients(): void {
  clientRecords.forget();
}

/** Reads a client and its allowed groups in one statement. */
async function loadClientRecord(db: Kysely<DB>, id: string): Promise<ClientRecord> {
  const rows = await db
    .selectFrom('oidc_clients')
    .leftJoin('oidc_client_allowed_groups', 'oidc_client_allowed_groups.client_id', 'oidc_clients.id')
    .selectAll('oidc_clients')
    .select('oidc_client_allowed_groups.group_id as allowed_group_id')
    .where('oidc_clients.id', '=', id)
    .execute();
  const first = rows[0];
  if (!first) return { row: undefined, allowedGroupIds: [] };
  const { allowed_group_id: _groupId, ...row } = first;
  return { row, allowedGroupIds: rows.flatMap((r) => (r.allowed_group_id === null ? [] : [r.allowed_group_id])) };
}

async function clientRecord(db: Kysely<DB>, id: string): Promise<ClientRecord> {
  // Client IDs that do not exist are kept too (a bounded map, started over when full).
  return clientRecords.get(db, id, () => loadClientRecord(db, id));
}

export async function findClient(db: Kysely<DB>, id: string): Promise<OidcClient | null> {
  const { row, allowedGroupIds } = await clientRecord(db, id);
  return row ? toClient(row, allowedGroupIds) : null;
}

export async function requireClient(db: Kysely<DB>, id: string): Promise<OidcClient> {
  const client = await findClient(db, id);
  if (!client) throw new DomainError('not_found', 'OIDC client not found');
  return client;
}

/** Clients' names by client ID (the audit log's words); IDs no longer there are left out. */
export async function clientNamesByIds(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('oidc_clients').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function listClients(db: Kysely<DB>): Promise<OidcClient[]> {
  const rows = await db.selectFrom('oidc_clients').selectAll().orderBy('name').execute();
  const groups = await allowedGroupsOf(db, rows.map((row) => row.id));
  return rows.map((row) => toClient(row, groups.get(row.id) ?? []));
}

export interface ClientPage {
  clients: OidcClient[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * A page of clients by name (case-insensitive, from the `lower(name)` index), optionally those
 * whose name or client ID contains `q`, and how many match.
 */
export async function listClientsPage(db: Kysely<DB>, options: { q?: string; page?: number; pageSize?: number } = {}): Promise<ClientPage> {
  const { page, pageSize, offset } = pageWindow(options, { pageSize: 50, maxPageSize: 200 });
  const q = options.q?.trim();
  const matches = q ? anyColumnContains(db, ['name', 'id'], q) : sql<SqlBool>`1 = 1`;
  const [rows, count] = await Promise.all([
    db.selectFrom('oidc_clients').selectAll().where(matches).orderBy(sql`lower(name)`).orderBy('id').limit(pageSize).offset(offset).execute(),
    db.selectFrom('oidc_clients').where(matches).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const groups = await allowedGroupsOf(db, rows.map((row) => row.id));
  return { clients: rows.map((row) => toClient(row, groups.get(row.id) ?? [])), total: Number(count.n), page, pageSize };
}

/** Checks an input and returns it with its callback URLs trimmed; every way in (API, CLI, file) comes through here. */
function checkInput<T extends Partial<OidcClientInput>>(input: T): T {
  if (input.name !== undefined && !input.name.trim()) throw new DomainError('invalid', 'Enter a name', 'name');
  const checked = { ...input };
  if (input.callbackUrls !== undefined) {
    if (input.callbackUrls.length === 0) throw new DomainError('invalid', 'Enter at least one callback URL', 'callbackUrls');
    checked.callbackUrls = checkCallbackUrls(input.callbackUrls, 'callbackUrls');
  }
  if (input.logoutCallbackUrls !== undefined) checked.logoutCallbackUrls = checkCallbackUrls(input.logoutCallbackUrls, 'logoutCallbackUrls');
  if (input.launchUrl !== undefined) checked.launchUrl = checkLaunchUrl(input.launchUrl);
  return checked;
}

async function writeAllowedGroups(trx: Kysely<DB>, clientId: string, groupIds: string[]): Promise<void> {
  const unique = [...new Set(groupIds)];
  if (unique.length > 0) {
    const found = await trx.selectFrom('user_groups').select('id').where('id', 'in', unique).execute();
    if (found.length !== unique.length) throw new DomainError('invalid', 'one or more groups do not exist', 'allowedGroupIds');
  }
  await trx.deleteFrom('oidc_client_allowed_groups').where('client_id', '=', clientId).execute();
  if (unique.length > 0) {
    await trx.insertInto('oidc_client_allowed_groups').values(unique.map((group_id) => ({ client_id: clientId, group_id }))).execute();
  }
}

/** Creates a client. A confidential client's secret is returned here once and stored only as a hash. */
export async function createClient(
  db: Kysely<DB>,
  input: OidcClientInput & { /** A client ID to use instead of a new UUID (scripted setups). */ id?: string },
): Promise<{ client: OidcClient; secret: string | null }> {
  input = checkInput(input);
  if (input.id !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(input.id)) {
    throw new DomainError('invalid', 'a client ID is 1 to 128 letters, digits or . _ ~ -', 'id');
  }
  const id = input.id ?? randomUUID();
  const now = nowIso();
  const secret = input.isPublic ? null : randomToken(32);
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('oidc_clients')
      .values({
        id,
        created_at: now,
        updated_at: now,
        name: input.name.trim(),
        callback_urls: JSON.stringify(input.callbackUrls),
        logout_callback_urls: JSON.stringify(input.logoutCallbackUrls ?? []),
        is_public: input.isPublic ? 1 : 0,
        pkce_enabled: input.pkceEnabled || input.isPublic ? 1 : 0,
        trusted: input.trusted ? 1 : 0,
        secret_hash: secret === null ? null : hashToken(secret),
        token_endpoint_auth_method: input.authMethod ?? 'client_secret_basic',
        launch_url: input.launchUrl ?? null,
      })
      .execute()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new DomainError('conflict', `a client with the ID "${id}" already exists`, 'id');
        throw error;
      });
    await writeAllowedGroups(trx, id, input.allowedGroupIds ?? []);
  });
  forgetCachedClients();
  return { client: await requireClient(db, id), secret };
}

/**
 * Updates a client. Turning a public client confidential creates a secret (returned once);
 * turning a confidential client public drops its secret.
 */
export async function updateClient(
  db: Kysely<DB>,
  id: string,
  input: Partial<OidcClientInput>,
): Promise<{ client: OidcClient; secret: string | null }> {
  input = checkInput(input);
  const existing = await requireClient(db, id);
  const isPublic = input.isPublic ?? existing.isPublic;
  let secret: string | null = null;
  let secretHash: string | null | undefined;
  if (isPublic && existing.hasSecret) secretHash = null;
  if (!isPublic && !existing.hasSecret) {
    secret = randomToken(32);
    secretHash = hashToken(secret);
  }
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('oidc_clients')
      .set({
        updated_at: nowIso(),
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.callbackUrls !== undefined && { callback_urls: JSON.stringify(input.callbackUrls) }),
        ...(input.logoutCallbackUrls !== undefined && { logout_callback_urls: JSON.stringify(input.logoutCallbackUrls) }),
        is_public: isPublic ? 1 : 0,
        pkce_enabled: (input.pkceEnabled ?? existing.pkceEnabled) || isPublic ? 1 : 0,
        ...(input.trusted !== undefined && { trusted: input.trusted ? 1 : 0 }),
        ...(input.authMethod !== undefined && { token_endpoint_auth_method: input.authMethod }),
        ...(input.launchUrl !== undefined && { launch_url: input.launchUrl }),
        ...(secretHash !== undefined && { secret_hash: secretHash }),
      })
      .where('id', '=', id)
      .execute();
    if (input.allowedGroupIds !== undefined) {
      await writeAllowedGroups(trx, id, input.allowedGroupIds);
      await revokeLostAccess(trx, { clientId: id });
    }
  });
  forgetCachedClients();
  return { client: await requireClient(db, id), secret };
}

/** Issues a new secret for a confidential client; the old one stops working at once. */
export async function regenerateClientSecret(db: Kysely<DB>, id: string): Promise<string> {
  const client = await requireClient(db, id);
  if (client.isPublic) throw new DomainError('invalid', 'a public client has no secret', 'isPublic');
  const secret = randomToken(32);
  await db.updateTable('oidc_clients').set({ secret_hash: hashToken(secret), updated_at: nowIso() }).where('id', '=', id).execute();
  forgetCachedClients();
  return secret;
}

/** Sets a confidential client's secret to one chosen elsewhere (a provisioning file's); only its hash is kept. */
export async function setClientSecret(db: Kysely<DB>, id: string, secret: string): Promise<void> {
  const client = await requireClient(db, id);
  if (client.isPublic) throw new DomainError('invalid', 'a public client has no secret', 'isPublic');
  if (secret.length < 16) throw new DomainError('invalid', 'a client secret must be at least 16 characters long', 'secret');
  await db.updateTable('oidc_clients').set({ secret_hash: hashToken(secret), updated_at: nowIso() }).where('id', '=', id).execute();
  forgetCachedClients();
}

/** Whether a client's stored secret is this one, without ever reading the secret back. */
export async function clientSecretIs(db: Kysely<DB>, id: string, secret: string): Promise<boolean> {
  const { row } = await clientRecord(db, id);
  return row?.secret_hash != null && constantTimeEqual(row.secret_hash, hashToken(secret));
}

export async function deleteClient(db: Kysely<DB>, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('oidc_clients').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new DomainError('not_found', 'OIDC client not found');
    await revokeAllOfClient(trx, id);
  });
  forgetCachedClients();
}

/**
 * Clients whose only allowed group is this one. Deleting the group would leave them with
 * no restriction, which means open to everyone, so the group must not go while they exist.
 */
export async function clientsLimitedToOnly(db: Kysely<DB>, groupId: string): Promise<OidcClient[]> {
  const limited = await db.selectFrom('oidc_client_allowed_groups').select('client_id').where('group_id', '=', groupId).execute();
  const ids = limited.map((row) => row.client_id);
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('oidc_clients').selectAll().where('id', 'in', ids).orderBy('name').execute();
  const groups = await allowedGroupsOf(db, ids);
  return rows.map((row) => toClient(row, groups.get(row.id) ?? [])).filter((client) => client.allowedGroupIds.length === 1);
}

/** Whether members of these groups may use a client: anyone when the client has no allowed groups. */
export function allowsGroups(client: OidcClient, groupIds: readonly string[]): boolean {
  return client.allowedGroupIds.length === 0 || groupIds.some((groupId) => client.allowedGroupIds.includes(groupId));
}

/** Whether a user may sign in to a client: any user when the client has no allowed groups. */
export async function isUserAllowedForClient(db: Kysely<DB>, client: OidcClient, userId: string): Promise<boolean> {
  if (client.allowedGroupIds.length === 0) return true;
  const row = await db
    .selectFrom('user_group_members')
    .select('group_id')
    .where('user_id', '=', userId)
    .where('group_id', 'in', client.allowedGroupIds)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a user may use a client now: the client exists and the user is in one of its allowed groups (if any). */
export async function mayUseClient(db: Kysely<DB>, clientId: string, userId: string): Promise<boolean> {
  const client = await findClient(db, clientId);
  return client !== null && (await isUserAllowedForClient(db, client, userId));
}

/**
 * Revokes the grants and tokens of whoever may no longer use a client: every holder of one
 * client (after its allowed groups changed), or every client some users hold (after their
 * groups changed). Call it in the transaction that made the change.
 */
export async function revokeLostAccess(db: Kysely<DB>, scope: { clientId: string } | { userIds: string[] }): Promise<void> {
  const pairs: [userId: string, clientId: string][] = [];
  if ('clientId' in scope) {
    for (const userId of await userIdsHolding(db, scope.clientId)) pairs.push([userId, scope.clientId]);
  } else {
    for (const userId of new Set(scope.userIds)) {
      for (const clientId of await clientIdsHeldBy(db, userId)) pairs.push([userId, clientId]);
    }
  }
  for (const [userId, clientId] of pairs) {
    if (!(await mayUseClient(db, clientId, userId))) await revokeUserClient(db, userId, clientId);
  }
}

/** The client as `oidc-provider` reads it. The secret is the stored hash; see oidc/provider.ts. */
export async function findProviderClientMetadata(db: Kysely<DB>, id: string): Promise<Record<string, unknown> | undefined> {
  const { row, allowedGroupIds } = await clientRecord(db, id);
  if (!row) return undefined;
  const client = toClient(row, allowedGroupIds);
  return {
    client_id: client.id,
    client_name: client.name,
    redirect_uris: client.callbackUrls,
    post_logout_redirect_uris: client.logoutCallbackUrls,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(client.isPublic || row.secret_hash === null
      ? { token_endpoint_auth_method: 'none' }
      : { token_endpoint_auth_method: client.authMethod, client_secret: row.secret_hash }),
    // Custom metadata, read by the PKCE and consent policies in oidc/provider.ts.
    hearth_pkce: client.pkceEnabled,
    hearth_trusted: client.trusted,
  };
}
