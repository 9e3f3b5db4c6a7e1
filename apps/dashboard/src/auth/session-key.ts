// The key that signs built-in users' session cookies. It lives in the user data folder, so
// sessions survive a restart or an upgrade, and a new container on the same volume keeps
// everyone signed in. Deleting the file signs everyone out.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const SESSION_KEY_FILE = '.hearth-session-key';
const KEY_HEX = /^[0-9a-f]{64,}$/i;

export class SessionKeyError extends Error {
  override name = 'SessionKeyError';
}

/** Reads the key, creating it (mode 0600) when it does not exist yet. */
export async function loadSessionKey(userDataDir: string): Promise<Buffer> {
  const file = join(userDataDir, SESSION_KEY_FILE);
  const existing = await readKey(file);
  if (existing) return existing;
  const key = randomBytes(32);
  // Written aside, then linked into place: another process never sees a half-written key.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${key.toString('hex')}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, file);
    return key;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    // Another process on the same folder created it first: use theirs.
    if (code === 'EEXIST') {
      const theirs = await readKey(file);
      if (theirs) return theirs;
    }
    throw new SessionKeyError(
      `cannot create the session key ${file} (${code}): built-in users (appConfig.auth.users) need a writable USER_DATA_DIR, ` +
        `or create the key yourself: openssl rand -hex 32 > ${file} && chmod 600 ${file}`,
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new SessionKeyError(`cannot read the session key ${file} (${code ?? (error as Error).message})`);
  }
  const hex = text.trim();
  if (!KEY_HEX.test(hex) || hex.length % 2 !== 0) {
    throw new SessionKeyError(`${file} is not a session key (expected at least 64 hexadecimal characters); delete it to make a new one, which signs everyone out`);
  }
  return Buffer.from(hex, 'hex');
}
