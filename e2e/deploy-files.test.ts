// The files people deploy with: the compose file, the starter conf.yml, and the seed's own
// compose environment, checked against the same parsers the programs use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../apps/dashboard/src/index.js';
import { loadConfig } from '../apps/id/src/config/config.js';

const root = join(import.meta.dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

function composeCli(): string[] | null {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(candidate[0]!, [...candidate.slice(1), 'version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not installed
    }
  }
  return null;
}

describe('deployment files', () => {
  it('the compose file starts Hearth ID with a configuration that loads', () => {
    const id = compose.services['hearth-id'];
    expect(id.ports).toContain('1411:1411');
    const config = loadConfig(id.environment);
    expect(config.appUrl).toBe('http://localhost:1411');
    expect(config.dashboardUrl).toBe('http://localhost:4000');
    expect(config.db).toEqual({ provider: 'sqlite', connectionString: '/data/hearth-id.db' });
    expect(id.healthcheck.test.join(' ')).toContain('http://127.0.0.1:1411/healthz');
    expect(id.volumes).toContain('./data:/data');
  });

  it('the seed’s Pocket ID environment works unchanged for Hearth ID', () => {
    const config = loadConfig({
      APP_URL: 'http://localhost:1411',
      TRUST_PROXY: 'false',
      DB_PROVIDER: 'sqlite',
      DB_CONNECTION_STRING: '/data/pocket-id.db',
      ENCRYPTION_KEY: 'local-dev-key-32-bytes-padding!!',
    });
    expect(config.port).toBe(1411);
  });

  it('the dashboard shares Hearth ID’s network and keeps its data', () => {
    const dashboard = compose.services.dashboard;
    expect(dashboard.network_mode).toBe('service:hearth-id');
    expect(compose.services['hearth-id'].ports).toContain('4000:4000');
    expect(dashboard.volumes).toContain('./user-data:/app/user-data');
    expect(dashboard.depends_on['hearth-id'].condition).toBe('service_healthy');
  });

  it('the starter conf.yml the dashboard image writes is valid', () => {
    const result = parseConfigText(readFileSync(join(root, 'docker/default-conf.yml'), 'utf8'));
    expect(result.ok).toBe(true);
  });

  it('passes `compose config` where a compose CLI is installed', () => {
    const cli = composeCli();
    if (!cli) return;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-compose-'));
    try {
      // Compose v1 does not know the top-level `name`; v2 does. Check the rest either way.
      const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, cli.length === 1 ? text.replace(/^name: .*$/m, '') : text);
      execFileSync(cli[0]!, [...cli.slice(1), '-f', file, '--project-directory', root, 'config', '-q'], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
