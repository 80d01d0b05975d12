// Retry delays: exponential, capped, with "equal jitter" (half fixed, half random). The jitter keeps
// many jobs that failed together (an outage, a 5xx burst from Meta) from retrying in lockstep; the fixed
// half keeps a retry from firing at once.
import type { BackoffOptions } from './types';

export const defaultBackoff: Required<BackoffOptions> = { baseMs: 1000, factor: 2, maxMs: 10 * 60_000 };

/** Delay before the retry that follows failed attempt number `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs, factor, maxMs } = { ...defaultBackoff, ...options };
  const exponent = Math.max(0, Math.min(attempt - 1, 64));
  const ceiling = Math.min(maxMs, baseMs * factor ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
