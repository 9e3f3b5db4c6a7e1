// One rule for "a file that lives directly in USER_DATA_DIR": used by the schema (pages),
// by the YAML routes and by saving, so a name accepted in one place is accepted in all.
const plainYamlName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/;

/** `work.yml` → true; `../x.yml`, `a/b.yml`, `.hidden.yml`, `x.txt` → false. */
export function isPlainYamlFileName(name: string): boolean {
  return plainYamlName.test(name) && !name.includes('..');
}

/** Dashy lets a page path be written `work.yml` or `/work.yml`. */
export function localPageFileName(path: string): string | null {
  const name = path.startsWith('/') ? path.slice(1) : path;
  return isPlainYamlFileName(name) ? name : null;
}

export function isLocalPagePath(path: string): boolean {
  return localPageFileName(path) !== null;
}
