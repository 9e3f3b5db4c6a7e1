// Compiles the dashboard once per test run into a private temporary folder, for the tests
// that must run it as a separate process (the CLI, and the save that gets killed). Not
// dist/, so a test run never races a build; outside the repository, so an interrupted run
// leaves nothing for lint or git to trip over. A node_modules link next to it lets the
// compiled files resolve their dependencies.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder with the compiled src/ (cli.js, main.js, saving/save.js, ...). */
    dashboardBuild: string;
  }
}

export default async function compileOnce({ provide }: TestProject): Promise<() => Promise<void>> {
  const packageDir = fileURLToPath(new URL('../..', import.meta.url));
  const repoModules = join(packageDir, '..', '..', 'node_modules');
  const root = await mkdtemp(join(tmpdir(), 'hearth-dashboard-build-'));
  await symlink(repoModules, join(root, 'node_modules'), 'dir');
  // `hearth-dashboard --version` reads the package.json beside its compiled folder.
  await symlink(join(packageDir, 'package.json'), join(root, 'package.json'), 'file');
  const outDir = join(root, 'dist');
  const tsc = join(repoModules, 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false']);
  provide('dashboardBuild', outDir);
  return () => rm(root, { recursive: true, force: true });
}
