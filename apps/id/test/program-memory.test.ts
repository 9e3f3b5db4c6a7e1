// The bundled program (scripts/bundle-program.mjs) loads at start only what serving needs,
// and the parts the bundle changes or defers work when they are first used.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { englishList } from '../../../scripts/lib/program-plugins.mjs';
import { startReplica } from './support/replica.js';
import { freePort, TEST_ENCRYPTION_KEY } from './support/server.js';

describe('englishList', () => {
  it('writes a list as Intl.ListFormat(\'en\') does', () => {
    for (const items of [[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ["'x'", "'y'", "'z'", "'w'"]]) {
      expect(englishList(items, 'and')).toBe(new Intl.ListFormat('en', { type: 'conjunction' }).format(items));
      expect(englishList(items, 'or')).toBe(new Intl.ListFormat('en', { type: 'disjunction' }).format(items));
    }
  });
});

describe('hearth-id as bundled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-program-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, and answers the provider\'s first request, without undici, HTTP/2, TLS or Web Crypto', { timeout: 120_000 }, async () => {
    // Prints, at exit, the built-in modules the process loaded.
    const hook = join(dir, 'record-builtins.mjs');
    writeFileSync(hook, `process.on('exit', () => process.stdout.write('\\nBUILTINS ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n`);
    const replica = await startReplica('program', await freePort(), {
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DB_CONNECTION_STRING: join(dir, 'hearth-id.db'),
      NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`,
    });
    const discovery = await fetch(`http://127.0.0.1:${replica.port}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    await replica.stop();
    const line = replica.output().split('\n').find((text) => text.startsWith('BUILTINS '));
    const loaded = JSON.parse(line!.slice('BUILTINS '.length)) as string[];
    expect(loaded).toContain('NativeModule http');
    for (const absent of ['NativeModule internal/deps/undici/undici', 'NativeModule http2', 'NativeModule tls', 'NativeModule internal/crypto/webcrypto']) {
      expect(loaded, absent).not.toContain(absent);
    }
  });

  it('keeps its compiled code in Node.js\'s compile cache, in the temporary folder, for the next start', { timeout: 120_000 }, async () => {
    const temporary = join(dir, 'tmp');
    mkdirSync(temporary);
    const replica = await startReplica('cache', await freePort(), {
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DB_CONNECTION_STRING: join(dir, 'cache.db'),
      TMPDIR: temporary,
    });
    await replica.stop();
    const cached = readdirSync(join(temporary, 'node-compile-cache'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(cached.length).toBeGreaterThan(0);
  });

  it('names the missing and repeated parameters in the provider\'s errors', { timeout: 120_000 }, async () => {
    const replica = await startReplica('lists', await freePort(), {
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DB_CONNECTION_STRING: join(dir, 'lists.db'),
    });
    try {
      // Two parameters given twice: the provider's message lists them with englishList.
      const response = await fetch(`http://127.0.0.1:${replica.port}/authorize?client_id=a&client_id=b&scope=openid&scope=email&response_type=code`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('&#39;client_id&#39; and &#39;scope&#39; parameters must not be provided twice');
    } finally {
      await replica.stop();
    }
  });
});
