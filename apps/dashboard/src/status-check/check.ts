// Checks one service from the server, the way Dashy's status indicator does, with a deadline
// and a cap on redirects so a misbehaving service cannot hold a request open or bounce it
// around forever. Redirects are followed here, one at a time, so that redirects.ts decides
// where each hop may go and whether the item's headers go with it.
import http from 'node:http';
import { describeFetchError } from '../auth/issuer.js';
import { decideRedirect, isItemOrigin } from './redirects.js';

export interface StatusCheckResult {
  successStatus: boolean;
  statusCode: number | null;
  /** Milliseconds until the response headers arrived (or the failure). */
  timeTaken: number;
  message: string;
}

export interface CheckOptions {
  timeoutMs: number;
  maxRedirects: number;
  /** Codes counted as up besides 2xx (Dashy's statusCheckAcceptCodes). */
  acceptCodes: readonly number[];
  /** Sent to the item's own origin only (see redirects.ts). */
  headers: Record<string, string>;
  allowInsecure: boolean;
  /** Follow redirects to another origin (statusCheckAllowOffOriginRedirects). */
  allowOffOriginRedirects: boolean;
}

export const MAX_REDIRECTS_CAP = 10;

export async function checkUrl(url: string, options: CheckOptions): Promise<StatusCheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const item = new URL(url);
  let current = item;
  const maxRedirects = Math.min(options.maxRedirects, MAX_REDIRECTS_CAP);
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        return { successStatus: false, statusCode: null, timeTaken: elapsed(), message: `cannot check ${current.protocol} URLs, only http and https` };
      }
      const headers = isItemOrigin(item, current) ? options.headers : {};
      const { statusCode, location } = await requestOnce(current, headers, options.allowInsecure, signal);
      if (statusCode >= 300 && statusCode < 400 && location && redirects < maxRedirects) {
        const next = new URL(location, current);
        const decision = decideRedirect(item, current, next, options.allowOffOriginRedirects);
        if (decision.kind === 'stop') {
          const up = decision.up || options.acceptCodes.includes(statusCode);
          return { successStatus: up, statusCode, timeTaken: elapsed(), message: `${up ? 'Up' : 'Down'}: HTTP ${statusCode}, ${decision.reason}` };
        }
        current = next;
        continue;
      }
      const up = (statusCode >= 200 && statusCode < 300) || options.acceptCodes.includes(statusCode);
      const suffix = statusCode >= 300 && statusCode < 400 && location ? ` (stopped after ${redirects} redirects)` : '';
      return { successStatus: up, statusCode, timeTaken: elapsed(), message: `${up ? 'Up' : 'Down'}: HTTP ${statusCode}${suffix}` };
    }
  } catch (error) {
    const message = signal.aborted ? `timed out after ${options.timeoutMs} ms` : describeFetchError(error);
    return { successStatus: false, statusCode: null, timeTaken: elapsed(), message: `Down: ${message}` };
  }
}

function requestOnce(
  url: URL,
  headers: Record<string, string>,
  allowInsecure: boolean,
  signal: AbortSignal,
): Promise<{ statusCode: number; location?: string }> {
  // node:https (and TLS with it) is loaded by the first https URL, not at start: about 4 MB resident.
  const transport = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'Hearth-Dashboard-Status-Check', ...headers },
        signal,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !allowInsecure } : {}),
      },
      (response) => {
        // Only the status matters; drop the body instead of buffering it.
        response.resume();
        response.destroy();
        resolve({ statusCode: response.statusCode ?? 0, ...(response.headers.location ? { location: response.headers.location } : {}) });
      },
    );
    request.on('error', reject);
    request.end();
  });
}
