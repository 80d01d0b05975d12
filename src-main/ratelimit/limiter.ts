// The in-process limiter behind RateLimiter (types.ts): GCRA per key (gcra.ts), FIFO waiting per key,
// and reservations persisted ahead of use so that no restart — clean or a crash — lets a key exceed its
// limit.
//
// Persistence, cheaply: the TAT (theoretical arrival time) of a key, and for fast rules the times of its
// last `count` grants (gcra.ts), live in memory. Before a grant moves the key past its reservation, the
// reservation is pushed ahead by about a second (one tiny upsert per key per second at most) and written
// in the same synchronous call, before the grant is handed out. The reservation is never behind the TAT
// nor behind any grant (for fast rules: any grant plus one period). A restarted limiter starts each key
// at its reservation and, for fast rules, as if its last `count` grants had all been made at
// min(now, reservation) — no earlier than any real one — so a crash costs at most a reservation's and a
// period's wait and never an extra request. A clean close() writes the exact state back.
import { onAbort } from '../abortListeners';
import type { Db } from '../db/open';
import { pacingOf, type Pacing } from './gcra';
import { createRateLimitStore, type RateLimitStore } from './rateLimit.store';
import type { RateLimiter, RateRule, TakeResult } from './types';

export interface RateLimiterOptions {
  /** Without a database the limiter is memory-only (a restart forgets it). */
  db?: Db;
  now?: () => number;
  /** Called with the time of every grant, e.g. for metrics or to check windows in tests. */
  onGrant?: (key: string, atMs: number) => void;
}

export interface PersistentRateLimiter extends RateLimiter {
  /** Writes exact state back and rejects callers still waiting. */
  close(): void;
  /** Callers waiting in line for `key`. */
  waiting(key: string): number;
}

interface Waiter {
  rule: RateRule;
  pacing: Pacing;
  arrivedAt: number;
  settled: boolean;
  resolve(): void;
  reject(reason: Error): void;
  cleanup(): void;
}

interface KeyState {
  key: string;
  /** Theoretical arrival time: the next grant conforms when tat - tolerance <= now. */
  tat: number;
  /** Persisted: no grant has been accounted or made beyond this time (for fast rules, less a period). */
  reservedUntil: number;
  /** When this state was loaded from a reservation: no grant before the restart was made after this. */
  restoredBound: number;
  /** The latest grant's time, and for a fast rule the latest grant plus its period. */
  lastGrantAt: number;
  grantBound: number;
  /** Fast rules: the times of the last `window.count` grants, oldest at `ringHead` (gcra.ts). */
  ring: Float64Array | null;
  ringHead: number;
  waiters: Waiter[];
  head: number;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

/** How far ahead a reservation reaches: at least a second, at least two intervals. */
function reservationAhead(pacing: Pacing): number {
  return Math.max(1000, 2 * pacing.interval);
}

/**
 * pacingOf() once per rule object: callers pass the same rule on every take (the client's paced rule).
 * The fields are compared too, so a rule object changed in place is paced by its new values.
 */
const pacings = new WeakMap<RateRule, { count: number; periodMs: number; burst?: number; pacing: Pacing }>();
function pacingFor(rule: RateRule): Pacing {
  const cached = pacings.get(rule);
  if (
    cached !== undefined &&
    cached.count === rule.count &&
    cached.periodMs === rule.periodMs &&
    cached.burst === rule.burst
  ) {
    return cached.pacing;
  }
  const pacing = pacingOf(rule);
  pacings.set(rule, { count: rule.count, periodMs: rule.periodMs, burst: rule.burst, pacing });
  return pacing;
}

const IDLE_SWEEP_MS = 60_000;
const noCleanup = (): void => undefined;

/** An abort reason (usually already an AbortError) or a thrown value, as an Error. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason), { cause: reason });
}

export function createRateLimiter(options: RateLimiterOptions = {}): PersistentRateLimiter {
  const now = options.now ?? Date.now;
  const store: RateLimitStore | undefined = options.db ? createRateLimitStore(options.db) : undefined;
  const keys = new Map<string, KeyState>();
  let closed = false;

  store?.pruneExpired(now());

  function stateOf(key: string): KeyState {
    let state = keys.get(key);
    if (!state) {
      if (typeof key !== 'string' || key.length === 0)
        throw new Error('Rate limit key must be a non-empty string.');
      const reserved = store?.reservedUntil(key) ?? Number.NEGATIVE_INFINITY;
      state = {
        key,
        tat: reserved,
        reservedUntil: reserved,
        restoredBound: Math.min(now(), reserved),
        lastGrantAt: Number.NEGATIVE_INFINITY,
        grantBound: Number.NEGATIVE_INFINITY,
        ring: null,
        ringHead: 0,
        waiters: [],
        head: 0,
        timer: undefined,
        timerAt: 0,
      };
      keys.set(key, state);
    }
    return state;
  }

  /**
   * Moves the reservation past the TAT and the grant at `t` (for a fast rule, past the grant plus its
   * period) before that grant is handed out.
   */
  function reserve(state: KeyState, pacing: Pacing, t: number): void {
    const bound = Math.max(state.tat, t + (pacing.window?.periodMs ?? 0));
    if (bound <= state.reservedUntil) return;
    const until = Math.ceil(bound + reservationAhead(pacing));
    store?.reserve(state.key, until, now());
    state.reservedUntil = until;
  }

  /** The grant times of a fast rule's window, sized to its count (rebuilt conservatively on a change). */
  function ringOf(state: KeyState, count: number): Float64Array {
    if (state.ring?.length !== count) {
      // A new key starts as if its last `count` grants were made when a restart says they may have been;
      // a rule whose count changed, as if they were all made at its latest grant.
      state.ring = new Float64Array(count).fill(Math.max(state.restoredBound, state.lastGrantAt));
      state.ringHead = 0;
    }
    return state.ring;
  }

  /** When the next grant conforms: GCRA, and for a fast rule its window. */
  function dueAtOf(state: KeyState, pacing: Pacing): number {
    const gcraDue = state.tat - pacing.tolerance;
    if (!pacing.window) return gcraDue;
    const oldest = ringOf(state, pacing.window.count)[state.ringHead]!;
    return Math.max(gcraDue, oldest + pacing.window.periodMs);
  }

  function recordGrant(state: KeyState, pacing: Pacing, t: number): void {
    state.lastGrantAt = Math.max(state.lastGrantAt, t);
    state.grantBound = Math.max(state.grantBound, t + (pacing.window?.periodMs ?? 0));
    if (!pacing.window) return;
    const ring = ringOf(state, pacing.window.count);
    ring[state.ringHead] = t;
    state.ringHead = state.ringHead + 1 === ring.length ? 0 : state.ringHead + 1;
  }

  function waitingCount(state: KeyState): number {
    return state.waiters.length - state.head;
  }

  function shiftWaiter(state: KeyState): void {
    state.waiters[state.head] = undefined as unknown as Waiter;
    state.head += 1;
    if (state.head === state.waiters.length) {
      state.waiters = [];
      state.head = 0;
    } else if (state.head > 1024 && state.head * 2 > state.waiters.length) {
      state.waiters = state.waiters.slice(state.head);
      state.head = 0;
    }
  }

  function dropSettledHead(state: KeyState): Waiter | undefined {
    while (waitingCount(state) > 0) {
      const waiter = state.waiters[state.head]!;
      if (!waiter.settled) return waiter;
      shiftWaiter(state);
    }
    return undefined;
  }

  /** Grants every waiter that is due, in order, then sets a timer for the next one. */
  function pump(state: KeyState): void {
    const t = now();
    for (let waiter = dropSettledHead(state); waiter; waiter = dropSettledHead(state)) {
      const { pacing } = waiter;
      if (dueAtOf(state, pacing) > t) break;
      // Accounted at the moment GCRA made it due (not when this late timer ran), at most catchUpMs ago;
      // the window (dueAtOf) keeps the catch-up within the rule.
      const accountedAt = Math.max(state.tat - pacing.tolerance, waiter.arrivedAt, t - pacing.catchUpMs);
      state.tat = Math.max(state.tat, accountedAt) + pacing.interval;
      shiftWaiter(state);
      waiter.settled = true;
      waiter.cleanup();
      try {
        reserve(state, pacing, t);
        recordGrant(state, pacing, t);
      } catch (error) {
        // The reservation could not be written: the slot is not handed out (the TAT stays spent).
        waiter.reject(asError(error));
        continue;
      }
      options.onGrant?.(state.key, t);
      waiter.resolve();
    }
    schedule(state);
  }

  function schedule(state: KeyState): void {
    const head = dropSettledHead(state);
    if (!head || closed) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      return;
    }
    // Absolute target: the delay is recomputed from the clock each time, so lateness never accumulates.
    const at = dueAtOf(state, head.pacing);
    if (state.timer && state.timerAt === at) return;
    if (state.timer) clearTimeout(state.timer);
    state.timerAt = at;
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        pump(state);
      },
      Math.max(1, Math.ceil(at - now())),
    );
  }

  function tryGrantNow(state: KeyState, pacing: Pacing, t: number): TakeResult {
    const dueAt = dueAtOf(state, pacing);
    if (dueAt > t) return { ok: false, retryAfterMs: Math.ceil(dueAt - t) };
    const tat = state.tat;
    state.tat = Math.max(state.tat, t) + pacing.interval;
    try {
      reserve(state, pacing, t);
    } catch (error) {
      state.tat = tat;
      throw error;
    }
    recordGrant(state, pacing, t);
    options.onGrant?.(state.key, t);
    return { ok: true };
  }

  // Forget keys that have been idle long enough that their state means nothing any more (one per
  // conversation for bot_rate_limit adds up). A key is dropped only once its reservation has passed, so
  // reloading it from the store later can never be stricter or looser than keeping it.
  const sweeper = setInterval(() => {
    const t = now();
    for (const state of keys.values()) {
      if (waitingCount(state) === 0 && state.reservedUntil <= t && state.tat <= t) keys.delete(state.key);
    }
  }, IDLE_SWEEP_MS);
  sweeper.unref();

  return {
    tryTake(key, rule) {
      if (closed) throw new Error('The rate limiter is closed.');
      const pacing = pacingFor(rule);
      const state = stateOf(key);
      const t = now();
      const queued = waitingCount(state);
      if (queued > 0 && dropSettledHead(state)) {
        // FIFO: a caller in line goes first. Estimate when this one would get through.
        const dueIn = Math.max(0, dueAtOf(state, pacing) - t);
        return { ok: false, retryAfterMs: Math.ceil(dueIn + waitingCount(state) * pacing.interval) };
      }
      return tryGrantNow(state, pacing, t);
    },

    async take(key, rule, signal) {
      if (closed) throw new Error('The rate limiter is closed.');
      const pacing = pacingFor(rule);
      if (signal?.aborted) throw asError(signal.reason);
      const state = stateOf(key);
      if (!dropSettledHead(state) && tryGrantNow(state, pacing, now()).ok) return;
      const t = now();
      return new Promise<void>((resolve, reject) => {
        const aborted = (): void => {
          if (waiter.settled) return;
          waiter.settled = true;
          waiter.cleanup();
          reject(asError(signal!.reason));
          // The head may have left: the next one may be due at another time.
          schedule(state);
        };
        const waiter: Waiter = {
          rule,
          pacing,
          arrivedAt: t,
          settled: false,
          resolve,
          reject,
          cleanup: noCleanup,
        };
        if (signal) waiter.cleanup = onAbort(signal, aborted);
        state.waiters.push(waiter);
        schedule(state);
      });
    },

    waiting(key) {
      const state = keys.get(key);
      if (!state) return 0;
      let n = 0;
      for (let i = state.head; i < state.waiters.length; i++) if (!state.waiters[i]!.settled) n++;
      return n;
    },

    close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      const t = now();
      for (const state of keys.values()) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = undefined;
        for (let waiter = dropSettledHead(state); waiter; waiter = dropSettledHead(state)) {
          shiftWaiter(state);
          waiter.settled = true;
          waiter.cleanup();
          waiter.reject(new Error('The rate limiter closed while waiting for a slot.'));
        }
      }
      // A clean stop: no grant can happen any more, so the exact bound replaces the reservation ahead —
      // the TAT, or for a fast rule its latest grant plus a period when that is later (a restart then
      // waits out that grant's window).
      store?.writeBack(
        [...keys.values()]
          .filter((s) => s.reservedUntil > t)
          .map((s) => ({ key: s.key, tat: Math.ceil(Math.max(s.tat, s.grantBound)) })),
        t,
      );
      keys.clear();
    },
  };
}
