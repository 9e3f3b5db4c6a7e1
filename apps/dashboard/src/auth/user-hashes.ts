// Password hashes never leave the server, not even to admins: the YAML an admin edits shows
// each `hash:` of appConfig.auth.users as a placeholder, and a save that sends the
// placeholder back gets the hash from the file on disk again. Only the hash values are
// touched, in place, so comments and formatting stay exactly as written.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { nestingProblem } from '../config/nesting.js';
import { formatPath } from '../config/parse.js';
import type { ConfigIssue } from '../config/parse.js';
import type { DashyConfig } from '../config/schema.js';
import type { LoadedConfig } from '../config/store.js';
import type { UserEntryProblem } from './built-in-users.js';

export const HASH_PLACEHOLDER = '********';
// Quoted: a bare `********` would be read as a YAML alias.
const PLACEHOLDER_SOURCE = `'${HASH_PLACEHOLDER}'`;
const MENTIONS_HASH = /\bhash\s*:/;

interface HashSpot {
  index: number;
  user: string | undefined;
  value: unknown;
  start: number;
  end: number;
}

/** Where each user's hash value is written; null when the text is not valid YAML. */
function hashSpots(text: string): HashSpot[] | null {
  if (!MENTIONS_HASH.test(text)) return [];
  // Too deep to parse safely: treated as not YAML, which the save then reports.
  if (nestingProblem(text)) return null;
  const document = parseDocument(text);
  if (document.errors.length > 0) return null;
  const users = document.getIn(['appConfig', 'auth', 'users'], true);
  if (!isSeq(users)) return [];
  const spots: HashSpot[] = [];
  users.items.forEach((entry, index) => {
    if (!isMap(entry)) return;
    const hash = entry.get('hash', true);
    if (!isScalar(hash) || !hash.range || hash.value === null) return;
    const user = entry.get('user');
    spots.push({ index, user: typeof user === 'string' ? user : undefined, value: hash.value, start: hash.range[0], end: hash.range[1] });
  });
  return spots;
}

function splice(text: string, replacements: Array<{ start: number; end: number; source: string }>): string {
  let out = text;
  for (const { start, end, source } of [...replacements].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + source + out.slice(end);
  }
  return out;
}

/** The text with every user's hash replaced by the placeholder. */
export function maskUserHashes(text: string): string {
  const spots = hashSpots(text);
  if (!spots || spots.length === 0) return text;
  return splice(text, spots.map(({ start, end }) => ({ start, end, source: PLACEHOLDER_SOURCE })));
}

const maskedSources = new WeakMap<LoadedConfig, string>();

/** The file as an admin receives it to edit: as written, hashes masked (once per version). */
export function adminSource(file: LoadedConfig): string {
  let masked = maskedSources.get(file);
  if (masked === undefined) {
    masked = maskUserHashes(file.text);
    maskedSources.set(file, masked);
  }
  return masked;
}

/** The parsed config with every user's hash masked, for views that send it as data. */
export function maskUserHashesInConfig(config: DashyConfig): DashyConfig {
  const users = config.appConfig?.auth?.users as unknown;
  if (!config.appConfig?.auth || !Array.isArray(users)) return config;
  const masked = users.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && 'hash' in entry ? { ...entry, hash: HASH_PLACEHOLDER } : entry,
  );
  return { ...config, appConfig: { ...config.appConfig, auth: { ...config.appConfig.auth, users: masked as typeof config.appConfig.auth.users } } };
}

export type RestoreResult = { ok: true; text: string } | { ok: false; errors: ConfigIssue[] };

/**
 * Puts the hashes from `onDisk` back where `incoming` carries the placeholder, matching
 * entries by user name (exactly, else ignoring case). A hash the admin typed is kept. A
 * placeholder with no hash to restore (a new or renamed user) is an error naming the entry.
 */
export function restoreUserHashes(incoming: string, onDisk: string | null): RestoreResult {
  if (!incoming.includes(HASH_PLACEHOLDER)) return { ok: true, text: incoming };
  const spots = hashSpots(incoming);
  // Not YAML: the save reports the syntax error itself.
  if (!spots) return { ok: true, text: incoming };
  const known = (onDisk === null ? [] : (hashSpots(onDisk) ?? [])).filter((spot) => spot.value !== HASH_PLACEHOLDER);
  const replacements: Array<{ start: number; end: number; source: string }> = [];
  const problems: UserEntryProblem[] = [];
  for (const spot of spots) {
    if (spot.value !== HASH_PLACEHOLDER) continue;
    const name = spot.user;
    const match =
      name === undefined
        ? undefined
        : (known.find((candidate) => candidate.user === name) ?? known.find((candidate) => candidate.user?.toLowerCase() === name.toLowerCase()));
    if (!match || onDisk === null) {
      problems.push({
        path: ['appConfig', 'auth', 'users', spot.index, 'hash'],
        message: `${name === undefined ? 'this entry' : `user "${name}"`} has no saved password to keep: replace ${PLACEHOLDER_SOURCE} with the SHA-256 of a password (echo -n 'password' | sha256sum)`,
      });
      continue;
    }
    replacements.push({ start: spot.start, end: spot.end, source: onDisk.slice(match.start, match.end) });
  }
  if (problems.length > 0) return { ok: false, errors: locateProblems(incoming, problems) };
  return { ok: true, text: splice(incoming, replacements) };
}

/** Turns problems with built-in user entries into issues naming the line, like parse errors. */
export function locateProblems(text: string, problems: readonly UserEntryProblem[]): ConfigIssue[] {
  if (nestingProblem(text)) return problems.map((problem) => ({ path: formatPath(problem.path), message: problem.message }));
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  return problems.map((problem) => {
    let offset: number | undefined;
    for (let depth = problem.path.length; depth > 0 && offset === undefined; depth -= 1) {
      const node = document.getIn(problem.path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      offset = node?.range?.[0];
    }
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { path: formatPath(problem.path), ...(position ? { line: position.line, column: position.col } : {}), message: problem.message };
  });
}
