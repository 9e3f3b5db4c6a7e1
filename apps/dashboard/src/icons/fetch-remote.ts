// One GET to another host on behalf of an icon, with a deadline, a cap on the body and a
// cap on redirects: an icon source that is slow, huge or bouncing cannot hold a request open
// or fill the server's memory.
import http from 'node:http';
import { describeFetchError } from '../auth/issuer.js';

export interface FetchLimits {
  timeoutMs: number;
  /**
   * The whole time allowed, as a person would read it in an error, when timeoutMs is only
   * what remains of it after earlier requests (a favicon lookup shares one deadline).
   */
  statedTimeoutMs?: number;
  maxBytes: number;
  maxRedirects: number;
  /** 'truncate' keeps the first maxBytes (enough to read a page's <head>); 'fail' refuses. */
  overflow: 'fail' | 'truncate';
  /** Self-signed certificates are common on homelab services. */
  allowInsecure?: boolean;
  accept: string;
}

export interface RemoteResponse {
  status: number;
  /** The media type without parameters, lower case; '' when absent. */
  contentType: string;
  body: Buffer;
  /** Where the body came from, after redirects. */
  url: URL;
}

export class RemoteFetchError extends Error {
  override name = 'RemoteFetchError';
  constructor(
    message: string,
    /**
     * Set when no connection to this host (`name:port`) could be made at all: anything else
     * on that host would fail the same way for a while.
     */
    readonly unreachableHost?: string,
  ) {
    super(message);
  }
}

/** Errors that mean the host is not there, as opposed to a host that answered badly. */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT']);

export async function fetchRemote(url: URL, limits: FetchLimits): Promise<RemoteResponse> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  const connection = { connected: false };
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new RemoteFetchError(`cannot fetch ${current.protocol} URLs, only http and https`);
      }
      connection.connected = false;
      const response = await requestOnce(current, limits, signal, connection);
      if (response.status >= 300 && response.status < 400 && response.location) {
        if (redirects >= limits.maxRedirects) throw new RemoteFetchError(`stopped after ${redirects} redirects`);
        current = new URL(response.location, current);
        continue;
      }
      return { status: response.status, contentType: response.contentType, body: response.body, url: current };
    }
  } catch (error) {
    if (error instanceof RemoteFetchError) throw error;
    if (signal.aborted) throw new RemoteFetchError(`no answer within ${limits.statedTimeoutMs ?? limits.timeoutMs} ms`, connection.connected ? undefined : current.host);
    const code = (error as { code?: unknown }).code;
    const unreachable = typeof code === 'string' && UNREACHABLE_CODES.has(code) && !connection.connected;
    throw new RemoteFetchError(describeFetchError(error), unreachable ? current.host : undefined);
  }
}

interface RawResponse {
  status: number;
  contentType: string;
  location?: string;
  body: Buffer;
}

function requestOnce(url: URL, limits: FetchLimits, signal: AbortSignal, connection: { connected: boolean }): Promise<RawResponse> {
  // node:https (and TLS with it) is loaded by the first https URL, not at start: about 4 MB resident.
  const transport = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'Hearth-Dashboard-Icons', accept: limits.accept, 'accept-encoding': 'identity' },
        signal,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !limits.allowInsecure } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const contentType = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.destroy();
          resolve({ status, contentType, location, body: Buffer.alloc(0) });
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (limits.overflow === 'fail' && Number.isFinite(declared) && declared > limits.maxBytes) {
          response.destroy();
          reject(new RemoteFetchError(`larger than ${limits.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => resolve({ status, contentType, body: Buffer.concat(chunks).subarray(0, limits.maxBytes) });
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size <= limits.maxBytes) return;
          response.destroy();
          if (limits.overflow === 'fail') reject(new RemoteFetchError(`larger than ${limits.maxBytes} bytes`));
          else finish();
        });
        response.on('end', finish);
        response.on('error', reject);
      },
    );
    request.on('socket', (socket) => {
      if (!socket.connecting) connection.connected = true;
      else socket.once('connect', () => (connection.connected = true));
    });
    request.on('error', reject);
    request.end();
  });
}
