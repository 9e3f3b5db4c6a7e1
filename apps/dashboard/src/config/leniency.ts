// Dashy checks conf.yml against its schema and only warns, then renders what it can. Hearth
// reads the same way: a value that does not fit the schema is left out (or read as text) with
// a warning, so the dashboard still loads and the types downstream still hold. Two kinds of
// problem stay errors, because reading past them could show what the owner meant to hide:
// sign-in settings (appConfig.auth) and visibility rules (displayData).
import type { z } from 'zod';
import { dashyConfigSchema } from './schema.js';
import type { DashyConfig } from './schema.js';

export type Path = Array<string | number>;

export interface RawIssue {
  path: Path;
  message: string;
}

export interface LenientResult {
  /** Absent when an error stops the file from being read. */
  config?: DashyConfig;
  errors: RawIssue[];
  warnings: RawIssue[];
}

type Container = Record<string, unknown> | unknown[];

type Fix =
  | { op: 'delete'; parent: Record<string, unknown>; key: string }
  | { op: 'set'; parent: Container; key: string | number; value: unknown }
  | { op: 'remove'; list: unknown[]; index: number };

type Verdict = { kind: 'error'; message: string } | { kind: 'warning'; message: string; fix: Fix | null };

const VISIBILITY_RULES = new Set(['hideForUsers', 'showForUsers', 'hideForGuests', 'hideForKeycloakUsers', 'showForKeycloakUsers']);
/** Lists whose entries must be mappings; an entry that is not one is left out. */
const ENTRY_LISTS = new Set(['sections', 'items', 'subItems', 'pages', 'navLinks', 'widgets']);
/** Provider blocks that only count while their switch is on. */
const SWITCHED_BLOCKS: Record<string, string> = { oidc: 'enableOidc', keycloak: 'enableKeycloak', headerAuth: 'enableHeaderAuth' };
/** Each round fixes every issue zod reports; a second round only meets what a fix uncovered. */
const MAX_ROUNDS = 4;

export function readLeniently(data: unknown): LenientResult {
  if (!isRecord(data)) {
    return { errors: [{ path: [], message: `expected a mapping of keys (pageInfo, appConfig, sections, ...), found ${describe(data)}` }], warnings: [] };
  }
  const warnings: RawIssue[] = [];
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const result = dashyConfigSchema.safeParse(data);
    if (result.success) return { config: result.data, errors: [], warnings };
    const errors: RawIssue[] = [];
    const fixes: Fix[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      const verdict = judge(data, path, issue);
      if (verdict.kind === 'error') {
        errors.push({ path, message: verdict.message });
      } else {
        warnings.push({ path, message: verdict.message });
        if (verdict.fix) fixes.push(verdict.fix);
      }
    }
    if (errors.length > 0) return { errors, warnings };
    apply(fixes);
  }
  const last = dashyConfigSchema.safeParse(data);
  if (last.success) return { config: last.data, errors: [], warnings };
  return { errors: last.error.issues.map((issue) => ({ path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'), message: issue.message })), warnings };
}

function judge(data: Record<string, unknown>, path: Path, issue: z.core.$ZodIssue): Verdict {
  const value = valueAt(data, path);
  const missing = value === undefined;
  const message = missing && issue.message.startsWith('Invalid input') ? 'required' : issue.message;
  const key = path.at(-1);
  const parent = valueAt(data, path.slice(0, -1)) as Container | undefined;

  const auth = authVerdict(data, path, message, value);
  if (auth) return auth;
  const rules = path.indexOf('displayData');
  // An empty value (`hideForGuests:`) reads as no rule in Dashy too, so it may be left out.
  if (rules !== -1 && value !== null) {
    const rule = path[rules + 1];
    if (rule === undefined) {
      return { kind: 'error', message: `${message}; displayData holds visibility rules, so it must be a mapping` };
    }
    if (typeof rule === 'string' && VISIBILITY_RULES.has(rule)) {
      return { kind: 'error', message: `${message}; a visibility rule that cannot be read could show what it should hide` };
    }
  }
  if (parent === undefined) return { kind: 'warning', message, fix: null };

  // An entry of sections, items, pages ... that is not a mapping: nothing in it can be shown.
  const listName = path.at(-2);
  if (typeof key === 'number' && typeof listName === 'string' && ENTRY_LISTS.has(listName) && Array.isArray(parent)) {
    return { kind: 'warning', message: `${message}; this entry is left out`, fix: { op: 'remove', list: parent, index: key } };
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    if (issue.code === 'invalid_type' && issue.expected === 'string') {
      return { kind: 'warning', message: `${message}; read as "${String(value)}"`, fix: setFix(parent, key, String(value)) };
    }
  }
  // Fields an entry cannot do without: the whole entry goes, except a section, shown unnamed.
  const entry = entryOwning(data, path);
  if (entry && typeof key === 'string' && entry.required.includes(key)) {
    if (entry.list === 'sections') {
      const named = missing ? 'a section needs a name; it is shown without one' : `${message}; the section is shown without a name`;
      return { kind: 'warning', message: named, fix: setFix(parent, key, '') };
    }
    return { kind: 'warning', message: `${message}; this entry is left out`, fix: { op: 'remove', list: entry.array, index: entry.index } };
  }
  if (missing) return { kind: 'warning', message, fix: null };
  return { kind: 'warning', message: `${message}; ignored`, fix: dropFix(parent, key) };
}

/** appConfig.auth decides who sees what: only a provider block that is switched off may be wrong. */
function authVerdict(data: Record<string, unknown>, path: Path, message: string, value: unknown): Verdict | null {
  if (path[0] !== 'appConfig' || path[1] !== 'auth') return null;
  const appConfig = data.appConfig as Record<string, unknown>;
  if (path.length === 2 && value === null) return { kind: 'warning', message: `${message}; ignored`, fix: { op: 'delete', parent: appConfig, key: 'auth' } };
  const block = path[2];
  const auth = appConfig.auth as Record<string, unknown>;
  const flag = typeof block === 'string' ? SWITCHED_BLOCKS[block] : undefined;
  if (flag && auth[flag] !== true && path.length >= 3) {
    return { kind: 'warning', message: `${message}; the ${block} block is ignored while ${flag} is off`, fix: { op: 'delete', parent: auth, key: block as string } };
  }
  return { kind: 'error', message };
}

interface OwningEntry {
  list: string;
  array: unknown[];
  index: number;
  required: string[];
}

const REQUIRED: Record<string, string[]> = {
  sections: ['name'],
  pages: ['name', 'path'],
  navLinks: ['title', 'path'],
  widgets: ['type'],
};

/** The list entry a field belongs to (`sections[2]` for `sections[2].name`). */
function entryOwning(data: Record<string, unknown>, path: Path): OwningEntry | null {
  const index = path.at(-2);
  const list = path.at(-3);
  if (typeof index !== 'number' || typeof list !== 'string' || !REQUIRED[list]) return null;
  const array = valueAt(data, path.slice(0, -2));
  return Array.isArray(array) ? { list, array, index, required: REQUIRED[list] } : null;
}

function setFix(parent: Container, key: string | number | undefined, value: unknown): Fix | null {
  return key === undefined ? null : { op: 'set', parent, key, value };
}

function dropFix(parent: Container, key: string | number | undefined): Fix | null {
  if (key === undefined) return null;
  if (Array.isArray(parent)) return typeof key === 'number' ? { op: 'remove', list: parent, index: key } : null;
  return { op: 'delete', parent, key: String(key) };
}

/**
 * Sets and deletes first, then removals from the back of each list, so that indexes stay
 * right; a list reached twice through a YAML alias loses each entry once.
 */
function apply(fixes: Fix[]): void {
  const removals = new Map<unknown[], Set<number>>();
  for (const fix of fixes) {
    if (fix.op === 'set') (fix.parent as Record<string | number, unknown>)[fix.key] = fix.value;
    else if (fix.op === 'delete') delete fix.parent[fix.key];
    else removals.set(fix.list, (removals.get(fix.list) ?? new Set()).add(fix.index));
  }
  for (const [list, indexes] of removals) {
    for (const index of [...indexes].sort((a, b) => b - a)) list.splice(index, 1);
  }
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing';
  return `a ${typeof value}`;
}
