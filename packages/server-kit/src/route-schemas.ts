// Neither server declares JSON schemas on its routes (bodies and configuration are checked with
// zod), yet a Fastify instance requires Ajv, ajv-formats and fast-json-stringify when it is
// made, for the schemas a route might declare: code an idle server would keep loaded for
// nothing. These compilers take their place, so those packages are never loaded, and refuse
// a schema plainly should a route ever declare one.
import type { FastifyServerOptions } from 'fastify';

function refuseSchemas(): never {
  throw new Error('Route schemas are not compiled in Hearth: check the input with zod in the handler');
}

/** Fastify's `schemaController` option for servers whose routes declare no schemas. */
export const withoutRouteSchemas = {
  compilersFactory: { buildValidator: () => refuseSchemas, buildSerializer: () => refuseSchemas },
} satisfies FastifyServerOptions['schemaController'];
