// The lock registry: named locks with a TTL, an owner token and a fencing number (locks/keys.ts lists
// every key). In-process: the app has one main process, and everything that must be exclusive across a
// restart is a SQLite transaction or a unique job instead.
//
// Exclusion and the waiting line are async-mutex's: one Semaphore(1) — a mutex — per key, FIFO. This file adds what a named
// lock needs on top — TTL expiry, owner tokens, fences, holders for the UI, giving up after waitMs.
// async-mutex hands the mutex to the next queued acquire synchronously inside release(); only the
// acquirer's promise resolves later. So every queued acquire has a record here, in the same order
// (`line`), and a hand-over records the new owner at once: there is never an instant where the mutex is
// held and holders() does not know by whom. A waiter that gave up keeps its place in async-mutex's queue
// (it has no way to remove one); when its turn comes it is passed over at once, in the same release.
// Semaphore(1) rather than Mutex: Mutex.acquire wraps the semaphore's promise in an async function, which
// queues a microtask per uncontended acquire (in a tight synchronous loop they pile up unboundedly).
import { Semaphore } from 'async-mutex';
import { AppError } from '../ipc/errors';
import { lockKindOf, lockKinds, type LockSpec } from './keys';

export interface AcquireOptions {
  /** Required when the target is a bare key; overrides the spec's TTL otherwise. */
  ttlMs?: number;
  /** How long to wait in line for the lock. 0 (the default) answers LOCKED at once if it is held. */
  waitMs?: number;
  /** Aborting stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Who holds it, in words, for holders() (e.g. "import of contacts.csv"). */
  owner?: string;
}

export interface LockHolder {
  key: string;
  owner: string | undefined;
  fence: number;
  /** When it was acquired (epoch ms). */
  since: number;
  ttlMs: number;
  expiresAt: number;
  /** Callers waiting in line behind the holder. */
  waiting: number;
}

export type AcquireResult =
  | { ok: true; key: string; token: string; fence: number; expiresAt: number }
  | { ok: false; code: 'LOCKED'; holder: LockHolder; message: string };

/** What withLock hands to its callback. */
export interface LockLease {
  readonly key: string;
  readonly token: string;
  /** Pass this to fenced writes (locks/fence.store.ts): it is larger for every newer owner of the key. */
  readonly fence: number;
  /** Aborted when the lease expires before the work ends: stop, a newer owner may be running. */
  readonly signal: AbortSignal;
  /** Heartbeat for long work: pushes expiry to now + ttlMs (default: the lock's TTL). False if lost. */
  extend(ttlMs?: number): boolean;
}

export interface LockRegistry {
  acquire(target: string | LockSpec, options?: AcquireOptions): Promise<AcquireResult>;
  /** acquire() without waiting, synchronously: the lock, or LOCKED with who holds it. */
  tryAcquire(target: string | LockSpec, options?: Omit<AcquireOptions, 'waitMs' | 'signal'>): AcquireResult;
  /** Releases if `token` still owns `key`. False when it does not (expired, or never did): nothing changes. */
  release(key: string, token: string): boolean;
  /** Pushes the expiry of a lock `token` still owns to now + ttlMs. False when it does not own it. */
  extend(key: string, token: string, ttlMs: number): boolean;
  isHeld(key: string, token: string): boolean;
  /** Runs fn holding the lock and releases it after; throws LockedError when the lock is not obtained. */
  withLock<T>(
    target: string | LockSpec,
    options: AcquireOptions,
    fn: (lease: LockLease) => Promise<T> | T,
  ): Promise<T>;
  holder(key: string): LockHolder | undefined;
  /** Every lock held right now, oldest first. */
  holders(): LockHolder[];
  /** Rejects every waiter and stops timers. Held locks simply stop mattering. */
  close(): void;
}

export interface LockRegistryOptions {
  now?: () => number;
  /**
   * Returns a fresh block number for fences; fence = block * 2^32 + a counter. The SQLite source
   * (fence.store.ts) persists blocks, so fences keep growing across restarts and the store's record of
   * the highest fence seen stays meaningful.
   */
  nextFenceBlock?: () => number;
}

/** Thrown by withLock (and usable by services): maps to the IPC error code LOCKED. */
export class LockedError extends AppError {
  constructor(
    readonly holder: LockHolder,
    message: string,
  ) {
    super('LOCKED', message);
    this.name = 'LockedError';
  }
}

export class LockExpiredError extends Error {
  constructor(readonly key: string) {
    super(`The lock ${key} expired before the work holding it finished.`);
    this.name = 'LockExpiredError';
  }
}

const FENCE_BLOCK_SIZE = 2 ** 32;
const MAX_FENCE_BLOCK = Math.floor(Number.MAX_SAFE_INTEGER / FENCE_BLOCK_SIZE) - 1;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const IDLE_SWEEP_MS = 60_000;

interface Holder {
  token: string;
  fence: number;
  owner: string | undefined;
  since: number;
  ttlMs: number;
  expiresAt: number;
  /** Set by withLock, aborted on expiry. */
  expiry: AbortController | undefined;
}

interface Waiter {
  ttlMs: number;
  owner: string | undefined;
  settled: boolean;
  resolve(result: AcquireResult): void;
  reject(reason: Error): void;
  cleanup(): void;
}

interface Entry {
  key: string;
  /** Held exactly while `holder` is set, or for the instant of a hand-over inside handOver(). */
  mutex: Semaphore;
  holder: Holder | undefined;
  /** One record per acquire queued on `mutex`, in its order (settled ones until their turn comes). */
  line: Waiter[];
  head: number;
  /** Waiters still waiting. */
  waiting: number;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

/** "just now", "40 s ago", "2 min ago", "3 h ago". */
export function describeAge(sinceMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - sinceMs) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  return `${Math.round(min / 60)} h ago`;
}

/** "A contact import is already running (started 2 min ago)." */
export function describeHolder(holder: LockHolder, nowMs: number): string {
  const kind = lockKindOf(holder.key);
  const what = holder.owner ?? (kind ? lockKinds[kind].label : `Work on ${holder.key}`);
  return `${what} is already running (started ${describeAge(holder.since, nowMs)}).`;
}

/** The signal's reason when it is an Error (the usual AbortError), else an Error carrying it. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('Aborted', { cause: reason });
}

function checkTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new Error(`Lock ttlMs must be a positive number of milliseconds up to 24 h, got ${String(ttlMs)}.`);
  }
  return ttlMs;
}

export function createLockRegistry(options: LockRegistryOptions = {}): LockRegistry {
  const now = options.now ?? Date.now;
  const nextFenceBlock =
    options.nextFenceBlock ??
    ((): (() => number) => {
      let block = 0;
      return () => block++;
    })();
  const entries = new Map<string, Entry>();
  let fenceBase = 0;
  let fenceCounter = FENCE_BLOCK_SIZE; // forces a block on first use
  let closed = false;

  function nextFence(): number {
    if (fenceCounter >= FENCE_BLOCK_SIZE - 1) {
      const block = nextFenceBlock();
      if (!Number.isInteger(block) || block < 0 || block > MAX_FENCE_BLOCK) {
        throw new Error(`Lock fence block ${block} is out of range.`);
      }
      fenceBase = block * FENCE_BLOCK_SIZE;
      fenceCounter = 0;
    }
    fenceCounter += 1;
    return fenceBase + fenceCounter;
  }

  function publicHolder(entry: Entry, holder: Holder): LockHolder {
    return {
      key: entry.key,
      owner: holder.owner,
      fence: holder.fence,
      since: holder.since,
      ttlMs: holder.ttlMs,
      expiresAt: holder.expiresAt,
      waiting: entry.waiting,
    };
  }

  function grant(entry: Entry, ttlMs: number, owner: string | undefined): AcquireResult & { ok: true } {
    const since = now();
    const fence = nextFence();
    const holder: Holder = {
      // Unique per acquisition (fences never repeat). Tokens guard against mistakes — a stale owner, a
      // wrong key — not against code in this process, which could do anything anyway; so no random bytes.
      token: 'lock-' + fence,
      fence,
      owner,
      since,
      ttlMs,
      expiresAt: since + ttlMs,
      expiry: undefined,
    };
    entry.holder = holder;
    return {
      ok: true,
      key: entry.key,
      token: holder.token,
      fence: holder.fence,
      expiresAt: holder.expiresAt,
    };
  }

  function hasWaiters(entry: Entry): boolean {
    return entry.waiting > 0;
  }

  /**
   * Takes a free mutex (free means its queue is empty too: async-mutex dispatches whenever it can).
   * setValue(0) is what an immediately dispatched acquire() does, minus the promise and releaser that
   * nobody here would await — that allocation was most of an uncontended lock's cost (core_lock_ns).
   */
  function lockFree(entry: Entry): void {
    entry.mutex.setValue(0);
  }

  /** Gives the mutex back (a Semaphore counts: never release one that is not taken). */
  function unlock(entry: Entry): void {
    if (entry.mutex.isLocked()) entry.mutex.release();
  }

  function settle(entry: Entry, waiter: Waiter): void {
    waiter.settled = true;
    entry.waiting -= 1;
    waiter.cleanup();
  }

  function shiftWaiter(entry: Entry): Waiter | undefined {
    const waiter = entry.line[entry.head];
    if (!waiter) return undefined;
    entry.line[entry.head] = undefined as unknown as Waiter;
    entry.head += 1;
    if (entry.head > 1024 && entry.head * 2 > entry.line.length) {
      entry.line = entry.line.slice(entry.head);
      entry.head = 0;
    }
    return waiter;
  }

  /**
   * Releases the mutex. async-mutex hands it, inside release(), to the acquire at the head of its queue
   * — which is the head of `line` — so the new owner is recorded here in the same synchronous step. A
   * waiter that gave up is passed over by releasing again.
   */
  function handOver(entry: Entry): void {
    entry.holder = undefined;
    unlock(entry);
    for (let waiter = shiftWaiter(entry); waiter; waiter = shiftWaiter(entry)) {
      if (waiter.settled) {
        unlock(entry);
        continue;
      }
      settle(entry, waiter);
      waiter.resolve(grant(entry, waiter.ttlMs, waiter.owner));
      break;
    }
    if (!entry.holder) {
      // Nobody was waiting. The entry stays for the next acquire of the same key — the common case,
      // and a map insert saved — until the idle sweep.
      clearTimer(entry);
      entry.line = [];
      entry.head = 0;
      return;
    }
    armTimer(entry);
  }

  function expireIfDue(entry: Entry): void {
    const holder = entry.holder;
    if (holder && now() >= holder.expiresAt) {
      holder.expiry?.abort(new LockExpiredError(entry.key));
      handOver(entry);
    }
  }

  function clearTimer(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  // A timer is needed only when someone must learn of an expiry: a waiter in line, or a withLock whose
  // signal must abort. An uncontended acquire/release never touches a timer (core_lock_ns).
  function armTimer(entry: Entry): void {
    const holder = entry.holder;
    if (!holder || (!hasWaiters(entry) && !holder.expiry)) {
      clearTimer(entry);
      return;
    }
    if (entry.timer && entry.timerAt === holder.expiresAt) return;
    clearTimer(entry);
    entry.timerAt = holder.expiresAt;
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined;
        expireIfDue(entry);
        if (entries.get(entry.key) === entry) armTimer(entry);
      },
      Math.max(1, Math.ceil(holder.expiresAt - now())),
    );
  }

  function entryFor(key: string): Entry {
    let entry = entries.get(key);
    if (!entry) {
      entry = {
        key,
        mutex: new Semaphore(1),
        holder: undefined,
        line: [],
        head: 0,
        waiting: 0,
        timer: undefined,
        timerAt: 0,
      };
      entries.set(key, entry);
    }
    return entry;
  }

  function lockedResult(entry: Entry): AcquireResult {
    const holder = publicHolder(entry, entry.holder!);
    return { ok: false, code: 'LOCKED', holder, message: describeHolder(holder, now()) };
  }

  function keyOf(target: string | LockSpec): string {
    if (closed) throw new Error('The lock registry is closed.');
    const key = typeof target === 'string' ? target : target.key;
    if (typeof key !== 'string' || key.length === 0) throw new Error('Lock key must be a non-empty string.');
    return key;
  }

  function ttlOf(target: string | LockSpec, ttlOverride: number | undefined): number {
    return checkTtl(ttlOverride ?? (typeof target === 'string' ? undefined : target.ttlMs));
  }

  function owned(key: string, token: string): { entry: Entry; holder: Holder } | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    expireIfDue(entry);
    const holder = entry.holder;
    return holder && holder.token === token ? { entry, holder } : undefined;
  }

  // Keys like webhook_message:{id} are used once: forget entries nobody holds or waits for.
  const sweeper = setInterval(() => {
    for (const entry of entries.values()) {
      expireIfDue(entry);
      if (!entry.mutex.isLocked()) entries.delete(entry.key);
    }
  }, IDLE_SWEEP_MS);
  sweeper.unref();

  const registry: LockRegistry = {
    tryAcquire(target, opts = {}) {
      const key = keyOf(target);
      const ttlMs = ttlOf(target, opts.ttlMs);
      const entry = entryFor(key);
      expireIfDue(entry);
      if (!entry.mutex.isLocked()) {
        lockFree(entry);
        return grant(entry, ttlMs, opts.owner);
      }
      return lockedResult(entry);
    },

    async acquire(target, opts = {}) {
      const waitMs = opts.waitMs ?? 0;
      if (!(waitMs >= 0)) throw new Error(`Lock waitMs must be >= 0, got ${waitMs}.`);
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const key = keyOf(target);
      const ttlMs = ttlOf(target, opts.ttlMs);
      const entry = entryFor(key);
      expireIfDue(entry);
      if (!entry.mutex.isLocked()) {
        lockFree(entry);
        return grant(entry, ttlMs, opts.owner);
      }
      if (waitMs === 0) return lockedResult(entry);

      return new Promise<AcquireResult>((resolve, reject) => {
        let timeout: NodeJS.Timeout | undefined;
        const signal = opts.signal;
        const onAbort = (): void => {
          if (waiter.settled) return;
          settle(entry, waiter);
          reject(abortError(signal!));
        };
        const waiter: Waiter = {
          ttlMs,
          owner: opts.owner,
          settled: false,
          resolve,
          reject,
          cleanup() {
            if (timeout) clearTimeout(timeout);
            signal?.removeEventListener('abort', onAbort);
          },
        };
        if (Number.isFinite(waitMs)) {
          timeout = setTimeout(() => {
            if (waiter.settled) return;
            // An expiry due now may hand the lock to this very waiter.
            expireIfDue(entry);
            if (waiter.settled) return;
            // Still in line, so someone holds it (a free lock always goes to the first waiter). The settled
            // waiter keeps its place in the mutex's queue and is passed over at its turn.
            settle(entry, waiter);
            resolve(lockedResult(entry));
          }, waitMs);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        entry.line.push(waiter);
        entry.waiting += 1;
        // Queued behind the holder; handOver() grants it when async-mutex dispatches it. Its own promise
        // carries nothing we need, and rejects only when close() cancels the queue.
        entry.mutex.acquire().catch(() => undefined);
        armTimer(entry);
      });
    },

    release(key, token) {
      const entry = entries.get(key);
      if (!entry) return false;
      expireIfDue(entry);
      if (entry.holder?.token !== token) return false;
      handOver(entry);
      return true;
    },

    extend(key, token, ttlMs) {
      checkTtl(ttlMs);
      const found = owned(key, token);
      if (!found) return false;
      found.holder.ttlMs = ttlMs;
      found.holder.expiresAt = now() + ttlMs;
      armTimer(found.entry);
      return true;
    },

    isHeld(key, token) {
      return owned(key, token) !== undefined;
    },

    async withLock(target, opts, fn) {
      const result = await registry.acquire(target, opts);
      if (!result.ok) throw new LockedError(result.holder, result.message);
      const { key, token, fence } = result;
      const found = owned(key, token);
      if (!found) throw new LockExpiredError(key);
      const expiry = new AbortController();
      found.holder.expiry = expiry;
      armTimer(found.entry);
      const lease: LockLease = {
        key,
        token,
        fence,
        signal: expiry.signal,
        extend: (ttlMs?: number) => {
          const holder = owned(key, token)?.holder;
          return holder ? registry.extend(key, token, ttlMs ?? holder.ttlMs) : false;
        },
      };
      try {
        return await fn(lease);
      } finally {
        registry.release(key, token);
      }
    },

    holder(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      expireIfDue(entry);
      return entry.holder ? publicHolder(entry, entry.holder) : undefined;
    },

    holders() {
      const list: LockHolder[] = [];
      for (const entry of [...entries.values()]) {
        expireIfDue(entry);
        if (entry.holder) list.push(publicHolder(entry, entry.holder));
      }
      return list.sort((a, b) => a.since - b.since);
    },

    close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      for (const entry of entries.values()) {
        clearTimer(entry);
        entry.mutex.cancel();
        for (let waiter = shiftWaiter(entry); waiter; waiter = shiftWaiter(entry)) {
          if (waiter.settled) continue;
          settle(entry, waiter);
          waiter.reject(new Error('The lock registry closed while waiting for a lock.'));
        }
      }
      entries.clear();
    },
  };
  return registry;
}
