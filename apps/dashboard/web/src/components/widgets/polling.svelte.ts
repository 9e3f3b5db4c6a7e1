// Keeps one widget's data fresh: reads it through the dashboard's widget proxy, again every
// `updateInterval`, and not at all while the tab is hidden (a refresh happens on return).
import { untrack } from 'svelte';
import { apiFetch } from '../../lib/api';

/**
 * JSON from `url`, read by the dashboard server; errors carry the server's reason. A source
 * that is down comes back as a 200 marked `x-hearth-widget-error` (asked for with
 * `x-hearth-widget-errors: inline`), so a Glances host being off logs nothing on the console.
 */
export async function fetchWidgetJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await apiFetch(`/widgets/proxy?url=${encodeURIComponent(url)}`, {
    headers: { accept: 'application/json', 'x-hearth-widget-errors': 'inline' },
    ...(signal ? { signal } : {}),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok || response.headers.has('x-hearth-widget-error')) {
    const reason = typeof body === 'object' && body !== null && typeof (body as { reason?: unknown }).reason === 'string' ? (body as { reason: string }).reason : null;
    throw new Error(reason ?? `the dashboard answered HTTP ${response.status}`);
  }
  return body;
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface PollingInput<T> {
  /** Read synchronously, so a change of options restarts polling. Throws for bad options. */
  url: () => string;
  /** Milliseconds; 0 reads once. */
  intervalMs: () => number;
  /** Changes when the person asks for a refresh. */
  refresh: () => number;
  shape: (raw: unknown, previous: T | null) => T;
}

export class Polled<T> {
  data = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(true);
  updatedAt = $state<number | null>(null);

  constructor(input: PollingInput<T>) {
    $effect(() => {
      let url: string;
      try {
        url = input.url();
      } catch (error) {
        this.error = reasonOf(error);
        this.loading = false;
        return;
      }
      const every = input.intervalMs();
      input.refresh();
      // The reads below touch this object's state; only the inputs above restart polling.
      return untrack(() => this.#run(url, every, input.shape));
    });
  }

  #run(url: string, every: number, shape: PollingInput<T>['shape']): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | null = null;
    let stopped = false;
    let failures = 0;
    // A source that keeps failing is asked less and less often, up to every 5 minutes.
    const delay = () => (failures === 0 ? every : Math.min(every * 2 ** failures, Math.max(every, 300_000)));

    const read = async () => {
      clearTimeout(timer);
      controller?.abort();
      const current = new AbortController();
      controller = current;
      this.loading = this.data === null;
      try {
        const raw = await fetchWidgetJson(url, current.signal);
        if (current.signal.aborted) return;
        this.data = shape(raw, this.data);
        this.error = null;
        this.updatedAt = Date.now();
        failures = 0;
      } catch (error) {
        if (current.signal.aborted) return;
        this.error = reasonOf(error);
        failures += 1;
      } finally {
        if (!current.signal.aborted) this.loading = false;
      }
      if (!stopped && every > 0 && document.visibilityState === 'visible') timer = setTimeout(read, delay());
    };

    const onVisibility = () => {
      clearTimeout(timer);
      if (document.visibilityState !== 'visible') return;
      // Back from a hidden tab: read now if the data is older than one interval.
      if (every === 0) return;
      const age = this.updatedAt === null ? Infinity : Date.now() - this.updatedAt;
      if (age >= delay()) void read();
      else timer = setTimeout(read, delay() - age);
    };

    document.addEventListener('visibilitychange', onVisibility);
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }
}
