// The environment the dashboard reads, parsed once by the CLI. Nothing else reads
// process.env.
import { resolve } from 'node:path';
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const envSchema = z.object({
  USER_DATA_DIR: z.string().min(1).default('user-data'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int('expected a port number').min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: flag.default(false),
  DASHBOARD_ICONS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
});

export interface DashboardEnv {
  userDataDir: string;
  port: number;
  host: string;
  logLevel: string;
  trustProxy: boolean;
  /** Base URL of dashboard-icons for `hl-` icons; unset means the server's default CDN. */
  dashboardIconsUrl?: string;
}

export class EnvError extends Error {
  override name = 'EnvError';
}

export function readDashboardEnv(env: Record<string, string | undefined>, cwd: string): DashboardEnv {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new EnvError(`invalid ${name}=${JSON.stringify(env[name] ?? '')}: ${issue?.message ?? 'invalid value'}`);
  }
  const { USER_DATA_DIR, PORT, HOST, LOG_LEVEL, TRUST_PROXY, DASHBOARD_ICONS_URL } = parsed.data;
  return {
    userDataDir: resolve(cwd, USER_DATA_DIR),
    port: PORT,
    host: HOST,
    logLevel: LOG_LEVEL,
    trustProxy: TRUST_PROXY,
    ...(DASHBOARD_ICONS_URL ? { dashboardIconsUrl: DASHBOARD_ICONS_URL } : {}),
  };
}
