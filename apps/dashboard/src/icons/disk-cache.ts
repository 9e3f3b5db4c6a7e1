// Icons fetched from other hosts, kept on disk so that a restart (or a homelab without
// internet after the first fetch) still has them. One file per icon, named by a hash of
// what was asked for, with its content type in a small JSON file beside it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedIcon {
  body: Buffer;
  contentType: string;
  /** Milliseconds since the epoch. */
  fetchedAt: number;
}

interface Meta {
  contentType: string;
  fetchedAt: number;
  source: string;
}

export class IconDiskCache {
  constructor(readonly dir: string) {}

  private paths(kind: string, key: string): { body: string; meta: string } {
    const name = createHash('sha256').update(`${kind}\n${key}`).digest('hex');
    const folder = join(this.dir, kind);
    return { body: join(folder, `${name}.bin`), meta: join(folder, `${name}.json`) };
  }

  /** Null when nothing is stored, or what is stored is unreadable. */
  async get(kind: string, key: string): Promise<CachedIcon | null> {
    const paths = this.paths(kind, key);
    try {
      const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as Meta;
      const body = await readFile(paths.body);
      if (typeof meta.contentType !== 'string' || typeof meta.fetchedAt !== 'number') return null;
      return { body, contentType: meta.contentType, fetchedAt: meta.fetchedAt };
    } catch {
      return null;
    }
  }

  /**
   * Writes the body first and the meta file last, each by rename, so a reader never sees
   * a meta file without its whole body.
   */
  async put(kind: string, key: string, icon: CachedIcon): Promise<void> {
    const paths = this.paths(kind, key);
    await mkdir(join(this.dir, kind), { recursive: true });
    const meta: Meta = { contentType: icon.contentType, fetchedAt: icon.fetchedAt, source: key };
    await writeAtomically(paths.body, icon.body);
    await writeAtomically(paths.meta, JSON.stringify(meta));
  }
}

async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
