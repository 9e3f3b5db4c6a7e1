#!/usr/bin/env node
// `npm run build`: builds the two apps at the same time (each is a TypeScript compile and a
// Vite build that share nothing), so a first `npm start` after `npm ci` waits for the slower
// one only. Output is prefixed with the app's name; any failure fails the build.
// `--if-changed` (what `npm start` uses) skips the build when no input changed since the
// last good one (scripts/lib/build-stamp.mjs).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildIsCurrent, currentStamp, recordBuild } from './lib/build-stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv.includes('--if-changed') && buildIsCurrent(root)) {
  console.log('Nothing changed since the last build; not building again.');
  process.exit(0);
}
// Taken before building: a file edited while the build runs makes the next start build again.
const stamp = currentStamp(root);

const workspaces = ['apps/id', 'apps/dashboard'];

function build(workspace) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', 'build', '--workspace', workspace], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => console.log(`[${workspace}] ${line}`));
    }
    child.on('error', (error) => {
      console.error(`[${workspace}] ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// What both servers import is built first; the two apps then build side by side.
const kit = await build('packages/server-kit');
const codes = kit === 0 ? await Promise.all(workspaces.map(build)) : [kit];
const failed = codes.some((code) => code !== 0);
if (!failed) recordBuild(root, stamp);
process.exit(failed ? 1 : 0);
