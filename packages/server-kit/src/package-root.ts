// The folder of an app's package.json, found from any module inside it: the same answer from
// the per-module build in dist/ and from the bundled program in dist/program/, whose chunks
// sit at another depth. Files an app serves or reads beside its code (the built web app,
// public/, package.json) are located from here, never by a fixed number of "..".
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(moduleUrl: string, packageName: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === packageName) return dir;
    } catch {
      // No package.json here (or not one we can read): keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${fileURLToPath(moduleUrl)} is not inside the package ${packageName}`);
    dir = parent;
  }
}
