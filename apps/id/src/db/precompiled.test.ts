import { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeSqliteDatabase, nodeSqliteDialect } from './sqlite-dialect.js';
import { precompile, precompiledPerHandle } from './precompiled.js';

interface Db {
  things: { id: string; name: string | null; size: number };
}

describe('precompile', () => {
  const sqlite = new NodeSqliteDatabase(':memory:');
  const db = new Kysely<Db>({ dialect: nodeSqliteDialect(sqlite) });
  afterAll(async () => db.destroy());

  it('runs the query compiled once with the values of each call, in the places they were named', async () => {
    await db.schema.createTable('things').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('name', 'text').addColumn('size', 'integer').execute();
    const insert = precompile(db, ['id', 'name', 'size'], (v) =>
      db.insertInto('things').values({ id: v.id, name: v.name, size: v.size as unknown as number }),
    );
    const find = precompile<'size' | 'name', { id: string }>(db, ['size', 'name'], (v) =>
      db.selectFrom('things').select('id').where('name', '=', v.name).where('size', '>', v.size as unknown as number).orderBy('id'),
    );
    await insert({ id: 'a', name: 'x', size: 1 });
    await insert({ id: 'b', name: 'x', size: 5 });
    await insert({ id: 'c', name: null, size: 9 });
    expect((await find({ name: 'x', size: 0 })).rows).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect((await find({ name: 'x', size: 2 })).rows).toEqual([{ id: 'b' }]);
    expect((await db.selectFrom('things').select('name').where('id', '=', 'c').executeTakeFirst())?.name).toBeNull();
  });

  it('refuses at start a query with a value that is not named, which would be frozen in', () => {
    expect(() => precompile(db, ['id'], (v) => db.selectFrom('things').select('id').where('id', '=', v.id).where('size', '=', 3))).toThrow(
      /precompiled query with a value that is not named/,
    );
  });

  it('compiles a query once per handle, and a transaction reads through its own', async () => {
    let compiled = 0;
    const named = precompiledPerHandle<Kysely<Db>, 'id', { name: string | null }>(['id'], (handle, v) => {
      compiled += 1;
      return handle.selectFrom('things').select('name').where('id', '=', v.id);
    });
    expect((await named(db)({ id: 'a' })).rows).toEqual([{ name: 'x' }]);
    expect(named(db)).toBe(named(db));
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('things').set({ name: 'renamed' }).where('id', '=', 'a').execute();
      expect((await named(trx)({ id: 'a' })).rows).toEqual([{ name: 'renamed' }]);
    });
    expect((await named(db)({ id: 'b' })).rows).toEqual([{ name: 'x' }]);
    expect(compiled).toBe(2);
  });
});
