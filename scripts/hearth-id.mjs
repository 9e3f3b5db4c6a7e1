#!/usr/bin/env node
// `npm run hearth-id -- <command>`: Hearth ID's command line on the data `npm start` uses
// (HEARTH_DATA_DIR or ./data, its database and its generated key), e.g.
//   npm run hearth-id -- one-time-access-token alice
// Variables you set yourself (ENCRYPTION_KEY, DB_PROVIDER, DB_CONNECTION_STRING, APP_URL) win.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyLocalEnv, root } from './local-env.mjs';
import { assertNodeVersion } from './node-version.mjs';

assertNodeVersion();

if (!existsSync(join(root, 'apps/id/dist/program/main.js'))) {
  console.error('hearth-id: Hearth ID is not built yet; run `npm start` (or `npm run build`) first');
  process.exit(1);
}
const { keyFile, hasKeyFile } = applyLocalEnv(process.env);
const askingForHelp = process.argv.slice(2).some((arg) => ['-h', '--help', 'help'].includes(arg));
if (!process.env.ENCRYPTION_KEY && !process.env.ENCRYPTION_KEY_FILE && !hasKeyFile && !askingForHelp) {
  console.error(`hearth-id: no key at ${keyFile}: run \`npm start\` once first (it creates the database and its key), or set ENCRYPTION_KEY and DB_CONNECTION_STRING`);
  process.exit(1);
}
await import('../apps/id/bin/hearth-id.js');
