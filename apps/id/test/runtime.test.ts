import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReplica } from './support/replica.js';
import { freePort, TEST_ENCRYPTION_KEY } from './support/server.js';

const rootPackage = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};

function atLeast(version: string, minimum: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = minimum.replace(/^>=\s*/, '').split('.').map(Number);
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

describe('the runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the Node.js that package.json promises, the one the images run', () => {
    expect(rootPackage.engines.node).toMatch(/^>=\s*24\./);
    expect(atLeast(process.versions.node, rootPackage.engines.node), `tests run on ${process.version}`).toBe(true);
  });

  it('runs hearth-id on SQLite, through a passkey sign-up, without a runtime or experimental-feature warning', async () => {
    const replica = await startReplica('runtime', await freePort(), {
      APP_URL: 'http://localhost:1411',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DB_CONNECTION_STRING: join(dir, 'hearth-id.db'),
    });
    const base = `http://127.0.0.1:${replica.port}`;
    const discovery = await fetch(`${base}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    // The first admin's passkey sign-up loads the passkey library and asks it for options.
    const setup = await fetch(`${base}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', email: 'admin@example.com' }),
    });
    expect(setup.status).toBe(201);
    const cookie = setup.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const options = await fetch(`${base}/api/me/passkeys/registration-options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: '{}',
    });
    expect(options.status).toBe(200);
    const { pubKeyCredParams } = (await options.json()) as { pubKeyCredParams: { alg: number }[] };
    expect(pubKeyCredParams.map((param) => param.alg)).toEqual([-8, -7, -257]);
    await replica.stop();
    // Every warning stays visible: none are filtered, so none may be printed.
    expect(replica.output()).not.toMatch(/Warning|Unsupported runtime/);
  });
});
