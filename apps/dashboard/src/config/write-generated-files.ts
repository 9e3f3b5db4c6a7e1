// Build step: writes the files generated from the zod schema. Both are committed (editors
// point at conf.schema.json from a checkout; the reference is read on GitHub), and a test
// fails when either is stale.
import { writeFile } from 'node:fs/promises';
import { dashboardJsonSchema } from './json-schema.js';
import { configurationReference } from './reference.js';

await writeFile(new URL('../../conf.schema.json', import.meta.url), `${JSON.stringify(dashboardJsonSchema(), null, 2)}\n`);
await writeFile(new URL('../../../../docs/dashboard-configuration.md', import.meta.url), configurationReference());
