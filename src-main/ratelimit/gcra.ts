// Pacing arithmetic for the limiter (GCRA, the "virtual scheduling" form of a token bucket).
//
// The promise a rule makes: at most `count` grants in ANY window of `periodMs` (what Meta and the seed's
// "100/min" mean), with up to `burst` back to back.
//
// Slow rules (an interval of 40 ms or more) keep it with GCRA alone: plain GCRA with an interval of
// periodMs/count lets count + burst - 1 through in a window; the interval periodMs / (count - burst + 1)
// keeps it at `count`. Timer lateness costs them nothing that matters (1 ms late in 600 ms).
//
// Fast rules (Meta's 80/s and 1,000/s) cannot afford that: an event-loop or GC pause of 50 ms at 80/s
// loses four sends for good if every late grant pushes the schedule back, and the throughput Meta allows
// is lost with it. So they are paced in two layers:
// - GCRA at the full rate (interval periodMs / count), where a waiter that was due is accounted at the
//   time it became due, up to `catchUpMs` in the past: after a pause the sends that were due go out at
//   once and the schedule carries on as if there had been none;
// - a hard window (`window`): a grant needs the grant `count` places before it to be at least periodMs
//   old (the limiter keeps the last `count` grant times). That alone is the proof: any count + 1
//   consecutive grants span at least periodMs, so no window of periodMs holds more than count, however
//   large the catch-up. On an even schedule it never binds (count grants span exactly periodMs); after a
//   pause it only stops the catch-up from crowding a window.
import type { RateRule } from './types';

export interface Pacing {
  /** Milliseconds between grants at the sustained rate. */
  interval: number;
  /** A request conforms when TAT - tolerance <= now ((burst - 1) intervals). */
  tolerance: number;
  /** How far in the past a late queued grant may be accounted. */
  catchUpMs: number;
  /** Fast rules: at most `count` grants in any `periodMs`, enforced over the actual grant times. */
  window: { count: number; periodMs: number } | null;
}

/** Below this base interval a rule is fast: paced at its full rate, with catch-up and the hard window. */
const FAST_BELOW_INTERVAL_MS = 40;
/**
 * How much of a period a fast rule may catch up after a pause: a fifth (200 ms of a per-second rule,
 * 16 sends at 80/s). The window keeps any catch-up within the rule; this bounds how bunched the sends
 * that follow a pause are.
 */
const CATCH_UP_SHARE = 0.2;
export const MAX_RULE_COUNT = 1_000_000;

export function checkRule(rule: RateRule): void {
  const { count, periodMs } = rule;
  const burst = rule.burst ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_RULE_COUNT) {
    throw new RangeError(`Rate rule count must be an integer from 1 to ${MAX_RULE_COUNT}, got ${count}.`);
  }
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0) {
    throw new RangeError(`Rate rule periodMs must be a positive number, got ${periodMs}.`);
  }
  if (!Number.isInteger(burst) || burst < 1 || burst > count) {
    throw new RangeError(`Rate rule burst must be an integer from 1 to count (${count}), got ${burst}.`);
  }
}

export function pacingOf(rule: RateRule): Pacing {
  checkRule(rule);
  const burst = rule.burst ?? 1;
  const base = rule.periodMs / rule.count;
  if (base >= FAST_BELOW_INTERVAL_MS) {
    const interval = rule.periodMs / (rule.count - burst + 1);
    return { interval, tolerance: (burst - 1) * interval, catchUpMs: 0, window: null };
  }
  return {
    interval: base,
    tolerance: (burst - 1) * base,
    catchUpMs: CATCH_UP_SHARE * rule.periodMs,
    window: { count: rule.count, periodMs: rule.periodMs },
  };
}
