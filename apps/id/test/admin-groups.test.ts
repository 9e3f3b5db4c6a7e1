import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

describe.each(DB_PROVIDERS)('admin API: groups on %s', (provider) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    admin = (await signedInUser(server, { username: 'group-admin', isAdmin: true })).cookie;
  });
  afterAll(async () => server?.stop());

  const createGroup = async (name: string, friendlyName: string) => {
    const res = await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name, friendlyName } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.group as { id: string; name: string; friendlyName: string };
  };
  const createUser = async (username: string) => {
    const res = await api(server, 'POST', '/api/admin/users', { cookie: admin, body: { username } });
    expect(res.status).toBe(201);
    return res.body.user as { id: string; username: string };
  };
  const names = (list: { username?: string; friendlyName?: string }[]) => list.map((x) => x.username ?? x.friendlyName);

  it('answers 401 without a session and 403 to a non-admin', async () => {
    expect((await api(server, 'GET', '/api/admin/groups')).status).toBe(401);
    const { cookie } = await signedInUser(server);
    expect((await api(server, 'GET', '/api/admin/groups', { cookie })).status).toBe(403);
    expect((await api(server, 'POST', '/api/admin/groups', { cookie, body: { name: 'x', friendlyName: 'x' } })).status).toBe(403);
  });

  it('refuses a cross-site POST', async () => {
    const res = await api(server, 'POST', '/api/admin/groups', {
      cookie: admin,
      body: { name: 'Evil', friendlyName: 'evil' },
      origin: 'http://evil.example',
    });
    expect(res.status).toBe(403);
  });

  it('creates, reads, renames and deletes a group', async () => {
    const group = await createGroup('Dashy admins', 'admins');
    expect(group).toMatchObject({ name: 'Dashy admins', friendlyName: 'admins' });

    const read = await api(server, 'GET', `/api/admin/groups/${group.id}`, { cookie: admin });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ group, members: [], total: 0, page: 1, pageSize: 100 });

    const renamed = await api(server, 'PATCH', `/api/admin/groups/${group.id}`, { cookie: admin, body: { name: 'Admins of Dashy' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.group).toMatchObject({ name: 'Admins of Dashy', friendlyName: 'admins' });

    const list = await api(server, 'GET', '/api/admin/groups', { cookie: admin });
    expect(list.body.groups).toEqual(expect.arrayContaining([expect.objectContaining({ id: group.id, memberCount: 0 })]));

    expect((await api(server, 'DELETE', `/api/admin/groups/${group.id}`, { cookie: admin })).status).toBe(204);
    expect((await api(server, 'GET', `/api/admin/groups/${group.id}`, { cookie: admin })).status).toBe(404);
    expect((await api(server, 'DELETE', `/api/admin/groups/${group.id}`, { cookie: admin })).status).toBe(404);
    expect((await api(server, 'PATCH', `/api/admin/groups/${group.id}`, { cookie: admin, body: { name: 'x' } })).status).toBe(404);
    expect((await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: [] } })).status).toBe(404);
  });

  it.each([
    [{ friendlyName: 'ok' }, 'name'],
    [{ name: '   ', friendlyName: 'ok' }, 'name'],
    [{ name: 'Ok' }, 'friendlyName'],
    [{ name: 'Ok', friendlyName: 'has space' }, 'friendlyName'],
    [{ name: 'Ok', friendlyName: '.dot-first' }, 'friendlyName'],
    [{ name: 'Ok', friendlyName: 'x'.repeat(65) }, 'friendlyName'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await api(server, 'POST', '/api/admin/groups', { cookie: admin, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid', field });
  });

  it('answers 409 for a friendly name already taken, in any case', async () => {
    await createGroup('Family', 'family');
    for (const friendlyName of ['family', 'Family']) {
      const res = await api(server, 'POST', '/api/admin/groups', { cookie: admin, body: { name: 'Other', friendlyName } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'conflict', field: 'friendlyName' });
    }
    const other = await createGroup('Friends', 'friends');
    const rename = await api(server, 'PATCH', `/api/admin/groups/${other.id}`, { cookie: admin, body: { friendlyName: 'FAMILY' } });
    expect(rename.status).toBe(409);
    // Changing only the case of its own friendly name is not a clash.
    const own = await api(server, 'PATCH', `/api/admin/groups/${other.id}`, { cookie: admin, body: { friendlyName: 'Friends' } });
    expect(own.status).toBe(200);
  });

  it('sets members from the group side and shows them from the user side', async () => {
    const group = await createGroup('Media', 'media');
    const [ann, ben] = [await createUser('ann'), await createUser('ben')];

    const set = await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, {
      cookie: admin,
      body: { userIds: [ben.id, ann.id, ann.id] },
    });
    expect(set.status).toBe(200);
    expect(names(set.body.members)).toEqual(['ann', 'ben']);

    const annView = await api(server, 'GET', `/api/admin/users/${ann.id}`, { cookie: admin });
    expect(names(annView.body.groups)).toEqual(['media']);
    const list = await api(server, 'GET', '/api/admin/groups', { cookie: admin });
    expect(list.body.groups.find((g: { id: string }) => g.id === group.id).memberCount).toBe(2);

    const shrink = await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: [ben.id] } });
    expect(names(shrink.body.members)).toEqual(['ben']);
    expect((await api(server, 'GET', `/api/admin/users/${ann.id}`, { cookie: admin })).body.groups).toEqual([]);
  });

  it('sets groups from the user side and shows them from the group side', async () => {
    const [ops, kids] = [await createGroup('Ops', 'ops'), await createGroup('Kids', 'kids')];
    const cat = await createUser('cat');

    const set = await api(server, 'PUT', `/api/admin/users/${cat.id}/groups`, { cookie: admin, body: { groupIds: [ops.id, kids.id] } });
    expect(set.status).toBe(200);
    expect(names(set.body.groups)).toEqual(['kids', 'ops']);
    const opsView = await api(server, 'GET', `/api/admin/groups/${ops.id}`, { cookie: admin });
    expect(names(opsView.body.members)).toEqual(['cat']);

    const cleared = await api(server, 'PUT', `/api/admin/users/${cat.id}/groups`, { cookie: admin, body: { groupIds: [] } });
    expect(cleared.body.groups).toEqual([]);
    expect((await api(server, 'GET', `/api/admin/groups/${ops.id}`, { cookie: admin })).body.members).toEqual([]);
  });

  it('shows a large group a page at a time and adds or removes one member at a time', async () => {
    const group = await createGroup('Everyone here', 'everyone-here');
    const people = [];
    for (const name of ['pa', 'pb', 'pc', 'pd', 'pe']) people.push(await createUser(name));
    await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: people.slice(0, 4).map((p) => p.id) } });

    const second = await api(server, 'GET', `/api/admin/groups/${group.id}?page=2&pageSize=3`, { cookie: admin });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(names(second.body.members)).toEqual(['pd']);
    expect((await api(server, 'GET', `/api/admin/groups/${group.id}?pageSize=501`, { cookie: admin })).status).toBe(400);

    const added = await api(server, 'POST', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userId: people[4]!.id } });
    expect(added.status).toBe(200);
    expect(added.body.total).toBe(5);
    // Adding someone already in the group changes nothing.
    expect((await api(server, 'POST', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userId: people[4]!.id } })).body.total).toBe(5);
    const unknown = await api(server, 'POST', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userId: 'nobody' } });
    expect(unknown.status).toBe(400);

    const removed = await api(server, 'DELETE', `/api/admin/groups/${group.id}/members/${people[0]!.id}`, { cookie: admin });
    expect(removed.status).toBe(200);
    expect(removed.body.total).toBe(4);
    expect(names(removed.body.members)).toEqual(['pb', 'pc', 'pd', 'pe']);
    expect((await api(server, 'DELETE', `/api/admin/groups/missing/members/${people[1]!.id}`, { cookie: admin })).status).toBe(404);
  });

  it('lists groups a page at a time by name, searched by name or friendly name in any case, with a total', async () => {
    const made = [];
    for (const [name, friendlyName] of [['Pager b', 'pg-2'], ['pager A', 'pg-1'], ['Pager d', 'pg-4'], ['Pager C', 'pg-3'], ['Other', 'pagerish']]) {
      made.push(await createGroup(name!, friendlyName!));
    }
    const list = async (query: string) => {
      const res = await api(server, 'GET', `/api/admin/groups?${query}`, { cookie: admin });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { groups: { id: string; name: string; memberCount: number }[]; total: number; page: number; pageSize: number };
    };

    const first = await list('q=PAGER&page=1&pageSize=2');
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(first.groups.map((g) => g.name)).toEqual(['Other', 'pager A']);
    expect(first.groups[0]!.memberCount).toBe(0);
    expect((await list('q=pager&page=2&pageSize=2')).groups.map((g) => g.name)).toEqual(['Pager b', 'Pager C']);
    expect((await list('q=pager&page=3&pageSize=2')).groups.map((g) => g.name)).toEqual(['Pager d']);
    expect(await list('q=pager&page=9&pageSize=2')).toMatchObject({ groups: [], total: 5, page: 9 });
    // The friendly name is searched too, and the search's %, _ and \ are plain characters.
    expect((await list('q=pg-3')).groups.map((g) => g.name)).toEqual(['Pager C']);
    expect((await list('q=pg_3')).total).toBe(0);
    expect((await list(`q=${encodeURIComponent('%')}`)).total).toBe(0);

    // Without a search: every group counts, 50 to a page unless asked otherwise.
    const all = await list('');
    expect(all.pageSize).toBe(50);
    expect(all.total).toBeGreaterThanOrEqual(5);
    expect(all.groups.length).toBe(Math.min(50, all.total));

    // A picker asks for the groups it holds by ID.
    const byId = await list(`ids=${made[0]!.id},${made[3]!.id},missing`);
    expect(byId).toMatchObject({ total: 2 });
    expect(byId.groups.map((g) => g.name)).toEqual(['Pager b', 'Pager C']);

    for (const [query, message] of [
      ['page=0', 'must be at least 1'],
      ['pageSize=201', 'must be at most 200'],
      ['page=two', 'must be a'],
      [`ids=${Array.from({ length: 101 }, (_, i) => `g${i}`).join(',')}`, 'at most 100 IDs at a time'],
    ]) {
      const res = await api(server, 'GET', `/api/admin/groups?${query}`, { cookie: admin });
      expect(res.status, query).toBe(400);
      expect(res.body.message).toContain(message);
    }
  });

  it('pages through a group holding nearly everyone in username order, whichever way the page is read', async () => {
    // A group holding most users is read by walking the users in username order; a small one
    // by sorting its members. Both must give the same order, page after page.
    for (const name of ['Walk-b', 'walk-a', 'WALK-c', 'walk-d']) await createUser(name);
    const everyone: { id: string; username: string }[] = [];
    for (let page = 1; ; page += 1) {
      const res = await api(server, 'GET', `/api/admin/users?page=${page}&pageSize=100`, { cookie: admin });
      everyone.push(...(res.body.users as { id: string; username: string }[]));
      if (everyone.length >= res.body.total) break;
    }
    const group = await createGroup('Nearly everyone', 'nearly-everyone');
    const members = everyone.filter((user) => user.username !== 'walk-a');
    await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: members.map((user) => user.id) } });

    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(members.length / 2); page += 1) {
      const res = await api(server, 'GET', `/api/admin/groups/${group.id}?page=${page}&pageSize=2`, { cookie: admin });
      expect(res.body.total).toBe(members.length);
      seen.push(...names(res.body.members).map(String));
    }
    const expected = members.map((user) => user.username).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(seen).toEqual(expected);
    expect(seen).toEqual(expect.arrayContaining(['Walk-b', 'WALK-c', 'walk-d']));
  });

  it('refuses unknown members or groups with a 400 and changes nothing', async () => {
    const group = await createGroup('Strict', 'strict');
    const dan = await createUser('dan');
    await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: [dan.id] } });

    const badUser = await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, {
      cookie: admin,
      body: { userIds: ['no-such-user'] },
    });
    expect(badUser.status).toBe(400);
    expect(badUser.body.field).toBe('userIds');
    const badGroup = await api(server, 'PUT', `/api/admin/users/${dan.id}/groups`, { cookie: admin, body: { groupIds: ['no-such-group'] } });
    expect(badGroup.status).toBe(400);
    expect(badGroup.body.field).toBe('groupIds');
    const notAList = await api(server, 'PUT', `/api/admin/groups/${group.id}/members`, { cookie: admin, body: { userIds: dan.id } });
    expect(notAList.body.field).toBe('userIds');

    const after = await api(server, 'GET', `/api/admin/groups/${group.id}`, { cookie: admin });
    expect(names(after.body.members)).toEqual(['dan']);
  });

  it('will not delete the only group a client is limited to, which would open the client to everyone', async () => {
    const [only, spare] = [await createGroup('Only', 'only'), await createGroup('Spare', 'spare')];
    const client = await api(server, 'POST', '/api/admin/clients', {
      cookie: admin,
      body: { name: 'Guarded', callbackUrls: ['https://guarded.example/cb'], isPublic: true, allowedGroupIds: [only.id] },
    });
    const refused = await api(server, 'DELETE', `/api/admin/groups/${only.id}`, { cookie: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('Guarded');

    const clientId = client.body.client.id;
    await api(server, 'PATCH', `/api/admin/clients/${clientId}`, { cookie: admin, body: { allowedGroupIds: [only.id, spare.id] } });
    expect((await api(server, 'DELETE', `/api/admin/groups/${only.id}`, { cookie: admin })).status).toBe(204);
    const after = await api(server, 'GET', `/api/admin/clients/${clientId}`, { cookie: admin });
    expect(after.body.client.allowedGroupIds).toEqual([spare.id]);
  });

  it('drops memberships when a group or a user is deleted', async () => {
    const group = await createGroup('Temporary', 'temporary');
    const eve = await createUser('eve');
    await api(server, 'PUT', `/api/admin/users/${eve.id}/groups`, { cookie: admin, body: { groupIds: [group.id] } });
    await api(server, 'DELETE', `/api/admin/groups/${group.id}`, { cookie: admin });
    expect((await api(server, 'GET', `/api/admin/users/${eve.id}`, { cookie: admin })).body.groups).toEqual([]);

    const keep = await createGroup('Kept', 'kept');
    await api(server, 'PUT', `/api/admin/groups/${keep.id}/members`, { cookie: admin, body: { userIds: [eve.id] } });
    await api(server, 'DELETE', `/api/admin/users/${eve.id}`, { cookie: admin });
    expect((await api(server, 'GET', `/api/admin/groups/${keep.id}`, { cookie: admin })).body.members).toEqual([]);
  });
});
