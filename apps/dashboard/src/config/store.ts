// Holds the root conf.yml in memory and notices when it changes on disk (a save, or a
// hand edit), so sections and items are always fresh without a restart. Sub-pages are small
// and rarely read, so they are read from disk on every request.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isLocalYamlPath } from './page-path.js';
import { resolveInside } from './resolve-inside.js';
import { describeIssues, parseConfigText } from './parse.js';
import { watchFile } from './watch-file.js';
import type { FileWatch } from './watch-file.js';
import type { ConfigIssue } from './parse.js';
import type { DashyConfig } from './schema.js';

export const ROOT_CONFIG_FILE = 'conf.yml';

export interface LoadedConfig {
  /** Relative to USER_DATA_DIR: `conf.yml`, `work.yml`, `sub/work.yml`. */
  fileName: string;
  /** The file as written, comments included: what an admin edits. */
  text: string;
  /** What the dashboard serves: values that only earned a warning are left out. */
  config: DashyConfig;
  /** What Dashy would warn about in this file, with lines. */
  warnings: ConfigIssue[];
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates one file; null when it does not exist, or when its name or a symbolic
 * link on the way would lead out of `dir`.
 */
export async function readConfigFile(dir: string, fileName: string): Promise<LoadedConfig | null> {
  if (!isLocalYamlPath(fileName)) return null;
  const file = join(dir, fileName);
  let text: string;
  try {
    const real = await resolveInside(dir, fileName);
    if (real === null) return null;
    text = await readFile(real, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  const parsed = parseConfigText(text);
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${describeIssues(file, parsed.errors)}`, file, parsed.errors);
  return { fileName, text, config: parsed.config, warnings: parsed.warnings };
}

interface Snapshot {
  loaded: LoadedConfig;
  signature: string;
}

/**
 * How long a look at the file on disk stays good. Every request needs the config, and a
 * `stat` per request was the largest cost of serving it. A save through the dashboard shows at
 * once (the save route calls `changed()`), and so does a hand edit when the store watches the
 * file; without events from the file system, a hand edit shows within this time.
 */
export const DEFAULT_FRESHNESS_MS = 1000;

export interface ConfigStoreOptions {
  /** Watch conf.yml for changes on disk, so that a hand edit shows on the next request. */
  watch?: boolean;
}

export class ConfigStore {
  private current: Snapshot;
  private checkedAt = Date.now();
  /** Changes announced (a save, a file system event) and the ones the last look began after. */
  private announced = 0;
  private seen = 0;
  /** The look at the disk under way; requests wait for it rather than each taking their own. */
  private look: { upTo: number; done: Promise<void> } | null = null;
  private watch: FileWatch | null = null;

  private constructor(
    readonly userDataDir: string,
    first: Snapshot,
    private readonly log?: Logger,
    private readonly freshnessMs = DEFAULT_FRESHNESS_MS,
  ) {
    this.current = first;
  }

  /** Loads conf.yml once; a missing or invalid file is an error the CLI reports before listening. */
  static async open(userDataDir: string, log?: Logger, freshnessMs?: number, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const file = join(userDataDir, ROOT_CONFIG_FILE);
    const signature = await signatureOf(file);
    const loaded = await readConfigFile(userDataDir, ROOT_CONFIG_FILE);
    if (!loaded || signature === null) {
      throw new ConfigError(`cannot read ${file}: file not found (create it, or set USER_DATA_DIR)`, file);
    }
    const store = new ConfigStore(userDataDir, { loaded, signature }, log, freshnessMs);
    store.reportWarnings(loaded);
    if (options.watch) store.watch = watchFile(userDataDir, ROOT_CONFIG_FILE, () => store.changed());
    return store;
  }

  /**
   * The root config when it needs no look at the disk (no change announced, the last look
   * recent enough): what root() would give without waiting. Undefined otherwise.
   */
  rootIfFresh(): LoadedConfig | undefined {
    return this.seen === this.announced && Date.now() - this.checkedAt < this.freshnessMs ? this.current.loaded : undefined;
  }

  /**
   * The root config as it is on disk now. A hand edit that breaks the file does not take the
   * dashboard down: the last valid version keeps being served and the problem is logged.
   */
  async root(): Promise<LoadedConfig> {
    const fresh = this.rootIfFresh();
    if (fresh) return fresh;
    const wanted = this.announced;
    // A look that began before the latest change may have missed it: wait, then look again.
    while (this.look && this.look.upTo < wanted) await this.look.done;
    if (!this.look) {
      const look = { upTo: this.announced, done: this.lookAtDisk() };
      look.done = look.done.finally(() => {
        if (this.look === look) this.look = null;
      });
      this.look = look;
    }
    await this.look.done;
    return this.current.loaded;
  }

  private async lookAtDisk(): Promise<void> {
    // After an announced change the text decides, not the stat: two writes within one tick of
    // the file system's clock can leave the same size and time.
    const announced = this.seen !== this.announced;
    this.seen = this.announced;
    this.checkedAt = Date.now();
    const file = join(this.userDataDir, ROOT_CONFIG_FILE);
    const signature = await signatureOf(file);
    if (signature === null || (!announced && signature === this.current.signature)) return;
    try {
      const loaded = await readConfigFile(this.userDataDir, ROOT_CONFIG_FILE);
      if (!loaded) return;
      // The same text keeps the same version, and with it every view rendered from it.
      if (loaded.text === this.current.loaded.text) {
        this.current = { ...this.current, signature };
        return;
      }
      this.current = { loaded, signature };
      this.reportWarnings(loaded);
    } catch (error) {
      this.log?.warn({ file }, `keeping the last valid configuration: ${(error as Error).message}`);
      this.current = { ...this.current, signature };
    }
  }

  /** The file changed (a save by this process, or an event from the file system): look at the disk on the next read. */
  changed(): void {
    this.announced += 1;
  }

  /** Stops watching the file. */
  close(): void {
    this.watch?.close();
    this.watch = null;
  }

  /**
   * A sub-page (or conf.yml itself) read fresh; null when the file does not exist or is not
   * inside USER_DATA_DIR.
   */
  async file(fileName: string): Promise<LoadedConfig | null> {
    if (fileName === ROOT_CONFIG_FILE) return this.root();
    const loaded = await readConfigFile(this.userDataDir, fileName);
    if (loaded) this.reportWarnings(loaded);
    return loaded;
  }

  /** Files already reported, by content: a sub-page read on every request is reported once per version. */
  private readonly reported = new Map<string, string>();

  /** Logs what Dashy would warn about, once per version of each file. */
  private reportWarnings(loaded: LoadedConfig): void {
    const version = createHash('sha256').update(loaded.text).digest('base64url');
    if (this.reported.get(loaded.fileName) === version) return;
    // Bounded: names come from the folder, but a folder can hold many files.
    if (this.reported.size >= 1000) this.reported.clear();
    this.reported.set(loaded.fileName, version);
    if (loaded.warnings.length === 0) return;
    const file = join(this.userDataDir, loaded.fileName);
    this.log?.warn(
      { file, warnings: loaded.warnings },
      `${loaded.fileName}: ${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'} (served anyway, as Dashy does): ${describeIssues(loaded.fileName, loaded.warnings)}`,
    );
  }
}

async function signatureOf(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return null;
  }
}
