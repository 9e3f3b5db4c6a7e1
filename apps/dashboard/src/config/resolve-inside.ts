// The file-system half of the page path rule (page-path.ts is the text half, shared with the
// browser): symbolic links are followed, and must not lead out of USER_DATA_DIR.
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * The real path of `relative` when it exists and, symbolic links followed, is inside `dir`;
 * null when it does not exist or leads out. `relative` must already pass isLocalYamlPath.
 */
export async function resolveInside(dir: string, relative: string): Promise<string | null> {
  try {
    const [root, target] = await Promise.all([realpath(dir), realpath(join(dir, relative))]);
    return target.startsWith(root + sep) ? target : null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
    throw error;
  }
}
