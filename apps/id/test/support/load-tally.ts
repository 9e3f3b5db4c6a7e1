/** A request that never got an answer: its connection was refused, reset or closed early. */
export class ConnectionCut extends Error {
  override name = 'ConnectionCut';
}

/** Whether an error (or anything in its cause chain) is a cut connection. */
export function isConnectionCut(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof ConnectionCut) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

interface OperationCounts {
  attempted: number;
  succeeded: number;
  /** Ended by a cut connection: the client got a clean network error, nothing half-done was claimed. */
  'failed cleanly': number;
  /** Ended by an answer the operation did not expect (a 4xx or 5xx), or a broken promise. */
  'failed badly': number;
}

/**
 * Counts what a load test's clients saw: every HTTP answer by class, every cut connection,
 * and every operation's outcome. Its fetch opens a new connection per request
 * (`Connection: close`), so a TCP balancer spreads single requests, not whole keep-alive
 * streams, over its backends.
 */
export class LoadTally {
  readonly requests = { 'answered 1xx-3xx': 0, 'answered 4xx': 0, 'answered 5xx': 0, 'connection cut': 0 };
  readonly serverErrors: string[] = [];
  readonly problems: string[] = [];
  private readonly operations = new Map<string, OperationCounts>();

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('connection', 'close');
    const target = input instanceof Request ? input.url : String(input);
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers });
    } catch (error) {
      this.requests['connection cut'] += 1;
      throw new ConnectionCut(`${init.method ?? 'GET'} ${target}: ${(error as Error).message}`, { cause: error });
    }
    if (response.status >= 500) {
      this.requests['answered 5xx'] += 1;
      this.serverErrors.push(`${init.method ?? 'GET'} ${new URL(target).pathname} → ${response.status}`);
    } else if (response.status >= 400) {
      this.requests['answered 4xx'] += 1;
    } else {
      this.requests['answered 1xx-3xx'] += 1;
    }
    return response;
  };

  /** Runs one operation; a cut connection ends it cleanly (undefined), anything else unexpected is recorded as a problem. */
  async run<T>(kind: string, operation: () => Promise<T>): Promise<T | undefined> {
    const counts = this.operations.get(kind) ?? { attempted: 0, succeeded: 0, 'failed cleanly': 0, 'failed badly': 0 };
    this.operations.set(kind, counts);
    counts.attempted += 1;
    try {
      const result = await operation();
      counts.succeeded += 1;
      return result;
    } catch (error) {
      if (isConnectionCut(error)) {
        counts['failed cleanly'] += 1;
      } else {
        counts['failed badly'] += 1;
        this.problems.push(`${kind}: ${(error as Error).message ?? String(error)}`);
      }
      return undefined;
    }
  }

  /** Operation counts as rows, for console.table. */
  table(): Record<string, OperationCounts> {
    return Object.fromEntries(this.operations);
  }
}
