// What a signed-out browser needs to start a sign-in, and not one byte more.
import type { DashyAuth, DashyConfig } from '../config/schema.js';
import type { AuthSettings } from './settings.js';

const DEFAULT_TITLE = 'Hearth Dashboard';
const SECRET_KEY = /secret|password|hash/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, inner]) => [key, withoutSecrets(inner)]),
  );
}

/**
 * The auth block as a browser may see it: Dashy's basic-auth `users` list (password hashes)
 * and anything named like a secret are removed.
 */
export function publicAuthBlock(block: DashyAuth): DashyAuth {
  const { users: _users, ...rest } = block;
  return withoutSecrets(rest) as DashyAuth;
}

/**
 * Added to the public auth block of a dashboard whose sign-in is built-in users. The `users`
 * list that tells Dashy's own app to show its login form is never sent, so this key tells
 * Hearth's app instead.
 */
export const SIGN_IN_MARKER = 'hearthSignIn';

/** The auth block the server enforces (loaded at start), as browsers may see it. */
export function publicAuth(auth: AuthSettings): DashyAuth {
  const block = publicAuthBlock(auth.block);
  return auth.method === 'users' ? { ...block, [SIGN_IN_MARKER]: 'users' } : block;
}

/**
 * The stripped conf.yml for a signed-out request when sign-in is required: the auth block
 * (from boot, the one the server enforces), the service-worker switch, and a login title.
 */
export function bootstrapConfig(config: DashyConfig, auth: AuthSettings): DashyConfig {
  const appConfig: NonNullable<DashyConfig['appConfig']> = { auth: publicAuth(auth) };
  const serviceWorker = config.appConfig?.enableServiceWorker;
  if (serviceWorker !== undefined) appConfig.enableServiceWorker = serviceWorker;
  return { pageInfo: { title: `Login | ${config.pageInfo?.title ?? DEFAULT_TITLE}` }, appConfig };
}
