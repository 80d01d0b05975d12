// The number the rate tests judge by: how many timestamps (limiter grants, request arrivals) fall inside
// the busiest half-open window [t, t + periodMs), over every t.
export function busiestWindow(timestamps: readonly number[], periodMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= periodMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
