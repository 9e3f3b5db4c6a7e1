// Build step: writes conf.schema.json at the package root (committed, so editors can point at
// it from a checkout), and a test checks that it matches the zod schema.
import { writeFile } from 'node:fs/promises';
import { dashboardJsonSchema } from './json-schema.js';

const target = new URL('../../conf.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(dashboardJsonSchema(), null, 2)}\n`);
