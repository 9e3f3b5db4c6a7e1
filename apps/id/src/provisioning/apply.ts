import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { recordAudit } from '../audit/audit.js';
import {
  clientSecretIs,
  createClient,
  deleteClient,
  findClient,
  forgetCachedClients,
  listClients,
  setClientSecret,
  updateClient,
  type OidcClient,
  type OidcClientInput,
} from '../clients/clients.js';
import { createGroup, deleteGroup, groupsOfUser, listGroups, setUserGroups, updateGroup, type Group } from '../groups/groups.js';
import { LastAdminError, createUser, deleteUser, findUserByUsername, listUsers, updateUser, withAdminLock, type User, type UserInput } from '../users/users.js';
import { provisionClientLogo } from '../clients/logos.js';
import { ProvisioningError, entryLabel, type ProvisioningPlan } from './load.js';
import type { ClientEntry, UserEntry } from './schema.js';
import { provisionClaims } from '../custom-claims/provisioning.js';
import { provisionForwardAuthRule, pruneForwardAuthRules } from '../forward-auth/provisioning.js';
import { forgetCachedRules } from '../forward-auth/rules.js';

export type ProvisioningOutcome = 'created' | 'changed' | 'unchanged' | 'deleted';

export interface ProvisioningLine {
  kind: 'group' | 'user' | 'client' | 'forward-auth rule';
  /** The friendly name, username, client ID or rule's host and path. */
  key: string;
  outcome: ProvisioningOutcome;
  /** For `changed`: which fields differed. */
  fields?: string[];
  /** Something the operator should know, e.g. that a confidential client's secret is not in the file. */
  note?: string;
}

export interface ProvisioningReport {
  lines: ProvisioningLine[];
  dryRun: boolean;
}

/** One line of the report: `client "grafana": changed (callbackUrls, secret)`. */
export function formatLine(line: ProvisioningLine): string {
  const detail = line.outcome === 'changed' && line.fields?.length ? ` (${line.fields.join(', ')})` : line.outcome === 'deleted' ? ' (prune)' : '';
  return `${line.kind} "${line.key}": ${line.outcome}${detail}${line.note ? `; ${line.note}` : ''}`;
}

/** The closing line: what happened in numbers, and whether it was kept. */
export function formatSummary(report: ProvisioningReport): string {
  const count = (outcome: ProvisioningOutcome) => report.lines.filter((line) => line.outcome === outcome).length;
  const parts = [`${count('created')} created`, `${count('changed')} changed`, `${count('unchanged')} unchanged`];
  if (report.lines.some((line) => line.outcome === 'deleted')) parts.push(`${count('deleted')} deleted`);
  return `${parts.join(', ')}${report.dryRun ? ' (dry run: nothing was saved)' : ''}`;
}

/** Thrown inside the transaction to undo a dry run; carries what would have happened. */
class DryRunRollback extends Error {
  constructor(readonly lines: ProvisioningLine[]) {
    super('dry run');
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, index) => value === b[index]);
const sameSet = (a: readonly string[], b: readonly string[]) => new Set(a).size === new Set(b).size && a.every((value) => b.includes(value));

/** Audit rows written by the file say so, and which file, beside the admin API's own actions. */
async function audit(trx: Kysely<DB>, file: string, action: string, target: string, extra: { userId?: string; fields?: string[]; targetName?: string } = {}): Promise<void> {
  await recordAudit(trx, {
    event: 'admin_change',
    userId: extra.userId ?? null,
    data: { action, target, ...(extra.fields && { fields: extra.fields }), ...(extra.targetName && { targetName: extra.targetName }), source: 'provisioning', file },
  });
}

/** Domain errors become problems naming the entry (and the field, when the rule names one). */
async function atEntry<T>(label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DomainError) throw new EntryProblem(`${label}: ${error.field ? `${error.field}: ` : ''}${error.message}`);
    throw error;
  }
}

class EntryProblem extends Error {}

/** Every friendly name the file refers to, checked before anything is written, so all are reported at once. */
function unknownGroupProblems(plan: ProvisioningPlan, existing: Group[]): string[] {
  // With prune, a group the file does not name is about to be deleted: naming it elsewhere is a mistake.
  const kept = plan.prune ? [] : existing;
  const known = new Set([...kept.map((group) => group.friendlyName.toLowerCase()), ...plan.groups.map((group) => group.friendlyName.toLowerCase())]);
  const problems: string[] = [];
  const where = plan.prune ? 'is not in groups (with prune: true, every group used must be)' : 'is neither in groups nor in Hearth ID';
  const check = (label: string, field: string, names: string[] | undefined) =>
    names?.forEach((name, index) => {
      if (!known.has(name.toLowerCase())) problems.push(`${label}: ${field}[${index}] names no group: "${name}" ${where}`);
    });
  plan.users.forEach((user, index) => check(entryLabel('users', index, user.username), 'groups', user.groups));
  plan.clients.forEach((client, index) => check(entryLabel('clients', index, client.clientId), 'allowedGroups', client.allowedGroups));
  plan.forwardAuth.forEach((rule, index) => check(entryLabel('forwardAuth', index, rule.host), 'allowedGroups', rule.allowedGroups));
  return problems;
}

async function applyGroups(trx: Kysely<DB>, plan: ProvisioningPlan, lines: ProvisioningLine[]): Promise<Map<string, string>> {
  const byName = new Map((await listGroups(trx)).map((group) => [group.friendlyName.toLowerCase(), group]));
  for (const [index, entry] of plan.groups.entries()) {
    const label = entryLabel('groups', index, entry.friendlyName);
    const existing = byName.get(entry.friendlyName.toLowerCase());
    await atEntry(label, async () => {
      if (!existing) {
        const group = await createGroup(trx, { name: entry.name, friendlyName: entry.friendlyName });
        byName.set(group.friendlyName.toLowerCase(), group);
        if (entry.claims) await provisionClaims(trx, { groupId: group.id }, entry.claims);
        await audit(trx, plan.file, 'group.create', group.id);
        lines.push({ kind: 'group', key: entry.friendlyName, outcome: 'created' });
        return;
      }
      const changes: { name?: string; friendlyName?: string } = {};
      if (!entry.ifMissing) {
        if (existing.name !== entry.name) changes.name = entry.name;
        if (existing.friendlyName !== entry.friendlyName) changes.friendlyName = entry.friendlyName;
      }
      const fields = Object.keys(changes);
      if (fields.length > 0) {
        byName.set(entry.friendlyName.toLowerCase(), await updateGroup(trx, existing.id, changes));
      }
      if (!entry.ifMissing && entry.claims && (await provisionClaims(trx, { groupId: existing.id }, entry.claims))) fields.push('claims');
      if (fields.length > 0) {
        await audit(trx, plan.file, 'group.update', existing.id, { fields });
      }
      lines.push({ kind: 'group', key: entry.friendlyName, outcome: fields.length > 0 ? 'changed' : 'unchanged', fields });
    });
  }
  return new Map([...byName].map(([name, group]) => [name, group.id]));
}

function groupIds(names: string[], groupIdByName: Map<string, string>): string[] {
  return names.map((name) => groupIdByName.get(name.toLowerCase())!);
}

function clientInput(entry: ClientEntry, groupIdByName: Map<string, string>): OidcClientInput {
  return {
    name: entry.name,
    callbackUrls: entry.callbackUrls,
    ...(entry.logoutCallbackUrls !== undefined && { logoutCallbackUrls: entry.logoutCallbackUrls }),
    ...(entry.isPublic !== undefined && { isPublic: entry.isPublic }),
    ...(entry.pkceEnabled !== undefined && { pkceEnabled: entry.pkceEnabled }),
    ...(entry.trusted !== undefined && { trusted: entry.trusted }),
    ...(entry.authMethod !== undefined && { authMethod: entry.authMethod }),
    ...(entry.allowedGroups !== undefined && { allowedGroupIds: groupIds(entry.allowedGroups, groupIdByName) }),
    ...(entry.launchUrl !== undefined && { launchUrl: entry.launchUrl || null }),
  };
}

/** The fields of a stored client that differ from what the file asks for (fields the file leaves out never differ). */
function clientChanges(existing: OidcClient, wanted: OidcClientInput): Partial<OidcClientInput> {
  const changes: Partial<OidcClientInput> = {};
  if (existing.name !== wanted.name) changes.name = wanted.name;
  if (!sameList(existing.callbackUrls, wanted.callbackUrls)) changes.callbackUrls = wanted.callbackUrls;
  if (wanted.logoutCallbackUrls !== undefined && !sameList(existing.logoutCallbackUrls, wanted.logoutCallbackUrls)) {
    changes.logoutCallbackUrls = wanted.logoutCallbackUrls;
  }
  const isPublic = wanted.isPublic ?? existing.isPublic;
  if (isPublic !== existing.isPublic) changes.isPublic = isPublic;
  // A public client always requires PKCE, so `pkceEnabled: false` on one is no difference.
  if (wanted.pkceEnabled !== undefined && (wanted.pkceEnabled || isPublic) !== existing.pkceEnabled) changes.pkceEnabled = wanted.pkceEnabled;
  if (wanted.trusted !== undefined && wanted.trusted !== existing.trusted) changes.trusted = wanted.trusted;
  if (wanted.authMethod !== undefined && wanted.authMethod !== existing.authMethod) changes.authMethod = wanted.authMethod;
  if (wanted.allowedGroupIds !== undefined && !sameSet(existing.allowedGroupIds, wanted.allowedGroupIds)) changes.allowedGroupIds = wanted.allowedGroupIds;
  if (wanted.launchUrl !== undefined && wanted.launchUrl !== existing.launchUrl) changes.launchUrl = wanted.launchUrl;
  return changes;
}

const NO_SECRET_NOTE = 'its secret is not in the file: make one in the admin screen, or add secretFile or secretEnv';

async function applyClients(trx: Kysely<DB>, plan: ProvisioningPlan, groupIdByName: Map<string, string>, lines: ProvisioningLine[]): Promise<void> {
  for (const [index, entry] of plan.clients.entries()) {
    await atEntry(entryLabel('clients', index, entry.clientId), async () => {
      const wanted = clientInput(entry, groupIdByName);
      const existing = await findClient(trx, entry.clientId);
      if (!existing) {
        const { client } = await createClient(trx, { id: entry.clientId, ...wanted });
        if (entry.secret) await setClientSecret(trx, client.id, entry.secret.reveal());
        if (entry.logo) await provisionClientLogo(trx, client.id, entry.logo);
        await audit(trx, plan.file, 'client.create', client.id);
        lines.push({ kind: 'client', key: entry.clientId, outcome: 'created', ...(!client.isPublic && !entry.secret && { note: NO_SECRET_NOTE }) });
        return;
      }
      if (entry.ifMissing) {
        lines.push({ kind: 'client', key: entry.clientId, outcome: 'unchanged' });
        return;
      }
      const changes = clientChanges(existing, wanted);
      const fields: string[] = Object.keys(changes).map((field) => (field === 'allowedGroupIds' ? 'allowedGroups' : field));
      let client = existing;
      if (fields.length > 0) client = (await updateClient(trx, existing.id, changes)).client;
      if (entry.secret && !(await clientSecretIs(trx, client.id, entry.secret.reveal()))) {
        await setClientSecret(trx, client.id, entry.secret.reveal());
        fields.push('secret');
      }
      if (entry.logo !== undefined && (await provisionClientLogo(trx, client.id, entry.logo))) fields.push('logo');
      if (fields.length > 0) await audit(trx, plan.file, 'client.update', client.id, { fields });
      lines.push({ kind: 'client', key: entry.clientId, outcome: fields.length > 0 ? 'changed' : 'unchanged', fields });
    });
  }
}

function userInput(entry: UserEntry): Partial<UserInput> {
  return {
    ...(entry.email !== undefined && { email: entry.email }),
    ...(entry.emailVerified !== undefined && { emailVerified: entry.emailVerified }),
    ...(entry.firstName !== undefined && { firstName: entry.firstName || null }),
    ...(entry.lastName !== undefined && { lastName: entry.lastName || null }),
    ...(entry.isAdmin !== undefined && { isAdmin: entry.isAdmin }),
  };
}

async function applyUsers(trx: Kysely<DB>, plan: ProvisioningPlan, groupIdByName: Map<string, string>, lines: ProvisioningLine[]): Promise<void> {
  for (const [index, entry] of plan.users.entries()) {
    await atEntry(entryLabel('users', index, entry.username), async () => {
      const wanted = userInput(entry);
      const wantedGroups = entry.groups && groupIds(entry.groups, groupIdByName);
      const existing = await findUserByUsername(trx, entry.username);
      if (!existing) {
        const user = await createUser(trx, { username: entry.username, ...wanted });
        if (wantedGroups?.length) await setUserGroups(trx, user.id, wantedGroups);
        if (entry.claims) await provisionClaims(trx, { userId: user.id }, entry.claims);
        await audit(trx, plan.file, 'user.create', user.id, { userId: user.id });
        lines.push({ kind: 'user', key: entry.username, outcome: 'created' });
        return;
      }
      if (entry.ifMissing) {
        lines.push({ kind: 'user', key: entry.username, outcome: 'unchanged' });
        return;
      }
      const changes = Object.fromEntries(
        Object.entries(wanted).filter(([field, value]) => existing[field as keyof User] !== value),
      ) as Partial<UserInput>;
      // The username is how the file finds the user (any case); a different case is a rename.
      if (existing.username !== entry.username) changes.username = entry.username;
      const fields = Object.keys(changes);
      if (fields.length > 0) {
        // A new address the file also calls verified stays verified (updateUser would otherwise unverify it).
        const vouched = changes.email !== undefined && wanted.emailVerified !== undefined;
        await updateUser(trx, existing.id, vouched ? { ...changes, emailVerified: wanted.emailVerified } : changes);
      }
      if (wantedGroups) {
        const current = (await groupsOfUser(trx, existing.id)).map((group) => group.id);
        if (!sameSet(current, wantedGroups)) {
          await setUserGroups(trx, existing.id, wantedGroups);
          fields.push('groups');
        }
      }
      if (entry.claims && (await provisionClaims(trx, { userId: existing.id }, entry.claims))) fields.push('claims');
      if (fields.length > 0) await audit(trx, plan.file, 'user.update', existing.id, { userId: existing.id, fields });
      lines.push({ kind: 'user', key: entry.username, outcome: fields.length > 0 ? 'changed' : 'unchanged', fields });
    });
  }
}

async function applyForwardAuth(trx: Kysely<DB>, plan: ProvisioningPlan, groupIdByName: Map<string, string>, lines: ProvisioningLine[]): Promise<void> {
  for (const [index, entry] of plan.forwardAuth.entries()) {
    await atEntry(entryLabel('forwardAuth', index, entry.host), async () => {
      const { id, key, outcome, fields } = await provisionForwardAuthRule(trx, entry, groupIdByName);
      if (outcome !== 'unchanged') await audit(trx, plan.file, `forward_auth.${outcome === 'created' ? 'create' : 'update'}`, id, outcome === 'changed' ? { fields } : {});
      lines.push({ kind: 'forward-auth rule', key, outcome, fields });
    });
  }
}

async function allUsers(trx: Kysely<DB>): Promise<User[]> {
  const users: User[] = [];
  for (let page = 1; ; page += 1) {
    const result = await listUsers(trx, { page, pageSize: 100 });
    users.push(...result.users);
    if (result.users.length < result.pageSize) return users;
  }
}

/**
 * prune: true deletes what the file does not name: forward-auth rules (when the file has a
 * forwardAuth list) and clients first, then users, then groups (a group may guard a client).
 */
async function prune(trx: Kysely<DB>, plan: ProvisioningPlan, lines: ProvisioningLine[]): Promise<void> {
  const named = (values: string[]) => new Set(values.map((value) => value.toLowerCase()));
  for (const rule of plan.listsForwardAuth ? await pruneForwardAuthRules(trx, plan.forwardAuth) : []) {
    await audit(trx, plan.file, 'forward_auth.delete', rule.id);
    lines.push({ kind: 'forward-auth rule', key: rule.key, outcome: 'deleted' });
  }
  const clientIds = new Set(plan.clients.map((client) => client.clientId));
  for (const client of await listClients(trx)) {
    if (clientIds.has(client.id)) continue;
    await atEntry(`prune: client "${client.id}"`, () => deleteClient(trx, client.id));
    await audit(trx, plan.file, 'client.delete', client.id, { targetName: client.name });
    lines.push({ kind: 'client', key: client.id, outcome: 'deleted' });
  }
  const usernames = named(plan.users.map((user) => user.username));
  for (const user of await allUsers(trx)) {
    if (usernames.has(user.username.toLowerCase())) continue;
    await atEntry(`prune: user "${user.username}"`, async () => {
      await deleteUser(trx, user.id).catch((error: unknown) => {
        if (error instanceof LastAdminError) {
          throw new DomainError('conflict', `cannot delete ${error.username}: they are the last administrator; name them in users, or give another user isAdmin: true`);
        }
        throw error;
      });
    });
    await audit(trx, plan.file, 'user.delete', user.id, { userId: user.id, targetName: user.username });
    lines.push({ kind: 'user', key: user.username, outcome: 'deleted' });
  }
  const friendlyNames = named(plan.groups.map((group) => group.friendlyName));
  for (const group of await listGroups(trx)) {
    if (friendlyNames.has(group.friendlyName.toLowerCase())) continue;
    await atEntry(`prune: group "${group.friendlyName}"`, () => deleteGroup(trx, group.id));
    await audit(trx, plan.file, 'group.delete', group.id, { targetName: group.name });
    lines.push({ kind: 'group', key: group.friendlyName, outcome: 'deleted' });
  }
}

/**
 * Applies a checked provisioning file in one transaction: creates what is missing, updates
 * what differs, and with prune deletes what it does not name. Any problem undoes all of it
 * and throws ProvisioningError; a dry run undoes it too and reports what would have happened.
 */
export async function applyProvisioning(database: Database, plan: ProvisioningPlan, options: { dryRun?: boolean } = {}): Promise<ProvisioningReport> {
  const dryRun = options.dryRun ?? false;
  let lines: ProvisioningLine[];
  try {
    // The admin screens' lock: a file applied while an admin edits users, or by several replicas starting at once, takes turns.
    lines = await withAdminLock(database, async (trx) => {
      const problems = unknownGroupProblems(plan, await listGroups(trx));
      if (problems.length > 0) throw new ProvisioningError(plan.file, problems);
      const done: ProvisioningLine[] = [];
      const groupIdByName = await applyGroups(trx, plan, done);
      await applyClients(trx, plan, groupIdByName, done);
      await applyUsers(trx, plan, groupIdByName, done);
      await applyForwardAuth(trx, plan, groupIdByName, done);
      if (plan.prune) await prune(trx, plan, done);
      if (dryRun) throw new DryRunRollback(done);
      return done;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return { lines: error.lines, dryRun };
    if (error instanceof EntryProblem) throw new ProvisioningError(plan.file, [error.message]);
    throw error;
  } finally {
    // The domain functions cleared the transaction's cache, not the one requests read.
    forgetCachedClients();
    forgetCachedRules();
  }
  return { lines, dryRun };
}
