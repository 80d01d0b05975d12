// GCRA pacing and the named limits, on a fake clock: exact, deterministic properties.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pacingOf } from '../../src-main/ratelimit/gcra';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import { botLimit, templateSyncLimit, whatsappApiLimit } from '../../src-main/ratelimit/limits';
import type { RateRule } from '../../src-main/ratelimit/types';
import { busiestWindow } from '../helpers/busiestWindow';

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

  it('paces fast rules at their full rate with a catch-up and a hard window, slow rules by GCRA alone', () => {
    expect(pacingOf({ count: 80, periodMs: 1000 })).toEqual({
      interval: 12.5,
      tolerance: 0,
      catchUpMs: 200,
      window: { count: 80, periodMs: 1000 },
    });
    expect(pacingOf({ count: 100, periodMs: 60_000 })).toEqual({
      interval: 600,
      tolerance: 0,
      catchUpMs: 0,
      window: null,
    });
    expect(pacingOf({ count: 5, periodMs: 60_000, burst: 3 })).toMatchObject({
      interval: 20_000,
      tolerance: 40_000,
      window: null,
    });
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

/**
 * Senders that always have a take() waiting (a campaign), on fake timers, for `durationMs`; every
 * `pauseEveryMs` the event loop "blocks" for `pauseMs`, as in a GC pause: whatever timer falls due
 * meanwhile runs only when it ends. The limiter's clock shows the end of the pause throughout it, so every
 * timer that fires inside it runs, as far as the limiter can tell, at that end. Returns the grant times
 * and the end of each pause.
 */
async function saturatedWithPauses(
  rule: RateRule,
  run: { durationMs: number; pauseEveryMs: number; pauseMs: number; senders?: number },
): Promise<{ times: number[]; pauseEnds: number[]; elapsedMs: number }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  let pauseEnd: number | null = null;
  const now = (): number => pauseEnd ?? Date.now();
  const times: number[] = [];
  const limiter = createRateLimiter({ now, onGrant: (_k, at) => times.push(at) });
  const startedAt = now();
  let running = true;
  const senders = Array.from({ length: run.senders ?? 40 }, async () => {
    while (running) await limiter.take('connection', rule);
  });
  const pauseEnds: number[] = [];
  for (let elapsed = 0; elapsed < run.durationMs; elapsed += run.pauseEveryMs) {
    await vi.advanceTimersByTimeAsync(run.pauseEveryMs - run.pauseMs);
    pauseEnd = now() + run.pauseMs;
    pauseEnds.push(pauseEnd);
    await vi.advanceTimersByTimeAsync(run.pauseMs);
    pauseEnd = null;
  }
  running = false;
  const elapsedMs = now() - startedAt;
  limiter.close();
  await Promise.allSettled(senders);
  return { times, pauseEnds, elapsedMs };
}

describe('fast rules after event-loop pauses', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // What the WhatsApp client gives the limiter for Meta's 80/s and 1,000/s (its 1 % jitter allowance).
  const cases: { rule: RateRule; pauseMs: number }[] = [
    { rule: { count: 80, periodMs: 1010 }, pauseMs: 60 },
    { rule: { count: 80, periodMs: 1010 }, pauseMs: 150 },
    { rule: { count: 1000, periodMs: 1010 }, pauseMs: 40 },
    { rule: { count: 1000, periodMs: 1010 }, pauseMs: 180 },
  ];
  for (const { rule, pauseMs } of cases) {
    it(`${rule.count}/${rule.periodMs} ms with a ${pauseMs} ms pause every 2 s: catches up, never exceeds`, async () => {
      const { times, pauseEnds, elapsedMs } = await saturatedWithPauses(rule, {
        durationMs: 20_000,
        pauseEveryMs: 2_000,
        pauseMs,
        // The campaign runner's window at these rates (callerWindowForRate): the sends waiting for a slot.
        senders: rule.count >= 1000 ? 250 : 32,
      });
      const interval = rule.periodMs / rule.count;
      // Never more than count in any window of the period, pauses and catch-ups included.
      expect(busiestWindow(times, rule.periodMs)).toBeLessThanOrEqual(rule.count);
      console.log(
        pauseEnds.slice(0, 3).map((e) => times.filter((t) => t >= e - 80 && t < e + 30).map((t) => t - e)),
      );
      // The sends that fell due during the first pause go out as soon as it ends. (After later pauses
      // some may wait a little: the window still holds the sends that caught up a period earlier.)
      const end = pauseEnds[0]!;
      const caughtUp = times.filter((t) => t >= end && t <= end + 2 * interval + 1).length;
      expect(caughtUp).toBeGreaterThanOrEqual(Math.floor(pauseMs / interval));
      // So the pauses cost (almost) nothing: a limiter that lost them would reach 2,000 / (2,000 + pause)
      // of the rate (97 % for 60 ms, 92 % for 180 ms).
      expect(times.length).toBeGreaterThanOrEqual(0.99 * rule.count * (elapsedMs / rule.periodMs));
    });
  }

  it('a pause longer than the catch-up: the window still holds, and only the excess is lost', async () => {
    const rule: RateRule = { count: 80, periodMs: 1010 };
    const { times, elapsedMs } = await saturatedWithPauses(rule, {
      durationMs: 20_000,
      pauseEveryMs: 2_000,
      pauseMs: 400,
    });
    expect(busiestWindow(times, rule.periodMs)).toBeLessThanOrEqual(rule.count);
    // 200 ms of each 400 ms pause is caught up (a fifth of the period), 200 ms lost: 90 % of the rate.
    const rate = times.length / (rule.count * (elapsedMs / rule.periodMs));
    expect(rate).toBeGreaterThan(0.88);
    expect(rate).toBeLessThan(0.95);
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
