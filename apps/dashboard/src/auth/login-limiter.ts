// Slows password guessing: after `maxFailures` wrong passwords from one address within the
// window, that address gets 429 until the oldest failure leaves the window. A successful
// sign-in does not reset the count: otherwise one known account would buy unlimited guesses
// at the others. Kept in memory; a restart forgets it, which costs an attacker a restart.
import { isIPv6 } from 'node:net';

export interface LimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Addresses remembered at most; the oldest are forgotten first. */
  maxTracked?: number;
  now?: () => number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(options: LimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until this address may try again; 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(clientKey(address));
    if (recent.length < this.maxFailures) return 0;
    const oldest = recent[recent.length - this.maxFailures] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const key = clientKey(address);
    const recent = this.recent(key);
    recent.push(this.now());
    // Re-inserted, so the map's order is oldest activity first.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.maxFailures));
    while (this.failures.size > this.maxTracked) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.failures.delete(key);
    return kept;
  }
}

/**
 * One key per IPv4 address, and one per IPv6 /64: a single host usually holds a whole /64
 * and could otherwise pick a fresh address for every guess.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
