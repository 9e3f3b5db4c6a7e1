// Whether the built apps are up to date with their sources: a fingerprint of every input's
// path, size and modification time, kept beside node_modules after a good build. `npm start`
// builds only when it differs, so a second start takes seconds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const INPUTS = ['packages/server-kit', 'apps/id', 'apps/dashboard', 'scripts/build', 'scripts/bundle-program.mjs', 'scripts/lib/program-plugins.mjs', 'package-lock.json', 'tsconfig.base.json'];
const SKIPPED = new Set(['node_modules', 'dist', 'test', 'test-results', 'coverage', '.vite']);
/** Files the build itself writes (the published JSON Schemas): not inputs. */
const GENERATED = /\.schema\.json$/;
/** What a build leaves behind; when one is missing, the build runs whatever the stamp says. */
export const OUTPUTS = [
  'packages/server-kit/dist/index.js',
  'apps/id/dist/program/main.js',
  'apps/id/dist/web/index.html',
  'apps/dashboard/dist/program/main.js',
  'apps/dashboard/dist/web/index.html',
];

function stampFile(root) {
  return join(root, 'node_modules', '.cache', 'hearth', 'build-stamp');
}

/** A hash of the inputs as they are now. */
export function currentStamp(root) {
  const hash = createHash('sha256');
  const visit = (path) => {
    let info;
    try {
      info = statSync(join(root, path));
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const name of readdirSync(join(root, path)).sort()) {
        if (!SKIPPED.has(name) && !GENERATED.test(name)) visit(`${path}/${name}`);
      }
    } else {
      hash.update(`${path}\0${info.size}\0${info.mtimeMs}\n`);
    }
  };
  for (const input of INPUTS) visit(input);
  return hash.digest('hex');
}

/** True when every output exists and the inputs have not changed since the last good build. */
export function buildIsCurrent(root) {
  if (!OUTPUTS.every((output) => existsSync(join(root, output)))) return false;
  try {
    return readFileSync(stampFile(root), 'utf8') === currentStamp(root);
  } catch {
    return false;
  }
}

/** Records the inputs of a build that just succeeded. */
export function recordBuild(root, stamp) {
  const file = stampFile(root);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stamp);
}
