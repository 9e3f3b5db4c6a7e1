// Saving a config file: check everything first, keep the previous version, then replace the
// file atomically. Nothing is written unless the new content is valid.
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isPlainYamlFileName } from '../config/page-path.js';
import { parseConfigText } from '../config/parse.js';
import type { ConfigIssue } from '../config/parse.js';
import type { DashyConfig } from '../config/schema.js';
import { ROOT_CONFIG_FILE } from '../config/store.js';
import { writeFileAtomic } from './atomic-write.js';
import { SerialQueue } from './serial-queue.js';

export const BACKUP_DIR = '.backups';
export const DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024;

export interface SaverOptions {
  maxBytes?: number;
  /** Backups kept per file; the oldest beyond this are removed. */
  keepBackups?: number;
}

export type SaveResult =
  | { ok: true; fileName: string; backup: string | null; config: DashyConfig }
  | { ok: false; status: 400 | 413 | 500; reason: string; errors?: ConfigIssue[] };

export class ConfigSaver {
  private readonly queue = new SerialQueue();
  readonly maxBytes: number;
  private readonly keepBackups: number;

  constructor(
    readonly userDataDir: string,
    options: SaverOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.keepBackups = options.keepBackups ?? 50;
  }

  async save(text: unknown, fileName: unknown = ROOT_CONFIG_FILE): Promise<SaveResult> {
    if (typeof fileName !== 'string' || !isPlainYamlFileName(fileName)) {
      return { ok: false, status: 400, reason: 'filename must be a plain .yml or .yaml name inside the user data folder' };
    }
    if (typeof text !== 'string') return { ok: false, status: 400, reason: 'config must be a YAML string' };
    if (Buffer.byteLength(text, 'utf8') > this.maxBytes) {
      return { ok: false, status: 413, reason: `config is larger than ${this.maxBytes} bytes` };
    }
    const parsed = parseConfigText(text);
    if (!parsed.ok) return { ok: false, status: 400, reason: 'invalid configuration', errors: parsed.errors };

    return this.queue.run(async (): Promise<SaveResult> => {
      const target = join(this.userDataDir, fileName);
      try {
        const backup = await this.backUp(fileName);
        await writeFileAtomic(target, text);
        return { ok: true, fileName, backup, config: parsed.config };
      } catch (error) {
        // A read-only mount or a full disk: the old file is intact; say what the system said.
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        return { ok: false, status: 500, reason: `cannot write ${fileName} in the user data folder (${code})` };
      }
    });
  }

  /**
   * Keeps the current version under .backups/. A hard link costs nothing and stays valid
   * after the rename replaces the original, because the rename swaps names, not contents.
   */
  private async backUp(fileName: string): Promise<string | null> {
    const dir = join(this.userDataDir, BACKUP_DIR);
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let attempt = 1; attempt < 1000; attempt += 1) {
      const name = `${fileName}.${stamp}${attempt > 1 ? `.${attempt}` : ''}`;
      try {
        await keep(join(this.userDataDir, fileName), join(dir, name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return null;
        if (code === 'EEXIST') continue;
        throw error;
      }
      await this.prune(dir, fileName);
      return `${BACKUP_DIR}/${name}`;
    }
    throw new Error(`cannot find a free backup name for ${fileName}`);
  }

  private async prune(dir: string, fileName: string): Promise<void> {
    const prefix = `${fileName}.`;
    const backups = (await readdir(dir)).filter((name) => name.startsWith(prefix) && /^\d{4}-\d\d-\d\dT/.test(name.slice(prefix.length))).sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - this.keepBackups))) {
      await unlink(join(dir, old)).catch(() => undefined);
    }
  }
}

async function keep(source: string, destination: string): Promise<void> {
  try {
    await link(source, destination);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EEXIST') throw error;
    // File systems without hard links: copy, refusing to overwrite an existing backup.
    await copyFile(source, destination, constants.COPYFILE_EXCL);
  }
}
