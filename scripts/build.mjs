#!/usr/bin/env node
// `npm run build`: builds the two apps at the same time (each is a TypeScript compile and a
// Vite build that share nothing), so a first `npm start` after `npm ci` waits for the slower
// one only. Output is prefixed with the app's name; any failure fails the build.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const workspaces = ['apps/id', 'apps/dashboard'];

function build(workspace) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', 'build', '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
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

const codes = await Promise.all(workspaces.map(build));
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
