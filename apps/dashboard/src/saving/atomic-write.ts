// Replaces a file so that a reader, or a crash at any instant, sees either the old content
// or the new one in full: write a temporary file in the same folder, flush it to disk,
// rename it over the target (atomic on POSIX), then flush the folder so the rename survives
// a power cut.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

export async function writeFileAtomic(target: string, data: string): Promise<void> {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await stat(target).then((info) => info.mode & 0o777, () => 0o644);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Temporary files left by a process that was killed mid-save; never by this one. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = TEMP_FILE.exec(name);
    if (match && Number(match[1]) !== process.pid) {
      await unlink(join(dir, name)).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
