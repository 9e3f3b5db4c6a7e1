// The JSON Schema editors use for completion and inline errors in conf.yml:
//   # yaml-language-server: $schema=https://<dashboard>/conf.schema.json
// Generated from the zod schema, so it cannot drift from what the server accepts.
import { z } from 'zod';
import { dashyConfigSchema } from './schema.js';

export function dashboardJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(dashyConfigSchema, { io: 'input', unrepresentable: 'any', cycles: 'ref' });
  return { ...schema, title: 'Hearth Dashboard conf.yml (Dashy-compatible)' };
}
