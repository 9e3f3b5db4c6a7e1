// One scheduler for every status dot on the page. A dashboard of a hundred items must not
// send a hundred requests at once: checks of the same URL are shared, at most a few run at
// a time, starts are spaced out, and nothing runs while the tab is hidden.
import { apiFetch } from '../../lib/api';

export type StatusState = 'unknown' | 'up' | 'down';

export interface StatusReport {
  state: StatusState;
  /** What the dot says on hover and to screen readers, e.g. "Up: HTTP 200 in 35 ms". */
  text: string;
}

/** The server's answer (GET /status-check). */
export interface StatusCheckAnswer {
  successStatus: boolean;
  statusCode: number | null;
  timeTaken: number;
  message: string;
}

type Listener = (report: StatusReport) => void;

interface Watch {
  url: string;
  listeners: Map<Listener, number>;
  last: StatusReport | null;
  /** performance.now() when the next check is due; Infinity once a one-off check is done. */
  dueAt: number;
  running: boolean;
}

const MAX_PARALLEL = 4;
const START_GAP_MS = 60;

const watches = new Map<string, Watch>();
let running = 0;
let lastStart = -Infinity;
let timer: ReturnType<typeof setTimeout> | undefined;
let visibilityHooked = false;

export const CHECKING: StatusReport = { state: 'unknown', text: 'Status: checking…' };

/** The dot's words for the server's answer. */
export function describeAnswer(answer: StatusCheckAnswer): StatusReport {
  const state: StatusState = answer.successStatus ? 'up' : 'down';
  const message = answer.message || (answer.statusCode === null ? (answer.successStatus ? 'Up' : 'Down') : `${answer.successStatus ? 'Up' : 'Down'}: HTTP ${answer.statusCode}`);
  const took = answer.statusCode !== null && Number.isFinite(answer.timeTaken) ? ` in ${Math.round(answer.timeTaken)} ms` : '';
  return { state, text: message + took };
}

function intervalOf(watch: Watch): number {
  const positive = [...watch.listeners.values()].filter((ms) => ms > 0);
  return positive.length ? Math.min(...positive) : 0;
}

async function check(watch: Watch): Promise<void> {
  watch.running = true;
  running += 1;
  lastStart = performance.now();
  let report: StatusReport;
  try {
    const response = await apiFetch(`/status-check?url=${encodeURIComponent(watch.url)}`, { headers: { accept: 'application/json' } });
    const body = (await response.json().catch(() => null)) as (Partial<StatusCheckAnswer> & { reason?: string }) | null;
    if (response.ok && body && typeof body.successStatus === 'boolean') report = describeAnswer(body as StatusCheckAnswer);
    else report = { state: 'unknown', text: `Status unknown: ${body?.reason ?? `the server answered ${response.status}`}` };
  } catch {
    report = { state: 'unknown', text: 'Status unknown: the dashboard server did not answer' };
  } finally {
    running -= 1;
    watch.running = false;
  }
  watch.last = report;
  const every = intervalOf(watch);
  watch.dueAt = every > 0 ? performance.now() + every : Infinity;
  for (const listener of watch.listeners.keys()) listener(report);
  pump();
}

function pump(): void {
  clearTimeout(timer);
  timer = undefined;
  if (document.hidden) return;
  const now = performance.now();
  const due = [...watches.values()].filter((watch) => !watch.running && watch.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
  let wakeAt = Infinity;
  if (due.length > 0 && running < MAX_PARALLEL) {
    const nextStart = lastStart + START_GAP_MS;
    if (now >= nextStart) {
      void check(due[0]!);
      if (due.length > 1) wakeAt = now + START_GAP_MS;
    } else wakeAt = nextStart;
  }
  // A finished check calls pump again, so a full queue needs no timer of its own.
  for (const watch of watches.values()) if (!watch.running && watch.dueAt > now) wakeAt = Math.min(wakeAt, watch.dueAt);
  if (wakeAt !== Infinity) timer = setTimeout(pump, Math.max(0, wakeAt - now));
}

function hookVisibility(): void {
  if (visibilityHooked) return;
  visibilityHooked = true;
  // Checks fall due while hidden and run, spaced out as usual, when the tab shows again.
  document.addEventListener('visibilitychange', () => pump());
}

/**
 * Reports the status of `url` to `listener` now (if known) and after every check, which
 * repeats every `intervalSeconds` (0 or absent: once). Returns the function that stops it.
 */
export function watchStatus(url: string, intervalSeconds: number | undefined, listener: Listener): () => void {
  hookVisibility();
  const every = Number.isFinite(intervalSeconds) && intervalSeconds! > 0 ? intervalSeconds! * 1000 : 0;
  let watch = watches.get(url);
  if (!watch) {
    watch = { url, listeners: new Map(), last: null, dueAt: performance.now(), running: false };
    watches.set(url, watch);
  }
  watch.listeners.set(listener, every);
  if (watch.last) {
    listener(watch.last);
    // A faster interval than the watch had so far shortens the wait for the next check.
    if (every > 0) watch.dueAt = Math.min(watch.dueAt, performance.now() + every);
  }
  pump();
  const current = watch;
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0 && watches.get(url) === current) watches.delete(url);
  };
}
