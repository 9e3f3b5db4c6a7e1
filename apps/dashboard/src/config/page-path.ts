// One rule for "a YAML file inside USER_DATA_DIR": used by the schema (pages), by the YAML
// routes and by saving, so a path accepted in one place is accepted in all. The rule works on
// the text alone, so the browser's editor checks paths with it too; resolve-inside.ts then
// makes sure symbolic links do not lead out of the folder.

/** Folders a page file may sit in below USER_DATA_DIR (`a/b/c/d/page.yml`). */
export const MAX_PAGE_FOLDERS = 4;

// No leading dot: no `..`, no hidden files, and nothing under `.backups/`.
const segment = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const yamlName = /\.ya?ml$/;

/**
 * `work.yml`, `sub/work.yaml` → true; `../x.yml`, `/x.yml`, `a//b.yml`, `.hidden.yml`,
 * `x..yml`, `a\b.yml`, `x.txt` → false. Relative to USER_DATA_DIR, without a leading slash.
 */
export function isLocalYamlPath(path: string): boolean {
  const segments = path.split('/');
  if (segments.length > MAX_PAGE_FOLDERS + 1 || path.includes('..')) return false;
  return segments.every((part) => segment.test(part)) && yamlName.test(path);
}

/**
 * The file a page `path` names inside USER_DATA_DIR, or null for anything else. Dashy fetches
 * a page path from the web root, so `work.yml`, `/work.yml` and `./work.yml` are the same file,
 * and `/sub/work.yml` is `sub/work.yml`.
 */
export function localPageFileName(path: string): string | null {
  const name = path.replace(/^\.?\//, '');
  return isLocalYamlPath(name) ? name : null;
}

export function isLocalPagePath(path: string): boolean {
  return localPageFileName(path) !== null;
}
