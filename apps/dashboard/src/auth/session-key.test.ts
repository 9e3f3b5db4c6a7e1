import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSessionKey, SESSION_KEY_FILE, SessionKeyError } from './session-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-session-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSessionKey', () => {
  it('creates a 32-byte key readable by the owner only, and reads the same key again', async () => {
    const key = await loadSessionKey(dir);
    expect(key).toHaveLength(32);
    expect((await stat(join(dir, SESSION_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await loadSessionKey(dir)).equals(key)).toBe(true);
    expect(await readdir(dir)).toEqual([SESSION_KEY_FILE]);
  });

  it('gives every concurrent caller the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSessionKey(dir)));
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
  });

  it('refuses a file that is not a key instead of signing with it', async () => {
    await writeFile(join(dir, SESSION_KEY_FILE), 'secret\n');
    await expect(loadSessionKey(dir)).rejects.toThrow(SessionKeyError);
    await expect(loadSessionKey(dir)).rejects.toThrow(/is not a session key/);
  });

  it('says what to do when the folder is missing', async () => {
    const missing = join(dir, 'nope');
    await expect(loadSessionKey(missing)).rejects.toThrow(`cannot create the session key ${join(missing, SESSION_KEY_FILE)} (ENOENT)`);
  });
});
