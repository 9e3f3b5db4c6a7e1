// Pages in sub-folders of USER_DATA_DIR (`path: /assets/extras.yml`) are served at their
// path; nothing outside the folder, or in a hidden folder, is ever served, however the path
// is spelled. Raw HTTP requests, so that `..` reaches the server as written.
import http from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

const SECRET = 'outside-secret-7f3a';

let root: string;
let dashboard: TestDashboard;

function rawGet(path: string, accept = '*/*'): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path, method: 'GET', headers: { accept } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hearth-sub-pages-'));
  const data = join(root, 'data');
  await mkdir(join(data, 'assets'), { recursive: true });
  await mkdir(join(data, 'a', 'b', 'c', 'd', 'e'), { recursive: true });
  await mkdir(join(data, '.backups'));
  await writeFile(join(root, 'outside.yml'), `sections:\n  - name: ${SECRET}\n`);
  await writeFile(join(data, 'assets', 'extras.yml'), 'sections:\n  - name: Extras\n');
  await writeFile(join(data, 'a', 'b', 'c', 'd', 'deep.yml'), 'sections:\n  - name: Deep\n');
  await writeFile(join(data, 'a', 'b', 'c', 'd', 'e', 'too-deep.yml'), 'sections:\n  - name: Too deep\n');
  await writeFile(join(data, '.backups', 'conf.yml.2026-01-01T00-00-00-000Z'), `sections:\n  - name: ${SECRET}\n`);
  await writeFile(join(data, '.hidden.yml'), `sections:\n  - name: ${SECRET}\n`);
  await symlink(join(root, 'outside.yml'), join(data, 'escape.yml'));
  await symlink(root, join(data, 'up'));
  dashboard = await startTestDashboard({
    userDataDir: data,
    config: 'pages:\n  - name: Extras\n    path: /assets/extras.yml\n  - name: Deep\n    path: a/b/c/d/deep.yml\nsections: []\n',
  });
});

afterAll(async () => {
  await dashboard?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('pages in sub-folders', () => {
  it('are served at their path, as YAML and as JSON', async () => {
    expect(await rawGet('/assets/extras.yml')).toEqual({ status: 200, body: 'sections:\n  - name: Extras\n' });
    expect(await rawGet('/a/b/c/d/deep.yml')).toEqual({ status: 200, body: 'sections:\n  - name: Deep\n' });
    const json = await rawGet('/assets/extras.yml', 'application/json');
    expect(JSON.parse(json.body)).toMatchObject({ kind: 'source', config: { sections: [{ name: 'Extras' }] } });
    // Percent-encoded names are read decoded, and still checked; an encoded slash is no folder.
    expect((await rawGet('/assets/%65xtras.yml')).status).toBe(200);
    expect((await rawGet('/assets%2Fextras.yml')).status).toBe(404);
  });

  it('stop at four folders', async () => {
    expect((await rawGet('/a/b/c/d/e/too-deep.yml')).status).toBe(404);
  });

  it('never serve a file outside the folder or in a hidden one, however the path is written', async () => {
    const attempts = [
      '/../outside.yml',
      '/assets/../../outside.yml',
      '/%2e%2e/outside.yml',
      '/assets/%2e%2e/%2e%2e/outside.yml',
      '/..%2Foutside.yml',
      '/assets%2F..%2F..%2Foutside.yml',
      '/%2E%2E%2Foutside.yml',
      '/up/outside.yml',
      '/escape.yml',
      '/.hidden.yml',
      '/.backups/conf.yml.2026-01-01T00-00-00-000Z',
      '/assets/..%5C..%5Coutside.yml',
      '/assets/extras.yml%00.yml',
      `/${'%2e%2e%2f'.repeat(6)}etc%2fpasswd.yml`,
    ];
    for (const path of attempts) {
      for (const accept of ['*/*', 'application/json']) {
        const answer = await rawGet(path, accept);
        expect([400, 404], `${path} answered ${answer.status}`).toContain(answer.status);
        expect(answer.body, path).not.toContain(SECRET);
      }
    }
  });
});
