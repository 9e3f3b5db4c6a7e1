// Checks one service from the server, the way Dashy's status indicator does, with a deadline
// and a cap on redirects so a misbehaving service cannot hold a request open or bounce it
// around forever.
import http from 'node:http';
import https from 'node:https';
import { describeFetchError } from '../auth/issuer.js';

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
  headers: Record<string, string>;
  allowInsecure: boolean;
}

export const MAX_REDIRECTS_CAP = 10;

export async function checkUrl(url: string, options: CheckOptions): Promise<StatusCheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = new URL(url);
  const maxRedirects = Math.min(options.maxRedirects, MAX_REDIRECTS_CAP);
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        return { successStatus: false, statusCode: null, timeTaken: elapsed(), message: `cannot check ${current.protocol} URLs, only http and https` };
      }
      const { statusCode, location } = await requestOnce(current, options, signal);
      if (statusCode >= 300 && statusCode < 400 && location && redirects < maxRedirects) {
        current = new URL(location, current);
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

function requestOnce(url: URL, options: CheckOptions, signal: AbortSignal): Promise<{ statusCode: number; location?: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'Hearth-Dashboard-Status-Check', ...options.headers },
        signal,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !options.allowInsecure } : {}),
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
