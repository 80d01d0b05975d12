// The limiter's interface. The SQLite-backed in-process implementation lives beside it; a Redis one
// could replace it without touching the services that call take()/tryTake().

/** `count` requests per `periodMs`, paced smoothly (GCRA); `burst` requests may go back to back. */
export interface RateRule {
  count: number;
  periodMs: number;
  /** Defaults to 1: strictly paced. */
  burst?: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** Takes a slot now if one is free; never waits. */
  tryTake(key: string, rule: RateRule): TakeResult;
  /** Waits its turn (FIFO per key) and takes a slot. Rejects with an AbortError if `signal` aborts. */
  take(key: string, rule: RateRule, signal?: AbortSignal): Promise<void>;
}
