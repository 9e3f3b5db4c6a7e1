// docs/dashboard-configuration.md, generated from the JSON Schema so the reference lists
// exactly the keys the server checks.
import { dashboardJsonSchema } from './json-schema.js';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  $ref?: string;
}

const refName = (ref: string) => ref.replace('#/$defs/', '');

function typeOf(schema: JsonSchema): string {
  if (schema.$ref) return `[${refName(schema.$ref)}](#${refName(schema.$ref).toLowerCase()})`;
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(', ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array') return `list of ${typeOf(schema.items ?? {})}`;
  return schema.type ?? 'any';
}

/** One row per key; shared shapes ($defs) are linked, not repeated. */
function rows(schema: JsonSchema, path: string): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    const required = schema.required?.includes(key) ? ' (required)' : '';
    out.push(`| \`${childPath}\` | ${typeOf(child)}${required} | ${child.description ?? ''} |`);
    const element = child.type === 'array' ? child.items : child;
    if (element?.properties) out.push(...rows(element, child.type === 'array' ? `${childPath}[]` : childPath));
  }
  return out;
}

const TABLE_HEAD = ['| key | type | meaning |', '|---|---|---|'];

export function configurationReference(): string {
  const schema = dashboardJsonSchema() as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const shared = Object.entries(schema.$defs ?? {}).flatMap(([name, def]) => ['', `## ${name}`, '', ...TABLE_HEAD, ...rows(def, '')]);
  return [
    '# Hearth Dashboard configuration reference',
    '',
    '<!-- Generated from apps/dashboard/src/config/schema.ts by `npm run build --workspace apps/dashboard`; do not edit. -->',
    '',
    "The keys of `conf.yml` that the dashboard checks. The format is Dashy's: keys not listed",
    'here are allowed and kept as written. `[]` marks a list. As in Dashy, a value that does not',
    'fit is only warned about (and left out of what is served); sign-in settings and visibility',
    'rules must fit. How the server uses them: [dashboard-server.md](dashboard-server.md).',
    '',
    '## conf.yml',
    '',
    ...TABLE_HEAD,
    ...rows(schema, ''),
    ...shared,
    '',
  ].join('\n');
}
