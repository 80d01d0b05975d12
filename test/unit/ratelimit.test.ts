// GCRA pacing and the named limits, on a fake clock: exact, deterministic properties.
import { describe, expect, it } from 'vitest';
import { pacingOf } from '../../src-main/ratelimit/gcra';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import { botLimit, templateSyncLimit, whatsappApiLimit } from '../../src-main/ratelimit/limits';
import type { RateRule } from '../../src-main/ratelimit/types';

function busiestWindow(sorted: number[], periodMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= periodMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Callers retrying tryTake every `stepMs` of fake time for `durationMs`: the grant times. */
function hammer(rule: RateRule, durationMs: number, stepMs: number, callersPerStep = 3): number[] {
  let t = 1_700_000_000_000;
  const times: number[] = [];
  const limiter = createRateLimiter({ now: () => t, onGrant: (_k, at) => times.push(at) });
  for (const end = t + durationMs; t < end; t += stepMs) {
    for (let c = 0; c < callersPerStep; c++) limiter.tryTake('k', rule);
  }
  limiter.close();
  return times;
}

describe('GCRA pacing', () => {
  it('never lets more than count through in any window, and delivers at least 97% of the rate', () => {
    // Callers poll finely: tryTake is strict (a late caller's lateness is its own), take() catches up.
    const cases: { rule: RateRule; durationMs: number; stepMs: number }[] = [
      { rule: { count: 80, periodMs: 1000 }, durationMs: 20_000, stepMs: 0.05 },
      { rule: { count: 1000, periodMs: 1000 }, durationMs: 5_000, stepMs: 0.01 },
      { rule: { count: 100, periodMs: 60_000 }, durationMs: 600_000, stepMs: 10 },
      { rule: { count: 5, periodMs: 60_000, burst: 3 }, durationMs: 600_000, stepMs: 100 },
    ];
    for (const { rule, durationMs, stepMs } of cases) {
      const times = hammer(rule, durationMs, stepMs);
      expect(busiestWindow(times, rule.periodMs), JSON.stringify(rule)).toBeLessThanOrEqual(rule.count);
      // With a burst, a window-safe GCRA sustains (count - burst + 1) per period; without, count per period.
      const sustained = (rule.count - (rule.burst ?? 1) + 1) / rule.periodMs;
      expect(times.length, JSON.stringify(rule)).toBeGreaterThanOrEqual(0.97 * sustained * durationMs);
    }
  });

  it('lets `burst` requests through back to back, then paces', () => {
    let t = 0;
    const limiter = createRateLimiter({ now: () => t });
    const rule: RateRule = { count: 5, periodMs: 60_000, burst: 3 };
    expect([1, 2, 3].map(() => limiter.tryTake('bot', rule).ok)).toEqual([true, true, true]);
    expect(limiter.tryTake('bot', rule)).toEqual({ ok: false, retryAfterMs: 20_000 });
    t += 20_000;
    expect(limiter.tryTake('bot', rule).ok).toBe(true);
  });

  it('gives fast rules a small catch-up allowance and slow rules none', () => {
    expect(pacingOf({ count: 80, periodMs: 1000 })).toEqual({
      interval: 1000 / 79,
      tolerance: 0,
      catchUpMs: 1000 / 79,
    });
    expect(pacingOf({ count: 100, periodMs: 60_000 })).toEqual({ interval: 600, tolerance: 0, catchUpMs: 0 });
    expect(pacingOf({ count: 1000, periodMs: 1000 }).catchUpMs).toBeCloseTo(6 * (1000 / 994));
  });

  it('refuses rules that make no sense', () => {
    expect(() => pacingOf({ count: 0, periodMs: 1000 })).toThrow(RangeError);
    expect(() => pacingOf({ count: 1.5, periodMs: 1000 })).toThrow(RangeError);
    expect(() => pacingOf({ count: 10, periodMs: 0 })).toThrow(RangeError);
    expect(() => pacingOf({ count: 10, periodMs: 1000, burst: 11 })).toThrow(RangeError);
    const limiter = createRateLimiter();
    expect(() => limiter.tryTake('k', { count: -1, periodMs: 1 })).toThrow(RangeError);
    expect(() => limiter.tryTake('', { count: 1, periodMs: 1 })).toThrow(/non-empty/);
    limiter.close();
  });
});

describe('named limits (seed design)', () => {
  it('whatsapp_api_rate_limit: 100/min by default, per connection, up to 80/s paced per second', () => {
    expect(whatsappApiLimit('c1')).toEqual({
      key: 'whatsapp_api_rate_limit:connection:c1',
      rule: { count: 100, periodMs: 60_000 },
    });
    expect(whatsappApiLimit('c1', 600).rule).toEqual({ count: 600, periodMs: 60_000 });
    expect(whatsappApiLimit('c1', 4800).rule).toEqual({ count: 80, periodMs: 1000 });
    expect(whatsappApiLimit('c1', 3000).rule).toEqual({ count: 50, periodMs: 1000 });
    expect(() => whatsappApiLimit('c1', 4801)).toThrow(/80\/s/);
    expect(() => whatsappApiLimit('c1', 0)).toThrow(RangeError);
    expect(() => whatsappApiLimit('')).toThrow(/non-empty/);
  });

  it('template_sync_rate_limit 10/min and bot_rate_limit 5/min', () => {
    expect(templateSyncLimit('c1')).toEqual({
      key: 'template_sync_rate_limit:connection:c1',
      rule: { count: 10, periodMs: 60_000 },
    });
    expect(botLimit('conv1')).toEqual({
      key: 'bot_rate_limit:conv1',
      rule: { count: 5, periodMs: 60_000, burst: 3 },
    });
  });
});
