// Seeds a Hearth ID at the scale of a large installation: 10,000 users, 1,000 groups,
// 500 clients. Users, groups and memberships go in as SQL in batches (the domain functions
// would take minutes); clients through the domain function, as an admin would make them.
import { randomUUID } from 'node:crypto';
import { load } from './id-server.mjs';

export const SCALE = { users: 10_000, groups: 1_000, clients: 500 };

const FIRST = ['Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yvonne'];
const LAST = ['Smith', 'Jones', 'Brown', 'Taylor', 'Wilson', 'Evans', 'Thomas', 'Roberts', 'Walker', 'White', 'Hall', 'Green', 'Wood', 'Clarke', 'Hughes', 'Moore', 'Lee', 'King', 'Baker', 'Scott'];

async function insertBatches(db, table, rows, size = 500) {
  for (let i = 0; i < rows.length; i += size) await db.insertInto(table).values(rows.slice(i, i + size)).execute();
}

/**
 * Each user is in three groups; group 0 ("everyone") holds all of them, the worst group page.
 * Answers ids to time: a typical group, the largest one, a user, a client.
 */
export async function seedAtScale(db) {
  const { createClient } = await load('clients/clients.js');
  const now = new Date().toISOString();
  const users = Array.from({ length: SCALE.users }, (_, i) => {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    return {
      id: randomUUID(),
      created_at: now,
      updated_at: now,
      username: `${first.toLowerCase()}.${last.toLowerCase()}${i}`,
      email: `${first.toLowerCase()}${i}@example.org`,
      first_name: first,
      last_name: last,
      display_name: `${first} ${last}`,
      is_admin: 0,
      email_verified: 1,
      disabled: 0,
    };
  });
  await insertBatches(db, 'users', users);
  const groups = Array.from({ length: SCALE.groups }, (_, i) => ({
    id: randomUUID(),
    created_at: now,
    updated_at: now,
    name: i === 0 ? 'Everyone' : `Team ${i}`,
    friendly_name: i === 0 ? 'everyone' : `team-${i}`,
  }));
  await insertBatches(db, 'user_groups', groups);
  const members = users.flatMap((user, i) => [
    { user_id: user.id, group_id: groups[0].id },
    { user_id: user.id, group_id: groups[1 + (i % (SCALE.groups - 1))].id },
    { user_id: user.id, group_id: groups[1 + ((i * 7 + 3) % (SCALE.groups - 1))].id },
  ]);
  const unique = [...new Map(members.map((m) => [`${m.user_id}/${m.group_id}`, m])).values()];
  await insertBatches(db, 'user_group_members', unique);
  let client;
  for (let i = 0; i < SCALE.clients; i += 1) {
    ({ client } = await createClient(db, {
      name: `App ${i}`,
      callbackUrls: [`https://app${i}.example.org/callback`],
      isPublic: i % 2 === 0,
      pkceEnabled: true,
      allowedGroupIds: i % 3 === 0 ? [] : [groups[1 + (i % (SCALE.groups - 1))].id, groups[1 + ((i + 1) % (SCALE.groups - 1))].id],
    }));
  }
  // The last client is limited to two groups: its screen's picker asks for their names.
  const chosenGroups = [groups[1 + ((SCALE.clients - 1) % (SCALE.groups - 1))].id, groups[1 + (SCALE.clients % (SCALE.groups - 1))].id];
  return { typicalGroup: groups[500].id, largestGroup: groups[0].id, user: users[4321].id, client: client.id, chosenGroups };
}
