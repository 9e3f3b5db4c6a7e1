// Dashy's built-in users (`appConfig.auth.users`): each a name, the SHA-256 of a password and
// a type. Dashy compares the hash in the browser, where anyone can skip the check; here the
// password travels to the server and is compared there, so the hashes never leave it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { formatPath } from '../config/parse.js';
import type { DashyConfig } from '../config/schema.js';
import type { LoadedConfig } from '../config/store.js';

export type UserType = 'admin' | 'normal';

export interface BuiltInUser {
  /** As written in conf.yml; sign-in compares it case-insensitively, as Dashy does. */
  user: string;
  /** SHA-256 of the password, lower-case hex. */
  hash: string;
  type: UserType;
}

export interface UserEntryProblem {
  /** ['appConfig', 'auth', 'users', 1, 'hash']: where the faulty value is. */
  path: Array<string | number>;
  message: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const HOW_TO_HASH = "echo -n 'password' | sha256sum";

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The raw `users` list of an auth block, whatever shape it has. */
export function rawUserEntries(config: DashyConfig): unknown[] {
  const users = config.appConfig?.auth?.users as unknown;
  return Array.isArray(users) ? users : [];
}

/**
 * Reads the entries, keeping only the sound ones. Every faulty entry is named in `problems`;
 * two entries whose names differ only in case are both dropped, because either could be the
 * one a sign-in meant.
 */
export function readUserEntries(entries: readonly unknown[]): { users: BuiltInUser[]; problems: UserEntryProblem[] } {
  const problems: UserEntryProblem[] = [];
  const candidates: Array<{ index: number; user: BuiltInUser }> = [];
  entries.forEach((entry, index) => {
    const at = (key?: string) => ['appConfig', 'auth', 'users', index, ...(key ? [key] : [])];
    const fields = record(entry);
    if (!fields) {
      problems.push({ path: at(), message: 'expected an entry with user, hash and type' });
      return;
    }
    const { user, hash, type } = fields;
    if (typeof user !== 'string' || user.trim() === '') {
      problems.push({ path: at('user'), message: 'the entry has no user name' });
      return;
    }
    if (hash === undefined || hash === null) {
      const hint = fields.password === undefined ? '' : ' (passwords from VITE_APP_ variables are not read on the server)';
      problems.push({ path: at('hash'), message: `user "${user}" has no hash${hint}: add the SHA-256 of the password (${HOW_TO_HASH})` });
      return;
    }
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
      problems.push({ path: at('hash'), message: `user "${user}": hash must be the SHA-256 of the password, 64 hexadecimal characters (${HOW_TO_HASH})` });
      return;
    }
    if (type !== undefined && type !== 'admin' && type !== 'normal') {
      problems.push({ path: at('type'), message: `user "${user}": type must be "admin" or "normal"` });
      return;
    }
    candidates.push({ index, user: { user, hash: hash.toLowerCase(), type: type === 'admin' ? 'admin' : 'normal' } });
  });
  const counts = new Map<string, number>();
  for (const { user } of candidates) counts.set(user.user.toLowerCase(), (counts.get(user.user.toLowerCase()) ?? 0) + 1);
  const users: BuiltInUser[] = [];
  for (const { index, user } of candidates) {
    if ((counts.get(user.user.toLowerCase()) ?? 0) > 1) {
      problems.push({ path: ['appConfig', 'auth', 'users', index, 'user'], message: `user "${user.user}" is listed more than once (names compare case-insensitively)` });
    } else {
      users.push(user);
    }
  }
  return { users, problems };
}

export function findUser(users: readonly BuiltInUser[], name: string): BuiltInUser | undefined {
  const wanted = name.toLowerCase();
  return users.find((candidate) => candidate.user.toLowerCase() === wanted);
}

// Compared against when the name is unknown, so both cases cost the same.
const NO_SUCH_USER = Buffer.alloc(32);

/** Hashes the password and compares in constant time; false for an unknown user. */
export function passwordMatches(user: BuiltInUser | undefined, password: string): boolean {
  const given = createHash('sha256').update(password, 'utf8').digest();
  const expected = user ? Buffer.from(user.hash, 'hex') : NO_SUCH_USER;
  return timingSafeEqual(given, expected) && user !== undefined;
}

/**
 * The users of conf.yml as it is now: a hand edit or a save that removes a user, or changes
 * a type or password, takes effect on that user's next request without a restart.
 */
export class UserDirectory {
  private readonly cache = new WeakMap<LoadedConfig, BuiltInUser[]>();

  constructor(
    private readonly root: () => Promise<LoadedConfig>,
    private readonly log?: Logger,
  ) {}

  async current(): Promise<BuiltInUser[]> {
    const loaded = await this.root();
    let users = this.cache.get(loaded);
    if (!users) {
      const read = readUserEntries(rawUserEntries(loaded.config));
      for (const problem of read.problems) {
        this.log?.warn({ path: formatPath(problem.path) }, `built-in user ignored: ${problem.message}`);
      }
      users = read.users;
      this.cache.set(loaded, users);
    }
    return users;
  }
}
