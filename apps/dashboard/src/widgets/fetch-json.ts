// Reads one JSON document for a widget, bounded in time and size. Redirects are not
// followed: a source may only answer for itself, or it could lead the server elsewhere.
import http from 'node:http';
import { describeFetchError } from '../auth/issuer.js';

export interface FetchJsonOptions {
  timeoutMs: number;
  maxBytes: number;
  headers: Record<string, string>;
}

export type FetchJsonResult =
  | { ok: true; body: string }
  | { ok: false; reason: string; upstreamStatus?: number };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i;

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

function timedOut(options: FetchJsonOptions): FetchJsonResult {
  return { ok: false, reason: `the widget's source did not answer within ${options.timeoutMs} ms` };
}

export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<FetchJsonResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    return await new Promise<FetchJsonResult>((resolve, reject) => {
      // node:https (and TLS with it) is loaded by the first https URL, not at start: about 4 MB resident.
      const transport = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : http;
      const request = transport.request(
        url,
        {
          method: 'GET',
          signal,
          headers: { accept: 'application/json', 'user-agent': 'Hearth-Dashboard-Widgets', ...options.headers },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const fail = (reason: string) => {
            response.destroy();
            resolve({ ok: false, reason, upstreamStatus: status });
          };
          if (status >= 300 && status < 400) return fail(`the widget's source answered with a redirect (HTTP ${status}), which is not followed`);
          if (status < 200 || status >= 300) return fail(`the widget's source answered HTTP ${status}`);
          const type = response.headers['content-type'];
          if (type && !JSON_TYPE.test(type)) return fail(`the widget's source did not answer JSON (content-type ${type.split(';')[0]})`);
          const declared = Number(response.headers['content-length']);
          const tooLarge = `the widget's source answered more than ${megabytes(options.maxBytes)}`;
          if (Number.isFinite(declared) && declared > options.maxBytes) return fail(tooLarge);

          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxBytes) return fail(tooLarge);
            chunks.push(chunk);
          });
          response.on('error', reject);
          // Only matters when the connection drops before the end; a settled promise ignores it.
          response.on('close', () =>
            resolve(signal.aborted ? timedOut(options) : { ok: false, reason: "the widget's source closed the connection mid-answer", upstreamStatus: status }),
          );
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              JSON.parse(text);
            } catch {
              return resolve({ ok: false, reason: "the widget's source did not answer valid JSON", upstreamStatus: status });
            }
            resolve({ ok: true, body: text });
          });
        },
      );
      request.on('error', reject);
      request.end();
    });
  } catch (error) {
    if (signal.aborted) return timedOut(options);
    return { ok: false, reason: `cannot reach the widget's source: ${describeFetchError(error)}` };
  }
}
