// The limiter under real concurrency and across restarts, with its state in real SQLite.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import type { RateRule } from '../../src-main/ratelimit/types';
import { useTempDirs } from '../helpers/tempDir';
import { busiestWindow } from '../helpers/busiestWindow';
import { grantsAcrossRestart } from '../helpers/limiterRestart';

const temp = useTempDirs();

function recorder(): { times: number[]; onGrant: (key: string, at: number) => void } {
  const times: number[] = [];
  return { times, onGrant: (_key, at) => times.push(at) };
}

function fakeClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('rate limiter: concurrency', () => {
  it('10,000 concurrent takes on one key stay under the limit in every sliding window, served in arrival order', async () => {
    const db = temp.openMigrated();
    const rule: RateRule = { count: 500, periodMs: 100 };
    const rec = recorder();
    const limiter = createRateLimiter({ db, onGrant: rec.onGrant });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => limiter.take('hot', rule).then(() => order.push(i))),
    );
    expect(rec.times).toHaveLength(10_000);
    expect(busiestWindow(rec.times, rule.periodMs)).toBeLessThanOrEqual(rule.count);
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    limiter.close();
  });

  it('tryTake never jumps the line of waiting take() callers', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ now: clock.now });
    const rule: RateRule = { count: 1, periodMs: 1000 };
    expect(limiter.tryTake('k', rule)).toEqual({ ok: true });
    const waiting = limiter.take('k', rule);
    clock.advance(1000);
    // The slot is free now, but it belongs to the caller in line.
    expect(limiter.tryTake('k', rule)).toEqual({ ok: false, retryAfterMs: 1000 });
    await waiting;
    expect(limiter.tryTake('k', rule).ok).toBe(false);
    limiter.close();
  });

  it('an aborted take leaves the line with its reason and does not use a slot', async () => {
    // Fake clock, real timers: the limiter's timer re-checks the clock until the slot is due.
    const clock = fakeClock();
    const rule: RateRule = { count: 1, periodMs: 1000 };
    const rec = recorder();
    const limiter = createRateLimiter({ now: clock.now, onGrant: rec.onGrant });
    await limiter.take('k', rule);
    const controller = new AbortController();
    const aborted = limiter.take('k', rule, controller.signal);
    let nextDone = false;
    const next = limiter.take('k', rule).then(() => (nextDone = true));
    expect(limiter.waiting('k')).toBe(2);
    controller.abort(new Error('send cancelled'));
    await expect(aborted).rejects.toThrow('send cancelled');
    clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nextDone).toBe(false);
    clock.advance(1);
    await next;
    // The next caller got the very slot the aborted one would have had.
    expect(rec.times.map((t) => t - rec.times[0]!)).toEqual([0, 1000]);
    limiter.close();
  });

  it('close() rejects callers still waiting', async () => {
    const limiter = createRateLimiter();
    const rule: RateRule = { count: 1, periodMs: 60_000 };
    await limiter.take('k', rule);
    const waiting = limiter.take('k', rule);
    limiter.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});

describe('rate limiter: restarts', () => {
  it('a crash right after a burst and an immediate restart do not let the key exceed its limit', async () => {
    const folder = temp.dir();
    // A limiter that forgot its state would grant the whole burst again on top of the one just spent.
    const rule: RateRule = { count: 500, periodMs: 100, burst: 400 };
    const rec = recorder();

    temp.openMigrated(folder).close();
    const before = openDatabase(join(folder, 'bellhop.sqlite'));
    const first = createRateLimiter({ db: before, onGrant: rec.onGrant });
    await Promise.all(Array.from({ length: 400 }, () => first.take('api', rule)));
    // Simulated crash: the first limiter is abandoned without close(), its database handle dropped.
    before.close();

    const after = openDatabase(join(folder, 'bellhop.sqlite'));
    const second = createRateLimiter({ db: after, onGrant: rec.onGrant });
    expect(second.tryTake('api', rule).ok).toBe(false);
    await Promise.all(Array.from({ length: 1100 }, () => second.take('api', rule)));
    expect(rec.times).toHaveLength(1500);
    expect(busiestWindow(rec.times, rule.periodMs)).toBeLessThanOrEqual(rule.count);
    second.close();
    after.close();
  });

  it('fake clock: every window holds across a crash; a limiter that forgot its state would not (control)', () => {
    const rule: RateRule = { count: 10, periodMs: 1000, burst: 4 };
    const run = (persist: boolean): number[] =>
      grantsAcrossRestart(temp, rule, { tickMs: 10, before: 150, after: 500, stop: 'crash', persist }).times;
    const persisted = run(true);
    expect(busiestWindow(persisted, rule.periodMs)).toBeLessThanOrEqual(rule.count);
    expect(persisted.length).toBeGreaterThan(30);
    const forgetful = run(false);
    expect(busiestWindow(forgetful, rule.periodMs)).toBeGreaterThan(rule.count);
  });

  it('a fast rule (80/s, as the client paces it) holds every window across a crash and a clean restart', () => {
    const rule: RateRule = { count: 80, periodMs: 1010 };
    for (const stop of ['crash', 'close'] as const) {
      const { times, stoppedAt, grantedBefore } = grantsAcrossRestart(temp, rule, {
        tickMs: 1,
        before: 3_000,
        after: 3_000,
        stop,
      });
      expect(busiestWindow(times, rule.periodMs), stop).toBeLessThanOrEqual(rule.count);
      // The restart waits at most a reservation ahead and a period before sending again.
      expect(times[grantedBefore]! - stoppedAt, stop).toBeLessThanOrEqual(2_100);
      expect(times.length - grantedBefore, stop).toBeGreaterThan(80);
    }
  });

  it('a clean close writes the exact state back, so a normal restart waits no longer than needed', () => {
    const folder = temp.dir();
    const db = temp.openMigrated(folder);
    const clock = fakeClock();
    const rule: RateRule = { count: 100, periodMs: 60_000 };
    const first = createRateLimiter({ db, now: clock.now });
    expect(first.tryTake('api', rule).ok).toBe(true);
    const reserved = db
      .prepare(`SELECT reserved_until FROM rate_limit_state WHERE key = 'api'`)
      .pluck()
      .get() as number;
    expect(reserved).toBeGreaterThanOrEqual(clock.now() + 600);
    first.close();
    const written = db.prepare(`SELECT reserved_until FROM rate_limit_state WHERE key = 'api'`).pluck().get();
    expect(written).toBe(clock.now() + 600);

    const second = createRateLimiter({ db, now: clock.now });
    clock.advance(599);
    expect(second.tryTake('api', rule)).toEqual({ ok: false, retryAfterMs: 1 });
    clock.advance(1);
    expect(second.tryTake('api', rule)).toEqual({ ok: true });
    second.close();
  });
});
