// The lock registry under real contention, with the fence check on real SQLite.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createFenceBlockSource, createFenceGuard, StaleFenceError } from '../../src-main/locks/fence.store';
import { lockKeys } from '../../src-main/locks/keys';
import { createLockRegistry, LockedError, type LockRegistry } from '../../src-main/locks/registry';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

function fakeClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

async function randomGap(i: number): Promise<void> {
  // A mix of microtask, macrotask and timer gaps, so callers interleave in every way the event loop allows.
  if (i % 3 === 0) await Promise.resolve();
  else if (i % 3 === 1) await nextTurn();
  else await new Promise((resolve) => setTimeout(resolve, i % 2));
}

describe('lock registry: mutual exclusion', () => {
  it('1,000 concurrent withLock callers on one key never overlap, all run, in arrival order, with rising fences', async () => {
    const locks = createLockRegistry();
    let inside = 0;
    let maxInside = 0;
    const entered: number[] = [];
    const fences: number[] = [];
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        locks.withLock('one-key', { ttlMs: 60_000, waitMs: Infinity }, async (lease) => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          entered.push(i);
          fences.push(lease.fence);
          await randomGap(i);
          await randomGap(i + 1);
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(entered).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(fences.every((f, i) => i === 0 || f > fences[i - 1]!)).toBe(true);
    expect(locks.holders()).toEqual([]);
    locks.close();
  });

  it('different keys do not wait for each other, while each key stays exclusive', async () => {
    const locks = createLockRegistry();
    const inside = new Map<string, number>();
    let maxPerKey = 0;
    let maxAcrossKeys = 0;
    let total = 0;
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const key = `key-${i % 10}`;
        return locks.withLock(key, { ttlMs: 60_000, waitMs: Infinity }, async () => {
          inside.set(key, (inside.get(key) ?? 0) + 1);
          total += 1;
          maxPerKey = Math.max(maxPerKey, inside.get(key)!);
          maxAcrossKeys = Math.max(maxAcrossKeys, total);
          await randomGap(i);
          inside.set(key, inside.get(key)! - 1);
          total -= 1;
        });
      }),
    );
    expect(maxPerKey).toBe(1);
    expect(maxAcrossKeys).toBeGreaterThan(1);
  });

  it('answers LOCKED at once with who holds it and since when (for "an import is already running")', async () => {
    const clock = fakeClock();
    const locks = createLockRegistry({ now: clock.now });
    const spec = lockKeys.contactImport('w1');
    const first = await locks.acquire(spec, { owner: undefined });
    expect(first.ok).toBe(true);
    clock.advance(2 * 60_000);
    const second = await locks.acquire(spec);
    expect(second).toMatchObject({
      ok: false,
      code: 'LOCKED',
      holder: { key: 'contact_import:workspace:w1', since: clock.now() - 120_000, ttlMs: 600_000 },
      message: 'A contact import is already running (started 2 min ago).',
    });
    expect(locks.holders()).toEqual([
      expect.objectContaining({ key: 'contact_import:workspace:w1', waiting: 0 }),
    ]);
    await expect(locks.withLock(spec, {}, () => 'never')).rejects.toBeInstanceOf(LockedError);
    await expect(locks.withLock(spec, {}, () => 'never')).rejects.toMatchObject({ code: 'LOCKED' });
  });

  it('tryAcquire answers synchronously and shares the line with acquire', async () => {
    const locks = createLockRegistry();
    const a = locks.tryAcquire(lockKeys.templateSync('c1'));
    expect(a).toMatchObject({ ok: true, key: 'template_sync:connection:c1' });
    const waiting = locks.acquire(lockKeys.templateSync('c1'), { waitMs: Infinity });
    if (!a.ok) throw new Error('expected the lock');
    locks.release(a.key, a.token);
    // The lock went to the waiter in line, not to a later synchronous caller.
    expect(locks.tryAcquire(lockKeys.templateSync('c1'))).toMatchObject({ ok: false, code: 'LOCKED' });
    expect((await waiting).ok).toBe(true);
    expect(() => locks.tryAcquire('k', {})).toThrow(/ttlMs/);
  });

  it('only the owner can release; a wrong token changes nothing', async () => {
    const locks = createLockRegistry();
    const a = await locks.acquire('k', { ttlMs: 10_000 });
    if (!a.ok) throw new Error('expected the lock');
    expect(locks.release('k', 'not-the-token')).toBe(false);
    expect((await locks.acquire('k', { ttlMs: 10_000 })).ok).toBe(false);
    expect(locks.release('k', a.token)).toBe(true);
    expect(locks.release('k', a.token)).toBe(false);
    expect((await locks.acquire('k', { ttlMs: 10_000 })).ok).toBe(true);
  });

  it('a waiter that times out gives up with LOCKED and never receives the lock later; the next in line does', async () => {
    const locks = createLockRegistry();
    const a = await locks.acquire('k', { ttlMs: 60_000 });
    if (!a.ok) throw new Error('expected the lock');
    const impatient = locks.acquire('k', { ttlMs: 60_000, waitMs: 20 });
    const patient = locks.acquire('k', { ttlMs: 60_000, waitMs: 10_000 });
    const gaveUp = await impatient;
    expect(gaveUp).toMatchObject({ ok: false, code: 'LOCKED', holder: { waiting: 1 } });
    locks.release('k', a.token);
    const got = await patient;
    expect(got.ok).toBe(true);
    expect(locks.holder('k')?.fence).toBe(got.ok ? got.fence : -1);
  });

  it('an aborted waiter leaves the line with the abort reason and the lock goes to the next', async () => {
    const locks = createLockRegistry();
    const a = await locks.acquire('k', { ttlMs: 60_000 });
    if (!a.ok) throw new Error('expected the lock');
    const controller = new AbortController();
    const aborted = locks.acquire('k', { ttlMs: 60_000, waitMs: Infinity, signal: controller.signal });
    const next = locks.acquire('k', { ttlMs: 60_000, waitMs: Infinity });
    controller.abort(new Error('user cancelled'));
    await expect(aborted).rejects.toThrow('user cancelled');
    locks.release('k', a.token);
    expect((await next).ok).toBe(true);
  });

  it('refuses nonsense options with a clear error', async () => {
    const locks = createLockRegistry();
    await expect(locks.acquire('k', {})).rejects.toThrow(/ttlMs/);
    await expect(locks.acquire('k', { ttlMs: -1 })).rejects.toThrow(/ttlMs/);
    await expect(locks.acquire('', { ttlMs: 1 })).rejects.toThrow(/non-empty/);
  });
});

describe('lock registry: expiry and fencing', () => {
  it('TTL expiry hands the lock to a waiter; the stale owner can neither release nor write (fenced)', async () => {
    const db = temp.openMigrated();
    const fences = createFenceGuard(db);
    db.exec(`CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT`);
    const save = (body: string) => () => {
      db.prepare(
        `INSERT INTO notes (id, body) VALUES ('n', ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      ).run(body);
    };
    const locks = createLockRegistry({ nextFenceBlock: createFenceBlockSource(db) });

    const stale = await locks.acquire('export', { ttlMs: 40 });
    if (!stale.ok) throw new Error('expected the lock');
    fences.write('export', stale.fence, save('from the first owner'));

    // The first owner stalls past its TTL; a waiter is admitted by the expiry, without any release.
    const fresh = await locks.acquire('export', { ttlMs: 60_000, waitMs: 5_000 });
    if (!fresh.ok) throw new Error('expected the lock after expiry');
    expect(fresh.fence).toBeGreaterThan(stale.fence);
    fences.write('export', fresh.fence, save('from the new owner'));

    expect(locks.release('export', stale.token)).toBe(false);
    expect(locks.extend('export', stale.token, 60_000)).toBe(false);
    expect(() => fences.write('export', stale.fence, save('late write from the stale owner'))).toThrow(
      StaleFenceError,
    );
    expect(db.prepare(`SELECT body FROM notes`).pluck().get()).toBe('from the new owner');
    expect(locks.isHeld('export', fresh.token)).toBe(true);
    locks.close();
  });

  it('withLock aborts its signal when the lease expires, and a new owner gets in', async () => {
    const locks = createLockRegistry();
    let abortedWith: unknown;
    const slow = locks.withLock('k', { ttlMs: 30 }, async (lease) => {
      await new Promise<void>((resolve) =>
        lease.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      abortedWith = lease.signal.reason;
      expect(lease.extend()).toBe(false);
    });
    const next = await locks.acquire('k', { ttlMs: 1000, waitMs: 5000 });
    expect(next.ok).toBe(true);
    await slow;
    expect(String(abortedWith)).toMatch(/expired/);
    // The stale withLock's release in `finally` did not free the new owner's lock.
    expect(locks.holder('k')?.fence).toBe(next.ok ? next.fence : -1);
  });

  it('extend is a heartbeat: the lock outlives its first TTL while extended, then expires', async () => {
    const clock = fakeClock();
    const locks = createLockRegistry({ now: clock.now });
    const a = await locks.acquire('import', { ttlMs: 1000 });
    if (!a.ok) throw new Error('expected the lock');
    clock.advance(900);
    expect(locks.extend('import', a.token, 1000)).toBe(true);
    clock.advance(600);
    expect((await locks.acquire('import', { ttlMs: 1000 })).ok).toBe(false);
    clock.advance(500);
    const b = await locks.acquire('import', { ttlMs: 1000 });
    expect(b.ok).toBe(true);
    expect(locks.isHeld('import', a.token)).toBe(false);
  });

  it('fences keep rising across a restart of the registry (blocks come from SQLite)', async () => {
    const db = temp.openMigrated();
    const first = createLockRegistry({ nextFenceBlock: createFenceBlockSource(db) });
    const a = await first.acquire('k', { ttlMs: 1000 });
    first.close();
    const second = createLockRegistry({ nextFenceBlock: createFenceBlockSource(db) });
    const b = await second.acquire('k', { ttlMs: 1000 });
    if (!a.ok || !b.ok) throw new Error('expected both locks');
    expect(b.fence).toBeGreaterThan(a.fence);
    // So a fence recorded by the store before the restart does not lock out the new process.
    const fences = createFenceGuard(db);
    fences.write('k', a.fence, () => undefined);
    expect(() => fences.write('k', b.fence, () => undefined)).not.toThrow();
  });

  it('the fence check refuses to run outside a transaction', () => {
    const db = temp.openMigrated();
    expect(() => createFenceGuard(db).check('k', 1)).toThrow(/inside the transaction/);
  });

  it('close() rejects callers still waiting', async () => {
    const locks: LockRegistry = createLockRegistry();
    await locks.acquire('k', { ttlMs: 60_000 });
    const waiting = locks.acquire('k', { ttlMs: 60_000, waitMs: Infinity });
    locks.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});
