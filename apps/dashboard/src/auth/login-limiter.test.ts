import { describe, expect, it } from 'vitest';
import { clientKey, FailureLimiter } from './login-limiter.js';

describe('FailureLimiter', () => {
  it('blocks an address after the allowed failures until the oldest leaves the window', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let index = 0; index < 3; index += 1) {
      expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
      now += 1000;
    }
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(57);
    expect(limiter.retryAfterSeconds('10.0.0.2')).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
  });

  it('forgets the oldest addresses beyond its capacity', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, maxTracked: 2 });
    limiter.recordFailure('10.0.0.1');
    limiter.recordFailure('10.0.0.2');
    limiter.recordFailure('10.0.0.3');
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
    expect(limiter.retryAfterSeconds('10.0.0.3')).toBeGreaterThan(0);
  });
});

describe('clientKey', () => {
  it('counts an IPv6 /64 as one client, and IPv4-mapped addresses as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:192.168.1.5')).toBe('192.168.1.5');
    expect(clientKey('192.168.1.5')).toBe('192.168.1.5');
  });
});
