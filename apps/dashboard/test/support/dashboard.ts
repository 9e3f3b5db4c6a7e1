// Starts the dashboard (the exported startDashboard) on a fresh temporary folder, with its
// log lines captured so tests can check what the server said and why.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startDashboard } from '../../src/index.js';
import type { RunningDashboard, StartDashboardOptions } from '../../src/index.js';

export interface TestDashboard extends RunningDashboard {
  logs: Array<Record<string, unknown>>;
  get(path: string, token?: string): Promise<Response>;
  save(body: unknown, token?: string): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestDashboardOptions extends Partial<StartDashboardOptions> {
  /** Extra files (sub-pages) to write next to conf.yml. */
  files?: Record<string, string>;
}

export async function startTestDashboard(options: TestDashboardOptions): Promise<TestDashboard> {
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'hearth-dashboard-')));
  for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(userDataDir, name), text);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const running = await startDashboard({ providerRetryAfterMs: 200, logger, ...options, userDataDir });
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    ...running,
    logs,
    get: (path, token) => fetch(`${running.url}${path}`, { headers: auth(token) }),
    save: (body, token) =>
      fetch(`${running.url}/config-manager/save`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(token) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await running.close();
      if (!options.userDataDir) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
