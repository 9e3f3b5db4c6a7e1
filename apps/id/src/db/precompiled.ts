import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';

/** What of Kysely a precompiled query runs on. */
interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * A query built and compiled by Kysely once, then run with fresh values: for the few queries
 * every token request runs, where building and compiling the same query anew each time was
 * the largest cost after the database itself. `build` receives a stand-in for each named
 * value; every value of the query must be one of them (a constant would be frozen in, so it
 * is refused at start).
 */
export function precompile<Name extends string, Row = unknown>(
  db: Executor,
  names: readonly Name[],
  build: (value: Record<Name, string>) => Compilable<unknown>,
): (values: Record<Name, unknown>) => Promise<QueryResult<Row>> {
  const standIns = Object.fromEntries(names.map((name) => [name, `\u0000precompiled:${name}`])) as Record<Name, string>;
  const byStandIn = new Map<unknown, Name>(names.map((name) => [standIns[name], name]));
  const { sql, parameters } = build(standIns).compile();
  const order = parameters.map((parameter) => {
    const name = byStandIn.get(parameter);
    if (name === undefined) throw new Error(`precompiled query with a value that is not named: ${sql}`);
    return name;
  });
  return (values) => db.executeQuery<Row>(CompiledQuery.raw(sql, order.map((name) => values[name])));
}

/**
 * The same, for a query a domain function runs on whichever handle it is given: compiled on
 * the first run on each handle (a transaction is a handle of its own) and kept with it.
 */
export function precompiledPerHandle<Handle extends Executor, Name extends string, Row = unknown>(
  names: readonly Name[],
  build: (db: Handle, value: Record<Name, string>) => Compilable<unknown>,
): (db: Handle) => (values: Record<Name, unknown>) => Promise<QueryResult<Row>> {
  const compiled = new WeakMap<Handle, (values: Record<Name, unknown>) => Promise<QueryResult<Row>>>();
  return (db) => {
    let query = compiled.get(db);
    if (!query) compiled.set(db, (query = precompile<Name, Row>(db, names, (value) => build(db, value))));
    return query;
  };
}
