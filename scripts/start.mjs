#!/usr/bin/env node
// `npm start`: runs Hearth on SQLite under ./data with working defaults, no setup needed.
// Any variable you set yourself (APP_URL, ENCRYPTION_KEY, PORT, ...) wins.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'data');
mkdirSync(dataDir, { recursive: true });

// A real random key, made once and kept beside the database it protects.
const keyFile = join(dataDir, 'encryption-key');
if (!process.env.ENCRYPTION_KEY && !process.env.ENCRYPTION_KEY_FILE) {
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  process.env.ENCRYPTION_KEY = readFileSync(keyFile, 'utf8').trim();
}

const idEnv = {
  ...process.env,
  APP_URL: process.env.APP_URL ?? 'http://localhost:1411',
  DB_CONNECTION_STRING: process.env.DB_CONNECTION_STRING ?? join(dataDir, 'hearth-id.db'),
};

const children = [];
function run(name, script, env) {
  const child = spawn(process.execPath, [join(root, script)], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 200).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('Hearth ID', 'apps/id/bin/hearth-id.js', idEnv);
