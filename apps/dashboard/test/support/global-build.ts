// Compiles the dashboard once per test run into a private folder, for the tests that must run
// it as a separate process (the CLI, and the save that gets killed). A private folder, not
// dist/, so a test run never races a build.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
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
  const outDir = join(packageDir, '.test-build', `run-${process.pid}`);
  const tsc = join(packageDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false']);
  provide('dashboardBuild', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}
