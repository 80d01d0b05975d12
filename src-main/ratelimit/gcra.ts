// Pacing arithmetic for the limiter (GCRA, the "virtual scheduling" form of a token bucket).
//
// The promise a rule makes: at most `count` grants in ANY window of `periodMs` (what Meta and the seed's
// "100/min" mean), with up to `burst` back to back. Plain GCRA with an interval of periodMs/count lets
// count + burst - 1 through in a window; the interval below, periodMs / (count - burst - slack + 1),
// keeps it at `count`.
//
// `slack` exists for fast rules. Timers fire late (≈1 ms, more when the event loop is busy); if every
// late grant pushed the schedule back, a 1,000/s rule would run at ~500/s. Instead a waiter that was due
// is accounted at the time it became due, up to `catchUpMs` in the past, so lateness is caught up rather
// than lost. Proof sketch: the accounted times follow GCRA(interval, tolerance); each real grant is at
// most catchUpMs = slack * interval after its accounted time; so any count + 1 consecutive grants span
// at least (count - burst - slack + 1) * interval = periodMs. Slow rules need no slack (1 ms late in
// 600 ms is nothing); fast ones give up `slack` of `count` (1 of 80/s, 6 of 1,000/s) to stay exact, and
// never more than 2% of it (at least 1), so an extreme rule keeps its rate.
import type { RateRule } from './types';

export interface Pacing {
  /** Milliseconds between grants at the sustained rate. */
  interval: number;
  /** A request conforms when TAT - tolerance <= now ((burst - 1) intervals). */
  tolerance: number;
  /** How far in the past a late queued grant may be accounted (slack intervals). */
  catchUpMs: number;
}

/** Timer lateness we absorb without losing rate. */
const LATENESS_MS = 6;
/** Below this base interval, lateness costs more rate than the slack does. */
const SLACK_BELOW_INTERVAL_MS = 40;
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
  const slack =
    base < SLACK_BELOW_INTERVAL_MS
      ? Math.min(
          rule.count - burst,
          Math.ceil(LATENESS_MS / base),
          Math.max(1, Math.floor(rule.count * 0.02)),
        )
      : 0;
  const interval = rule.periodMs / (rule.count - burst - slack + 1);
  return { interval, tolerance: (burst - 1) * interval, catchUpMs: slack * interval };
}
