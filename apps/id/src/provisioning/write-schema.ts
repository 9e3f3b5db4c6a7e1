// Build step: writes provisioning.schema.json from the zod schema. It is committed, so an
// editor can point at it in a checkout; Hearth ID serves the same at /provisioning.schema.json,
// and a test fails when the committed copy is stale.
import { writeFile } from 'node:fs/promises';
import { provisioningJsonSchema } from './schema.js';

await writeFile(new URL('../../provisioning.schema.json', import.meta.url), `${JSON.stringify(provisioningJsonSchema(), null, 2)}\n`);
