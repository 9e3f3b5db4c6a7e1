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
  METRICS_PORT: z.coerce.number({ error: 'expected a port number' }).int('expected a port number').min(1, 'expected a port number from 1 to 65535').max(65535, 'expected a port number from 1 to 65535').optional(),
  METRICS_HOST: z.string().min(1).optional(),
});

export interface DashboardEnv {
  userDataDir: string;
  port: number;
  host: string;
  logLevel: string;
  trustProxy: boolean;
  /** Base URL of dashboard-icons for `hl-` icons; unset means the server's default CDN. */
  dashboardIconsUrl?: string;
  /** METRICS_PORT and METRICS_HOST: where /metrics is served, apart from the dashboard; unset when off. */
  metrics?: { port: number; host: string };
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
  const { USER_DATA_DIR, PORT, HOST, LOG_LEVEL, TRUST_PROXY, DASHBOARD_ICONS_URL, METRICS_PORT, METRICS_HOST } = parsed.data;
  // Metrics get a listener of their own, on loopback unless told otherwise: never the dashboard's port.
  if (METRICS_PORT === undefined && METRICS_HOST !== undefined) {
    throw new EnvError('METRICS_HOST is set but METRICS_PORT is not; set METRICS_PORT to serve /metrics, or unset METRICS_HOST');
  }
  if (METRICS_PORT !== undefined && METRICS_PORT === PORT) {
    throw new EnvError(`METRICS_PORT must differ from PORT (both are ${PORT}): metrics get a listener of their own`);
  }
  return {
    userDataDir: resolve(cwd, USER_DATA_DIR),
    port: PORT,
    host: HOST,
    logLevel: LOG_LEVEL,
    trustProxy: TRUST_PROXY,
    ...(DASHBOARD_ICONS_URL ? { dashboardIconsUrl: DASHBOARD_ICONS_URL } : {}),
    ...(METRICS_PORT !== undefined ? { metrics: { port: METRICS_PORT, host: METRICS_HOST ?? '127.0.0.1' } } : {}),
  };
}
