// Build step: writes the files generated from the zod schema. Both are committed (editors
// point at conf.schema.json from a checkout; the reference is read on GitHub), and a test
// fails when either is stale. The reference lives in the repository's docs/, which a
// container build does not copy, so it is skipped there.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dashboardJsonSchema } from './json-schema.js';
import { configurationReference } from './reference.js';

await writeFile(new URL('../../conf.schema.json', import.meta.url), `${JSON.stringify(dashboardJsonSchema(), null, 2)}\n`);
const docs = new URL('../../../../docs/', import.meta.url);
if (existsSync(fileURLToPath(docs))) await writeFile(new URL('dashboard-configuration.md', docs), configurationReference());
