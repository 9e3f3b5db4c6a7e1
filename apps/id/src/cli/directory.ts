import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { recordAudit, type AuditEntry } from '../audit/audit.js';
import { listClients } from '../clients/clients.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { addGroupMember, findGroupByFriendlyName, groupsOfUser, listGroups, removeGroupMember, type Group } from '../groups/groups.js';
import { createUser, findUserByUsername, listUsers, type User } from '../users/users.js';
import { formatTable } from './table.js';

export type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;

/** What the audit log shows as the "device" of a change made on the server's command line. */
export const CLI_USER_AGENT = 'hearth-id command line';

/** Audit rows like the admin API writes, marked as made from the command line (no signed-in actor, no address). */
export async function recordCliAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await recordAudit(db, { actorId: null, ip: null, userAgent: CLI_USER_AGENT, ...entry, data: { ...entry.data, via: 'cli' } });
}

export async function requireUserNamed(db: Kysely<DB>, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new DomainError('not_found', `no user named "${username}"`);
  return user;
}

async function requireGroupNamed(db: Kysely<DB>, friendlyName: string): Promise<Group> {
  const group = await findGroupByFriendlyName(db, friendlyName);
  if (group) return group;
  const known = (await listGroups(db)).map((g) => g.friendlyName);
  throw new DomainError(
    'not_found',
    `no group with the friendly name "${friendlyName}"; ${known.length ? `the groups are: ${known.join(', ')}` : 'there are no groups yet'}`,
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const collect = (value: string, previous: string[] = []) => [...previous, value];

async function allUsers(db: Kysely<DB>): Promise<User[]> {
  const users: User[] = [];
  for (let page = 1; ; page += 1) {
    const batch = await listUsers(db, { page, pageSize: 100 });
    users.push(...batch.users);
    if (users.length >= batch.total || batch.users.length === 0) return users;
  }
}

/** The user, group and client commands: thin edges over the same domain functions as the admin API. */
export function registerDirectoryCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('create-user')
    .description('create a user (print their ID); send them a login link with one-time-access-token')
    .requiredOption('--username <username>', 'their user name')
    .option('--email <email>', 'their email address')
    .option('--first-name <name>', 'their first name')
    .option('--last-name <name>', 'their last name')
    .option('--admin', 'make them an administrator of Hearth ID')
    .option('--group <friendly name>', 'add them to this group (repeat for more)', collect)
    .action(async (options: { username: string; email?: string; firstName?: string; lastName?: string; admin?: boolean; group?: string[] }) => {
      if (options.email !== undefined && !EMAIL.test(options.email)) {
        throw new DomainError('invalid', `--email: "${options.email}" is not an email address`);
      }
      await withDatabase(async (database) => {
        const db = database.db;
        // Every group is found before anything is written: a typo creates nobody.
        const groups: Group[] = [];
        for (const name of new Set(options.group ?? [])) groups.push(await requireGroupNamed(db, name));
        const user = await db.transaction().execute(async (trx) => {
          const created = await createUser(trx, {
            username: options.username,
            email: options.email ?? null,
            firstName: options.firstName ?? null,
            lastName: options.lastName ?? null,
            isAdmin: options.admin ?? false,
          });
          for (const group of groups) await addGroupMember(trx, group.id, created.id);
          return created;
        });
        await recordCliAudit(db, { event: 'admin_change', userId: user.id, data: { action: 'user.create', target: user.id } });
        for (const group of groups) {
          await recordCliAudit(db, { event: 'admin_change', userId: user.id, data: { action: 'group.members.add', target: group.id } });
        }
        const role = user.isAdmin ? 'administrator' : 'user';
        const joined = groups.length ? ` in ${groups.map((g) => g.friendlyName).join(', ')}` : '';
        console.error(`Created ${role} "${user.username}"${joined}. Send them a login link: hearth-id one-time-access-token ${user.username}`);
        console.log(user.id);
      });
    });

  program
    .command('add-to-group')
    .description('add a user to a group (nothing changes when they are in it already)')
    .argument('<username>', 'the user')
    .argument('<friendly name>', 'the group, by the value of its groups claim, e.g. admins')
    .action(async (username: string, friendlyName: string) => {
      await withDatabase(async (database) => {
        const db = database.db;
        const user = await requireUserNamed(db, username);
        const group = await requireGroupNamed(db, friendlyName);
        if ((await groupsOfUser(db, user.id)).some((g) => g.id === group.id)) {
          console.log(`${user.username} is already in ${group.friendlyName}.`);
          return;
        }
        await addGroupMember(db, group.id, user.id);
        await recordCliAudit(db, { event: 'admin_change', userId: user.id, data: { action: 'group.members.add', target: group.id } });
        console.log(`Added ${user.username} to ${group.friendlyName}.`);
      });
    });

  program
    .command('remove-from-group')
    .description('take a user out of a group; their sign-ins to apps only that group allowed end')
    .argument('<username>', 'the user')
    .argument('<friendly name>', 'the group, by the value of its groups claim')
    .action(async (username: string, friendlyName: string) => {
      await withDatabase(async (database) => {
        const db = database.db;
        const user = await requireUserNamed(db, username);
        const group = await requireGroupNamed(db, friendlyName);
        if (!(await groupsOfUser(db, user.id)).some((g) => g.id === group.id)) {
          console.log(`${user.username} is not in ${group.friendlyName}; nothing changed.`);
          return;
        }
        await removeGroupMember(db, group.id, user.id);
        await recordCliAudit(db, { event: 'admin_change', userId: user.id, data: { action: 'group.members.remove', target: group.id } });
        console.log(`Removed ${user.username} from ${group.friendlyName}.`);
      });
    });

  program
    .command('list-users')
    .description('list every user with their role and groups')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async (database) => {
        const db = database.db;
        const users = await allUsers(db);
        const rows = [];
        for (const user of users) rows.push({ user, groups: (await groupsOfUser(db, user.id)).map((g) => g.friendlyName) });
        if (options.json) {
          const shown = rows.map(({ user, groups }) => ({
            id: user.id,
            username: user.username,
            email: user.email,
            firstName: user.firstName,
            lastName: user.lastName,
            displayName: user.displayName,
            isAdmin: user.isAdmin,
            disabled: user.disabled,
            groups,
            createdAt: user.createdAt,
          }));
          console.log(JSON.stringify(shown, null, 2));
          return;
        }
        if (rows.length === 0) {
          console.log('No users yet. Create one with: hearth-id create-user --username <name>');
          return;
        }
        console.log(
          formatTable(
            ['USERNAME', 'NAME', 'EMAIL', 'ROLE', 'GROUPS'],
            rows.map(({ user, groups }) => [
              user.username,
              user.displayName === user.username ? '' : user.displayName,
              user.email ?? '',
              `${user.isAdmin ? 'admin' : 'user'}${user.disabled ? ' (disabled)' : ''}`,
              groups.join(', '),
            ]),
          ),
        );
      });
    });

  program
    .command('list-clients')
    .description('list the OIDC clients: client IDs, names and callback URLs')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async (database) => {
        const db = database.db;
        const clients = await listClients(db);
        const groupNames = new Map((await listGroups(db)).map((g) => [g.id, g.friendlyName]));
        if (options.json) {
          const shown = clients.map((client) => ({
            id: client.id,
            name: client.name,
            callbackUrls: client.callbackUrls,
            logoutCallbackUrls: client.logoutCallbackUrls,
            isPublic: client.isPublic,
            pkceEnabled: client.pkceEnabled,
            trusted: client.trusted,
            allowedGroups: client.allowedGroupIds.map((id) => groupNames.get(id) ?? id),
          }));
          console.log(JSON.stringify(shown, null, 2));
          return;
        }
        if (clients.length === 0) {
          console.log('No OIDC clients yet. Create one with: hearth-id create-client --name <name> --callback-url <url>');
          return;
        }
        // One line per callback URL, so long URLs stay whole and can be copied.
        const rows = clients.flatMap((client) =>
          client.callbackUrls.map((url, index) =>
            index === 0 ? [client.id, client.name, client.isPublic ? 'public' : 'confidential', url] : ['', '', '', url],
          ),
        );
        console.log(formatTable(['CLIENT ID', 'NAME', 'TYPE', 'CALLBACK URLS'], rows));
      });
    });
}
