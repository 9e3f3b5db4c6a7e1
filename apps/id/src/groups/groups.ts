import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import type { DB, UserGroupsTable } from '../db/schema.js';
import { inTransaction, isoTimestamp, nowIso } from '../db/database.js';
import { briefCache } from '../db/brief-cache.js';
import { precompiledPerHandle } from '../db/precompiled.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import { toUser, type User } from '../users/user-record.js';
import { anyColumnContains, pageWindow } from '../db/search.js';
import { clientsLimitedToOnly, forgetCachedClients, revokeLostAccess } from '../clients/clients.js';

/**
 * A user group. `name` is what people read in the admin screens; `friendlyName` is the
 * value emitted in the OIDC `groups` claim, which relying parties (the dashboard's
 * adminGroup, showForKeycloakUsers) match against.
 */
export interface Group {
  id: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  friendlyName: string;
  memberCount?: number;
}

export interface GroupInput {
  name: string;
  friendlyName: string;
}

export const FRIENDLY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,63}$/;

function toGroup(row: Selectable<UserGroupsTable>): Group {
  return {
    id: row.id,
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    updatedAt: isoTimestamp(row.updated_at) ?? row.updated_at,
    name: row.name,
    friendlyName: row.friendly_name,
  };
}

function checkInput(input: Partial<GroupInput>): void {
  if (input.name !== undefined && !input.name.trim()) throw new DomainError('invalid', 'Enter a name', 'name');
  if (input.friendlyName !== undefined && !FRIENDLY_NAME_PATTERN.test(input.friendlyName)) {
    throw new DomainError(
      'invalid',
      'Friendly name must be 1 to 64 letters, digits or _ . : -, starting with a letter or digit (it goes into the groups claim)',
      'friendlyName',
    );
  }
}

function conflict(friendlyName: string | undefined): DomainError {
  return new DomainError('conflict', `a group with the friendly name "${friendlyName}" already exists`, 'friendlyName');
}

/**
 * Friendly names differing only in case ("admins", "Admins") would be two different
 * claim values that look the same in every screen, so they count as a clash too.
 */
async function assertFriendlyNameFree(db: Kysely<DB>, friendlyName: string | undefined, exceptId?: string): Promise<void> {
  if (friendlyName === undefined) return;
  let query = db
    .selectFrom('user_groups')
    .select('id')
    .where(sql<string>`lower(friendly_name)`, '=', friendlyName.toLowerCase());
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst()) throw conflict(friendlyName);
}

const withMemberCount = (db: Kysely<DB>) =>
  // A count per group from the group_id index, rather than grouping every membership row.
  db
    .selectFrom('user_groups')
    .selectAll('user_groups')
    .select((eb) =>
      eb
        .selectFrom('user_group_members')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('user_group_members.group_id', '=', 'user_groups.id')
        .as('member_count'),
    );

/** Every group, by name: for the few callers that need them all (the admin screens page through them). */
export async function listGroups(db: Kysely<DB>): Promise<Group[]> {
  const rows = await withMemberCount(db).orderBy(sql`lower(user_groups.name)`).orderBy('user_groups.id').execute();
  return rows.map((row) => ({ ...toGroup(row), memberCount: Number(row.member_count) }));
}

export interface GroupPage {
  groups: Group[];
  total: number;
  page: number;
  pageSize: number;
}

export interface GroupListOptions {
  /** Part of the name or friendly name, any case. */
  q?: string;
  /** Only these groups (a picker naming the groups it holds). */
  ids?: string[];
  page?: number;
  pageSize?: number;
}

/**
 * A page of groups by name (case-insensitive, from the `lower(name)` index), with member
 * counts and how many groups match: an installation may have thousands, and the screens and
 * pickers show a page at a time.
 */
export async function listGroupsPage(db: Kysely<DB>, options: GroupListOptions = {}): Promise<GroupPage> {
  const { page, pageSize, offset } = pageWindow(options, { pageSize: 50, maxPageSize: 200 });
  const q = options.q?.trim();
  const conditions: Expression<SqlBool>[] = [];
  if (q) conditions.push(anyColumnContains(db, ['user_groups.name', 'user_groups.friendly_name'], q));
  if (options.ids) conditions.push(options.ids.length > 0 ? sql<SqlBool>`user_groups.id in (${sql.join(options.ids)})` : sql<SqlBool>`1 = 0`);
  const matches = conditions.length > 0 ? sql<SqlBool>`${sql.join(conditions, sql` and `)}` : sql<SqlBool>`1 = 1`;
  const [rows, count] = await Promise.all([
    db.selectFrom('user_groups').selectAll().where(matches).orderBy(sql`lower(user_groups.name)`).orderBy('user_groups.id').limit(pageSize).offset(offset).execute(),
    db.selectFrom('user_groups').where(matches).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  // Members are counted for the page's groups only, not for every group the OFFSET skips.
  const counts = new Map<string, number>();
  if (rows.length > 0) {
    const counted = await db
      .selectFrom('user_group_members')
      .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('group_id', 'in', rows.map((row) => row.id))
      .groupBy('group_id')
      .execute();
    for (const row of counted) counts.set(row.group_id, Number(row.n));
  }
  return { groups: rows.map((row) => ({ ...toGroup(row), memberCount: counts.get(row.id) ?? 0 })), total: Number(count.n), page, pageSize };
}

export async function findGroup(db: Kysely<DB>, id: string): Promise<Group | null> {
  const row = await db.selectFrom('user_groups').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toGroup(row) : null;
}

export async function requireGroup(db: Kysely<DB>, id: string): Promise<Group> {
  const group = await findGroup(db, id);
  if (!group) throw new DomainError('not_found', 'group not found');
  return group;
}

/** Groups' display names by ID (the audit log's words); IDs no longer there are left out. */
export async function groupNamesByIds(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('user_groups').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function createGroup(db: Kysely<DB>, input: GroupInput): Promise<Group> {
  checkInput(input);
  await assertFriendlyNameFree(db, input.friendlyName);
  const now = nowIso();
  const id = randomUUID();
  try {
    await db
      .insertInto('user_groups')
      .values({ id, created_at: now, updated_at: now, name: input.name.trim(), friendly_name: input.friendlyName })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(input.friendlyName);
    throw error;
  }
  return requireGroup(db, id);
}

export async function updateGroup(db: Kysely<DB>, id: string, input: Partial<GroupInput>): Promise<Group> {
  checkInput(input);
  await requireGroup(db, id);
  await assertFriendlyNameFree(db, input.friendlyName, id);
  try {
    await db
      .updateTable('user_groups')
      .set({
        updated_at: nowIso(),
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.friendlyName !== undefined && { friendly_name: input.friendlyName }),
      })
      .where('id', '=', id)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(input.friendlyName);
    throw error;
  }
  forgetCachedAccounts();
  return requireGroup(db, id);
}

/**
 * Deletes a group and its memberships. A client whose only allowed group this is would be
 * left unrestricted, open to everyone, so that is refused until the client is changed.
 */
export async function deleteGroup(db: Kysely<DB>, id: string): Promise<void> {
  const guarded = await clientsLimitedToOnly(db, id);
  if (guarded.length > 0) {
    const names = guarded.map((client) => client.name).join(', ');
    throw new DomainError(
      'conflict',
      `only members of this group may sign in to ${names}; deleting it would open them to everyone, so change their allowed groups first`,
    );
  }
  await inTransaction(db, async (trx) => {
    const members = await listGroupMemberIds(trx, id);
    const result = await trx.deleteFrom('user_groups').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new DomainError('not_found', 'group not found');
    // Its members may have reached some clients only through this group.
    await revokeLostAccess(trx, { userIds: members });
  });
  // The group is gone from clients' allowed groups too (by cascade).
  forgetCachedClients();
  forgetCachedAccounts();
}

export async function listGroupMemberIds(db: Kysely<DB>, groupId: string): Promise<string[]> {
  const rows = await db.selectFrom('user_group_members').select('user_id').where('group_id', '=', groupId).execute();
  return rows.map((row) => row.user_id);
}

/** A page of a group's members by username, and how many there are: a group may hold every user. */
export async function membersOfGroup(
  db: Kysely<DB>,
  groupId: string,
  options: { page?: number; pageSize?: number } = {},
): Promise<{ members: User[]; total: number; page: number; pageSize: number }> {
  await requireGroup(db, groupId);
  const { page, pageSize, offset } = pageWindow(options, { pageSize: 100, maxPageSize: 500 });
  const [members, everyone] = await Promise.all([
    db.selectFrom('user_group_members').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const total = Number(members.n);
  if (total === 0 || offset >= total) return { members: [], total, page, pageSize };
  // Two ways to the page. Sorting the members reads all of them; walking the users in username
  // order (their lower(username) index) and keeping the members reads about
  // (offset + pageSize) / (the members' share of all users) users and sorts nothing. A group
  // holding most users (an "everyone" group) takes the walk: its first page reads ~100 users
  // instead of sorting 10,000; a small group is quicker sorted.
  const walked = ((offset + pageSize) * Number(everyone.n)) / total;
  const isMember = (eb: ExpressionBuilder<DB, 'users'>) =>
    eb.exists(
      eb
        .selectFrom('user_group_members')
        .select('user_group_members.user_id')
        .whereRef('user_group_members.user_id', '=', 'users.id')
        .where('user_group_members.group_id', '=', groupId),
    );
  const rows =
    walked < total
      ? await db.selectFrom('users').selectAll().where(isMember).orderBy(sql`lower(username)`).limit(pageSize).offset(offset).execute()
      : await db
          .selectFrom('users')
          .innerJoin('user_group_members', 'user_group_members.user_id', 'users.id')
          .where('user_group_members.group_id', '=', groupId)
          .selectAll('users')
          .orderBy(sql`lower(users.username)`)
          .limit(pageSize)
          .offset(offset)
          .execute();
  return { members: rows.map(toUser), total, page, pageSize };
}

/** Adds one user to a group (no change when already in it). */
export async function addGroupMember(db: Kysely<DB>, groupId: string, userId: string): Promise<void> {
  await requireGroup(db, groupId);
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('invalid', 'this user does not exist', 'userId');
  await db
    .insertInto('user_group_members')
    .values({ user_id: userId, group_id: groupId })
    .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing())
    .execute();
  forgetCachedAccounts();
}

/** Takes one user out of a group, and what the group gave them. */
export async function removeGroupMember(db: Kysely<DB>, groupId: string, userId: string): Promise<void> {
  await requireGroup(db, groupId);
  await inTransaction(db, async (trx) => {
    const removed = await trx.deleteFrom('user_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) await revokeLostAccess(trx, { userIds: [userId] });
  });
  forgetCachedAccounts();
}

export async function groupsOfUser(db: Kysely<DB>, userId: string): Promise<Group[]> {
  const rows = await db
    .selectFrom('user_groups')
    .innerJoin('user_group_members', 'user_group_members.group_id', 'user_groups.id')
    .selectAll('user_groups')
    .where('user_group_members.user_id', '=', userId)
    .orderBy('user_groups.friendly_name')
    .execute();
  return rows.map(toGroup);
}

/** A user with the groups they are in, as every token request needs them: for the access check and the claims. */
export interface UserWithGroups {
  readonly user: Readonly<User>;
  /** By friendly name, the order of the `groups` claim. */
  readonly groups: readonly Readonly<Pick<Group, 'id' | 'friendlyName'>>[];
}

/**
 * Every token request and userinfo call reads its account, so a user with their groups is
 * kept for a second. A change made through this process (the user, a group, a membership)
 * forgets them at once; a change by another replica or by the CLI shows within the second.
 * Disabling someone does not wait for it: the same change deletes their grants and tokens,
 * so requests with those fail at once.
 */
export const ACCOUNT_CACHE_TTL_MS = 1000;
const accountRecords = briefCache<string, UserWithGroups | null>({ ttlMs: ACCOUNT_CACHE_TTL_MS, maxEntries: 10_000 });

/** Forgets the kept accounts, after a change to users, groups or memberships. */
export function forgetCachedAccounts(): void {
  accountRecords.forget();
}

/** A user and their groups: kept for a second, otherwise read in one statement (built and compiled once per database handle). */
export async function findUserWithGroups(db: Kysely<DB>, userId: string): Promise<UserWithGroups | null> {
  return accountRecords.get(db, userId, () => readUserWithGroups(db, userId));
}

type UserWithGroupsRow = Selectable<DB['users']> & { group_id: string | null; group_friendly_name: string | null };
const userWithGroupsQuery = precompiledPerHandle<Kysely<DB>, 'userId', UserWithGroupsRow>(['userId'], (db, v) =>
  db
    .selectFrom('users')
    .leftJoin('user_group_members', 'user_group_members.user_id', 'users.id')
    .leftJoin('user_groups', 'user_groups.id', 'user_group_members.group_id')
    .selectAll('users')
    .select(['user_groups.id as group_id', 'user_groups.friendly_name as group_friendly_name'])
    .where('users.id', '=', v.userId)
    .orderBy('user_groups.friendly_name'),
);

async function readUserWithGroups(db: Kysely<DB>, userId: string): Promise<UserWithGroups | null> {
  const { rows } = await userWithGroupsQuery(db)({ userId });
  const first = rows[0];
  if (!first) return null;
  const { group_id: _id, group_friendly_name: _name, ...userRow } = first;
  const groups = rows.flatMap((row) =>
    row.group_id === null || row.group_friendly_name === null ? [] : [Object.freeze({ id: row.group_id, friendlyName: row.group_friendly_name })],
  );
  // Shared by the requests of the next second: nobody may change it.
  return Object.freeze({ user: Object.freeze(toUser(userRow)), groups: Object.freeze(groups) });
}

/** The value of the `groups` claim: the friendly names of the user's groups. */
export async function groupClaimOfUser(db: Kysely<DB>, userId: string): Promise<string[]> {
  return (await groupsOfUser(db, userId)).map((group) => group.friendlyName);
}

/** Replaces a group's members with exactly these users. */
export async function setGroupMembers(db: Kysely<DB>, groupId: string, userIds: string[]): Promise<void> {
  await requireGroup(db, groupId);
  const unique = [...new Set(userIds)];
  await inTransaction(db, async (trx) => {
    if (unique.length > 0) {
      const found = await trx.selectFrom('users').select('id').where('id', 'in', unique).execute();
      if (found.length !== unique.length) throw new DomainError('invalid', 'one or more users do not exist', 'userIds');
    }
    const removed = (await listGroupMemberIds(trx, groupId)).filter((userId) => !unique.includes(userId));
    await trx.deleteFrom('user_group_members').where('group_id', '=', groupId).execute();
    if (unique.length > 0) {
      await trx.insertInto('user_group_members').values(unique.map((user_id) => ({ user_id, group_id: groupId }))).execute();
    }
    await revokeLostAccess(trx, { userIds: removed });
  });
  forgetCachedAccounts();
}

/** Replaces a user's groups with exactly these groups. */
export async function setUserGroups(db: Kysely<DB>, userId: string, groupIds: string[]): Promise<void> {
  const unique = [...new Set(groupIds)];
  await inTransaction(db, async (trx) => {
    const user = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new DomainError('not_found', 'user not found');
    if (unique.length > 0) {
      const found = await trx.selectFrom('user_groups').select('id').where('id', 'in', unique).execute();
      if (found.length !== unique.length) throw new DomainError('invalid', 'one or more groups do not exist', 'groupIds');
    }
    await trx.deleteFrom('user_group_members').where('user_id', '=', userId).execute();
    if (unique.length > 0) {
      await trx.insertInto('user_group_members').values(unique.map((group_id) => ({ user_id: userId, group_id }))).execute();
    }
    await revokeLostAccess(trx, { userIds: [userId] });
  });
  forgetCachedAccounts();
}

/** Friendly names are unique regardless of case. */
export async function findGroupByFriendlyName(db: Kysely<DB>, friendlyName: string): Promise<Group | null> {
  const row = await db
    .selectFrom('user_groups')
    .selectAll()
    .where(sql<string>`lower(friendly_name)`, '=', friendlyName.toLowerCase())
    .executeTakeFirst();
  return row ? toGroup(row) : null;
}

export async function addUserToGroup(db: Kysely<DB>, userId: string, groupId: string): Promise<void> {
  await db
    .insertInto('user_group_members')
    .values({ user_id: userId, group_id: groupId })
    .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing())
    .execute();
  forgetCachedAccounts();
}
