import type { FastifyInstance } from 'fastify';
import { PROVISIONING_SCHEMA_PATH, provisioningJsonSchema } from './schema.js';

/**
 * The provisioning file's JSON Schema at a stable URL, for editors:
 * `# yaml-language-server: $schema=https://<Hearth ID>/provisioning.schema.json`.
 */
export async function registerProvisioningSchemaRoute(app: FastifyInstance): Promise<void> {
  let body: string | undefined;
  app.get(PROVISIONING_SCHEMA_PATH, async (_request, reply) => {
    body ??= `${JSON.stringify(provisioningJsonSchema(), null, 2)}\n`;
    return reply.type('application/schema+json; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body);
  });
}
