// Starts a dashboard on a folder, listening on a free port: one call for tests (here and in
// e2e/) and for embedding. Writes conf.yml first when `config` is given.
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { DashyConfig } from './config/schema.js';
import { ROOT_CONFIG_FILE } from './config/store.js';
import { createDashboardServer } from './server.js';
import type { DashboardServerOptions } from './server.js';

export interface StartDashboardOptions extends DashboardServerOptions {
  /** conf.yml to write before starting: YAML text or an object. Omit to use the folder as is. */
  config?: string | DashyConfig;
  port?: number;
  host?: string;
}

export interface RunningDashboard {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  userDataDir: string;
  close(): Promise<void>;
}

export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const { config, port = 0, host = '127.0.0.1', ...serverOptions } = options;
  if (config !== undefined) {
    await mkdir(options.userDataDir, { recursive: true });
    const text = typeof config === 'string' ? config : stringify(config);
    await writeFile(`${options.userDataDir}/${ROOT_CONFIG_FILE}`, text);
  }
  const app = await createDashboardServer(serverOptions);
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, url: `http://${shownHost}:${address.port}`, userDataDir: options.userDataDir, close: () => app.close() };
}
