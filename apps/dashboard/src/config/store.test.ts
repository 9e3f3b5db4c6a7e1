import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from './store.js';

describe('ConfigStore freshness', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('looks at the disk at most once per freshness window, and at once after changed()', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-store-'));
    await writeFile(join(dir, 'conf.yml'), 'pageInfo:\n  title: One\n');
    const store = await ConfigStore.open(dir, undefined, 60_000);
    await writeFile(join(dir, 'conf.yml'), 'pageInfo:\n  title: Two\n');
    expect((await store.root()).config.pageInfo?.title).toBe('One');
    store.changed();
    expect((await store.root()).config.pageInfo?.title).toBe('Two');
  });
});
