import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { briefCache } from '../db/brief-cache.js';
import type { DB, ForwardAuthRulesTable } from '../db/schema.js';
import { inTransaction, isoTimestamp, nowIso } from '../db/database.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import { normaliseRuleHost, normaliseRulePathPrefix, type ForwardAuthRule } from './matching.js';

/**
 * Forward-auth rules as stored, and the in-memory copy the hot endpoint reads: every request
 * to a protected app asks, so the rules are kept, and every change here drops the copy.
 */

export interface StoredForwardAuthRule extends ForwardAuthRule {
  createdAt: string;
  updatedAt: string;
  /** The allowed groups with their names, for the admin screen and the provisioning file. */
  allowedGroups: { id: string; name: string; friendlyName: string }[];
}

export interface ForwardAuthRuleInput {
  host: string;
  pathPrefix?: string | null;
  /** Empty: any signed-in person. */
  allowedGroupIds: string[];
}

/**
 * How long the copy is used before the rules are read again: changes made through this process
 * drop it at once; this bounds how long one made on another replica goes unseen here.
 */
export const RULE_CACHE_TTL_MS = 1000;

interface MatchingRules {
  rules: ForwardAuthRule[];
  /** The hosts the rules protect, for return addresses. */
  hosts: Set<string>;
}

/** Every forward-auth check (each request of a protected app) reads the rules: kept briefly. */
const matchingRules = briefCache<'rules', MatchingRules>({ ttlMs: RULE_CACHE_TTL_MS, maxEntries: 1 });

/** Forgets the cached rules: after any change to rules (done here) or to groups a rule names. */
export function forgetCachedRules(): void {
  matchingRules.forget();
}

function toRule(row: Selectable<ForwardAuthRulesTable>, groups: StoredForwardAuthRule['allowedGroups']): StoredForwardAuthRule {
  return {
    id: row.id,
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    updatedAt: isoTimestamp(row.updated_at) ?? row.updated_at,
    host: row.host,
    pathPrefix: row.path_prefix,
    allowAnyUser: Boolean(row.allow_any_user),
    allowedGroupIds: groups.map((group) => group.id),
    allowedGroups: groups,
  };
}

async function loadRules(db: Kysely<DB>, id?: string): Promise<StoredForwardAuthRule[]> {
  let rulesQuery = db.selectFrom('forward_auth_rules').selectAll().orderBy('host').orderBy('path_prefix');
  let groupsQuery = db
    .selectFrom('forward_auth_rule_groups')
    .innerJoin('user_groups', 'user_groups.id', 'forward_auth_rule_groups.group_id')
    .select(['forward_auth_rule_groups.rule_id', 'user_groups.id', 'user_groups.name', 'user_groups.friendly_name'])
    .orderBy('user_groups.friendly_name');
  if (id !== undefined) {
    rulesQuery = rulesQuery.where('id', '=', id);
    groupsQuery = groupsQuery.where('forward_auth_rule_groups.rule_id', '=', id);
  }
  const [rows, groupRows] = await Promise.all([rulesQuery.execute(), groupsQuery.execute()]);
  const groupsOf = new Map<string, StoredForwardAuthRule['allowedGroups']>();
  for (const row of groupRows) {
    const list = groupsOf.get(row.rule_id) ?? [];
    list.push({ id: row.id, name: row.name, friendlyName: row.friendly_name });
    groupsOf.set(row.rule_id, list);
  }
  return rows.map((row) => toRule(row, groupsOf.get(row.id) ?? []));
}

/** Every rule, by host and path: an installation has a handful (one or two per app). */
export async function listForwardAuthRules(db: Kysely<DB>): Promise<StoredForwardAuthRule[]> {
  return loadRules(db);
}

export async function requireForwardAuthRule(db: Kysely<DB>, id: string): Promise<StoredForwardAuthRule> {
  const [rule] = await loadRules(db, id);
  if (!rule) throw new DomainError('not_found', 'forward-auth rule not found');
  return rule;
}

/** The rules for matching requests (and the hosts they protect, for return addresses), from memory when fresh. */
export async function cachedForwardAuthRules(db: Kysely<DB>): Promise<MatchingRules> {
  return matchingRules.get(db, 'rules', async () => {
    const rules: ForwardAuthRule[] = (await loadRules(db)).map(({ id, host, pathPrefix, allowAnyUser, allowedGroupIds }) => ({
      id,
      host,
      pathPrefix,
      allowAnyUser,
      allowedGroupIds,
    }));
    return { rules, hosts: new Set(rules.map((rule) => rule.host)) };
  });
}

function checkedInput(input: ForwardAuthRuleInput): { host: string; pathPrefix: string; groupIds: string[] } {
  const host = normaliseRuleHost(input.host);
  if ('problem' in host) throw new DomainError('invalid', `Host ${host.problem}`, 'host');
  const path = normaliseRulePathPrefix(input.pathPrefix);
  if ('problem' in path) throw new DomainError('invalid', `Path prefix ${path.problem}`, 'pathPrefix');
  return { host: host.host, pathPrefix: path.pathPrefix, groupIds: [...new Set(input.allowedGroupIds)] };
}

function conflict(host: string, pathPrefix: string): DomainError {
  return new DomainError('conflict', `a rule for ${host}${pathPrefix === '/' ? '' : pathPrefix} already exists; edit that one`, 'host');
}

async function assertGroupsExist(trx: Kysely<DB>, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await trx.selectFrom('user_groups').select('id').where('id', 'in', groupIds).execute();
  if (found.length !== groupIds.length) throw new DomainError('invalid', 'One or more of the allowed groups do not exist', 'allowedGroupIds');
}

async function assertFree(trx: Kysely<DB>, host: string, pathPrefix: string, exceptId?: string): Promise<void> {
  let query = trx.selectFrom('forward_auth_rules').select('id').where('host', '=', host).where('path_prefix', '=', pathPrefix);
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst()) throw conflict(host, pathPrefix);
}

async function setRuleGroups(trx: Kysely<DB>, ruleId: string, groupIds: string[]): Promise<void> {
  await trx.deleteFrom('forward_auth_rule_groups').where('rule_id', '=', ruleId).execute();
  if (groupIds.length > 0) {
    await trx.insertInto('forward_auth_rule_groups').values(groupIds.map((group_id) => ({ rule_id: ruleId, group_id }))).execute();
  }
}

/** Runs a change and drops the cached rules, also when the change failed half-way (it was rolled back). */
async function changing<T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, fn);
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', 'a rule for this host and path already exists; edit that one', 'host');
    throw error;
  } finally {
    forgetCachedRules();
  }
}

export async function createForwardAuthRule(db: Kysely<DB>, input: ForwardAuthRuleInput): Promise<StoredForwardAuthRule> {
  const { host, pathPrefix, groupIds } = checkedInput(input);
  const id = randomUUID();
  return changing(db, async (trx) => {
    await assertGroupsExist(trx, groupIds);
    await assertFree(trx, host, pathPrefix);
    const now = nowIso();
    await trx
      .insertInto('forward_auth_rules')
      .values({ id, created_at: now, updated_at: now, host, path_prefix: pathPrefix, allow_any_user: groupIds.length === 0 ? 1 : 0 })
      .execute();
    await setRuleGroups(trx, id, groupIds);
    return requireForwardAuthRule(trx, id);
  });
}

/** Replaces a rule's host, path prefix and groups (a partial input keeps the rest). */
export async function updateForwardAuthRule(db: Kysely<DB>, id: string, input: Partial<ForwardAuthRuleInput>): Promise<StoredForwardAuthRule> {
  return changing(db, async (trx) => {
    const existing = await requireForwardAuthRule(trx, id);
    const { host, pathPrefix, groupIds } = checkedInput({
      host: input.host ?? existing.host,
      pathPrefix: input.pathPrefix === undefined ? existing.pathPrefix : input.pathPrefix,
      allowedGroupIds: input.allowedGroupIds ?? existing.allowedGroupIds,
    });
    await assertGroupsExist(trx, groupIds);
    await assertFree(trx, host, pathPrefix, id);
    // Leaving the groups alone keeps a rule whose groups were deleted closed, rather than opening it.
    const allowAnyUser = input.allowedGroupIds === undefined ? existing.allowAnyUser : groupIds.length === 0;
    await trx
      .updateTable('forward_auth_rules')
      .set({ updated_at: nowIso(), host, path_prefix: pathPrefix, allow_any_user: allowAnyUser ? 1 : 0 })
      .where('id', '=', id)
      .execute();
    if (input.allowedGroupIds !== undefined) await setRuleGroups(trx, id, groupIds);
    return requireForwardAuthRule(trx, id);
  });
}

export async function deleteForwardAuthRule(db: Kysely<DB>, id: string): Promise<void> {
  await changing(db, async (trx) => {
    const result = await trx.deleteFrom('forward_auth_rules').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new DomainError('not_found', 'forward-auth rule not found');
  });
}

/** The rule for exactly this host and path prefix (how the provisioning file finds one). */
export async function findForwardAuthRuleAt(db: Kysely<DB>, host: string, pathPrefix: string): Promise<StoredForwardAuthRule | null> {
  const row = await db.selectFrom('forward_auth_rules').select('id').where('host', '=', host).where('path_prefix', '=', pathPrefix).executeTakeFirst();
  return row ? requireForwardAuthRule(db, row.id) : null;
}
