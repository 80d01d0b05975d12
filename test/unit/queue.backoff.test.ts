// Retry delays grow exponentially, are capped, and are jittered within [half, full].
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src-main/queue/backoff';

describe('backoff', () => {
  it('doubles from the base, stays within [half, full] of the step, and is capped', () => {
    const low = (attempt: number): number => backoffDelay(attempt, { baseMs: 1000, maxMs: 60_000 }, () => 0);
    const high = (attempt: number): number => backoffDelay(attempt, { baseMs: 1000, maxMs: 60_000 }, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1000, 2000, 4000, 8000]);
    expect(high(30)).toBe(60_000);
    expect(low(30)).toBe(30_000);
  });

  it('spreads jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});
