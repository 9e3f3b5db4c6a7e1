import type { Config } from '../config/config.js';

/**
 * Route config for endpoints that sign people in or create accounts: at most
 * SIGN_IN_RATE_LIMIT requests a minute per client address (0 turns the limit off).
 * Behind a proxy, set TRUST_PROXY so the address is the visitor's, not the proxy's.
 */
export function signInRateLimit(config: Pick<Config, 'signInRateLimit'>) {
  return {
    rateLimit: config.signInRateLimit > 0 ? { max: config.signInRateLimit, timeWindow: '1 minute' } : (false as const),
  };
}
