// Saving a config file: check everything first, keep the previous version, then replace the
// file atomically. Nothing is written unless the new content is valid.
//
// Reading is lenient (Dashy's schema only warns), saving is strict about what is new: a save
// is refused when the text has errors, or warnings that the file on disk does not already
// have. An admin can save a file they brought from Dashy without fixing every old warning
// first, but cannot add a new problem.
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, realpath, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { isLocalYamlPath } from '../config/page-path.js';
import { resolveInside } from '../config/resolve-inside.js';
import { parseConfigText } from '../config/parse.js';
import type { ConfigIssue } from '../config/parse.js';
import type { DashyConfig } from '../config/schema.js';
import { ROOT_CONFIG_FILE } from '../config/store.js';
import { writeFileAtomic } from './atomic-write.js';
import { SerialQueue } from './serial-queue.js';

export const BACKUP_DIR = '.backups';
const FILE_NAME_RULE = 'filename must be a .yml or .yaml file inside the user data folder (sub-folders allowed; no "..", no names starting with a dot)';
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
    if (typeof fileName !== 'string' || !isLocalYamlPath(fileName)) {
      return { ok: false, status: 400, reason: FILE_NAME_RULE };
    }
    if (typeof text !== 'string') return { ok: false, status: 400, reason: 'config must be a YAML string' };
    if (Buffer.byteLength(text, 'utf8') > this.maxBytes) {
      return { ok: false, status: 413, reason: `config is larger than ${this.maxBytes} bytes` };
    }
    if (!(await this.staysInside(fileName))) {
      return { ok: false, status: 400, reason: `${FILE_NAME_RULE}: ${fileName} is not in a folder inside it` };
    }
    const parsed = parseConfigText(text);
    if (!parsed.ok) {
      // Every problem at once, so the editor can show them all; the file on disk is not raced here.
      const added = newWarnings(parsed.warnings, await this.warningsOnDisk(fileName));
      return { ok: false, status: 400, reason: 'invalid configuration', errors: [...parsed.errors, ...added] };
    }

    return this.queue.run(async (): Promise<SaveResult> => {
      // Compared with the file as it is now, inside the queue: the save before this one counts.
      const added = newWarnings(parsed.warnings, await this.warningsOnDisk(fileName));
      if (added.length > 0) return { ok: false, status: 400, reason: 'invalid configuration', errors: added };
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
   * The folder the file goes into exists and, symbolic links followed, is inside
   * USER_DATA_DIR; so is the file, when it is a link that exists.
   */
  private async staysInside(fileName: string): Promise<boolean> {
    const folder = dirname(fileName);
    try {
      const root = await realpath(this.userDataDir);
      if (folder !== '.' && !(await realpath(join(this.userDataDir, folder))).startsWith(root + sep)) return false;
      const existing = await lstat(join(this.userDataDir, fileName)).catch(() => null);
      return existing === null || (await resolveInside(this.userDataDir, fileName)) !== null;
    } catch {
      return false;
    }
  }

  /** Warnings of the saved file; none when it is new or does not parse (then every warning is new). */
  private async warningsOnDisk(fileName: string): Promise<ConfigIssue[]> {
    const path = await resolveInside(this.userDataDir, fileName).catch(() => null);
    const text = path === null ? null : await readFile(path, 'utf8').catch(() => null);
    return text === null ? [] : parseConfigText(text).warnings;
  }

  /**
   * Keeps the current version under .backups/. A hard link costs nothing and stays valid
   * after the rename replaces the original, because the rename swaps names, not contents.
   */
  private async backUp(fileName: string): Promise<string | null> {
    // A page in a sub-folder keeps its backups in the same sub-folder of .backups/.
    const folder = dirname(fileName);
    const baseName = fileName.slice(folder === '.' ? 0 : folder.length + 1);
    const dir = join(this.userDataDir, BACKUP_DIR, folder);
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let attempt = 1; attempt < 1000; attempt += 1) {
      const name = `${baseName}.${stamp}${attempt > 1 ? `.${attempt}` : ''}`;
      try {
        await keep(join(this.userDataDir, fileName), join(dir, name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return null;
        if (code === 'EEXIST') continue;
        throw error;
      }
      await this.prune(dir, baseName);
      return [BACKUP_DIR, ...(folder === '.' ? [] : [folder]), name].join('/');
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

/** Warnings of `next` that `before` does not have; the same path and message count as the same. */
export function newWarnings(next: readonly ConfigIssue[], before: readonly ConfigIssue[]): ConfigIssue[] {
  const known = new Map<string, number>();
  const key = (issue: ConfigIssue) => `${issue.path}\n${issue.message}`;
  for (const issue of before) known.set(key(issue), (known.get(key(issue)) ?? 0) + 1);
  return next.filter((issue) => {
    const left = known.get(key(issue)) ?? 0;
    if (left > 0) known.set(key(issue), left - 1);
    return left === 0;
  });
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
