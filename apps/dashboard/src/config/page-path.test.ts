import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalYamlPath, localPageFileName } from './page-path.js';
import { resolveInside } from './resolve-inside.js';

describe('page paths', () => {
  it('accept YAML files in the folder and its sub-folders', () => {
    for (const path of ['conf.yml', 'work.yaml', 'sub/work.yml', 'a/b/c/d/e.yml', 'My_Pages/home-2.yml']) {
      expect(isLocalYamlPath(path), path).toBe(true);
    }
  });

  it('refuse anything that could leave the folder or reach a hidden one', () => {
    const refused = ['../x.yml', 'sub/../x.yml', 'sub/../../x.yml', '/etc/x.yml', 'a//b.yml', '.hidden.yml', '.backups/conf.yml', 'x..yml',
      'a\\b.yml', 'x.txt', 'sub/', '', 'a/b/c/d/e/f.yml', 'conf.yml\0.yml', 'ü.yml', 'sub/ x.yml'];
    for (const path of refused) expect(isLocalYamlPath(path), JSON.stringify(path)).toBe(false);
  });

  it('read a page path as Dashy fetches it, from the web root', () => {
    expect(localPageFileName('work.yml')).toBe('work.yml');
    expect(localPageFileName('/work.yml')).toBe('work.yml');
    expect(localPageFileName('./work.yml')).toBe('work.yml');
    expect(localPageFileName('/assets/config-extras.yml')).toBe('assets/config-extras.yml');
    expect(localPageFileName('//evil.test/x.yml')).toBeNull();
    expect(localPageFileName('https://example.test/x.yml')).toBeNull();
  });
});

describe('resolveInside', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('follows links only as far as the folder goes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-inside-'));
    const data = join(dir, 'data');
    await mkdir(join(data, 'sub'), { recursive: true });
    await writeFile(join(dir, 'outside.yml'), 'secret: 1\n');
    await writeFile(join(data, 'sub', 'page.yml'), 'sections: []\n');
    await symlink(join(dir, 'outside.yml'), join(data, 'escape.yml'));
    await symlink(dir, join(data, 'up'));
    await symlink(join(data, 'sub', 'page.yml'), join(data, 'alias.yml'));

    expect(await resolveInside(data, 'sub/page.yml')).toBe(join(data, 'sub', 'page.yml'));
    expect(await resolveInside(data, 'alias.yml')).toBe(join(data, 'sub', 'page.yml'));
    expect(await resolveInside(data, 'escape.yml')).toBeNull();
    expect(await resolveInside(data, 'up/outside.yml')).toBeNull();
    expect(await resolveInside(data, 'missing.yml')).toBeNull();
  });
});
