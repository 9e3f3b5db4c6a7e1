import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { inspect } from 'node:util';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../config/config.js';
import { provisioningSchema, type ClientEntry, type GroupEntry, type UserEntry } from './schema.js';
import type { ForwardAuthEntry } from '../forward-auth/provisioning.js';
import { readLogoFile } from './logo-file.js';

/** A provisioning file too large to be a list of groups, users and clients is refused unread. */
const MAX_FILE_BYTES = 1024 * 1024;
const MIN_SECRET_LENGTH = 16;

/**
 * A client secret read from a file or the environment. It prints as [secret] however it is
 * logged or inspected, so a stray log line or error cannot carry it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export interface ProvisioningPlan {
  /** The file it came from, as given. */
  file: string;
  prune: boolean;
  groups: GroupEntry[];
  users: UserEntry[];
  /** `logo`: the bytes of `logoFile`, checked; null to remove the logo. */
  clients: (ClientEntry & { secret?: Secret; logo?: Uint8Array | null })[];
  forwardAuth: ForwardAuthEntry[];
  /**
   * Whether the file has a `forwardAuth:` list at all: prune leaves the rules alone without one,
   * so that a file written before forward auth existed cannot delete the rules made on screen
   * (and with them every way in to the apps they guard).
   */
  listsForwardAuth: boolean;
}

/**
 * What is wrong with a provisioning file: every problem found, each naming the entry and the
 * field. Nothing was changed when it is thrown. Printed as the message alone, like any
 * other startup problem.
 */
export class ProvisioningError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `provisioning file ${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was changed\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}

type PathPart = PropertyKey;

function valueAt(root: unknown, path: readonly PathPart[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

const ENTRY_KEYS: Record<string, string> = { groups: 'friendlyName', users: 'username', clients: 'clientId', forwardAuth: 'host' };

/** `clients[1] "grafana"`: the list, the position and, when it has one, the entry's own name. */
export function entryLabel(list: string, index: number, key?: unknown): string {
  return `${list}[${index}]${typeof key === 'string' && key ? ` "${key}"` : ''}`;
}

function fieldPath(path: readonly PathPart[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
  number: 'a number',
};

function issueWords(issue: z.core.$ZodIssue, raw: unknown, path: readonly PathPart[]): string {
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(raw, path) === undefined) return 'is required';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return issue.message;
  }
}

/** One sentence per issue, naming the entry (by position and name) and the field. */
function describeIssues(error: z.ZodError, raw: unknown): string[] {
  return error.issues.map((issue) => {
    const path = issue.path;
    const words = issueWords(issue, raw, path);
    const [list, index, ...rest] = path;
    if (typeof list === 'string' && list in ENTRY_KEYS && typeof index === 'number') {
      const label = entryLabel(list, index, valueAt(raw, [list, index, ENTRY_KEYS[list]!]));
      return rest.length > 0 ? `${label}: ${fieldPath(rest)} ${words}` : `${label} ${words}`;
    }
    return path.length > 0 ? `${fieldPath(path)} ${words}` : `the file ${words}`;
  });
}

async function readSecret(file: string, client: ClientEntry, index: number, env: NodeJS.ProcessEnv): Promise<Secret | string | undefined> {
  const label = entryLabel('clients', index, client.clientId);
  let value: string;
  let source: string;
  if (client.secretFile !== undefined) {
    const path = resolve(dirname(file), client.secretFile);
    try {
      value = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      return `${label}: secretFile cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    source = `the file ${path}`;
  } else if (client.secretEnv !== undefined) {
    const fromEnv = env[client.secretEnv];
    if (fromEnv === undefined || fromEnv === '') return `${label}: secretEnv names ${client.secretEnv}, which is not set`;
    value = fromEnv;
    source = `the variable ${client.secretEnv}`;
  } else {
    return undefined;
  }
  if (value.length < MIN_SECRET_LENGTH) return `${label}: the secret in ${source} is shorter than ${MIN_SECRET_LENGTH} characters`;
  return new Secret(value);
}

/**
 * Reads, parses and checks a provisioning file and reads the client secrets it names, before
 * anything touches the database. Throws ProvisioningError listing every problem found.
 */
export async function loadProvisioningFile(file: string, env: NodeJS.ProcessEnv): Promise<ProvisioningPlan> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_FILE_BYTES) throw new ProvisioningError(file, [`the file is larger than ${MAX_FILE_BYTES / 1024} KB`]);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ProvisioningError) throw error;
    throw new ProvisioningError(file, [`the file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }

  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ProvisioningError(
      file,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const words = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `${at ? `line ${at.line}, column ${at.col}: ` : ''}${words} (not valid YAML)`;
      }),
    );
  }
  const raw: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = provisioningSchema.safeParse(raw);
  if (!parsed.success) throw new ProvisioningError(file, describeIssues(parsed.error, raw));

  const problems: string[][] = [];
  const clients = await Promise.all(
    (parsed.data.clients ?? []).map(async (client, index) => {
      const secret = await readSecret(file, client, index, env);
      const logo = await readLogoFile(file, client, index);
      // In the file's order, however the reads finish.
      problems[index] = [...(typeof secret === 'string' ? [secret] : []), ...(logo && 'problem' in logo ? [logo.problem] : [])];
      return {
        ...client,
        ...(secret instanceof Secret && { secret }),
        ...((logo === null || logo instanceof Uint8Array) && { logo }),
      };
    }),
  );
  if (problems.flat().length > 0) throw new ProvisioningError(file, problems.flat());
  return {
    file,
    prune: parsed.data.prune ?? false,
    groups: parsed.data.groups ?? [],
    users: parsed.data.users ?? [],
    clients,
    forwardAuth: parsed.data.forwardAuth ?? [],
    listsForwardAuth: parsed.data.forwardAuth !== undefined,
  };
}
