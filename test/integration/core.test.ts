// The composition root wires the store, locks, limiter and queue, reports the real schema version and
// health, and shuts down gracefully.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCore, DATABASE_FILE } from '../../src-main/core';
import { DatabaseTooNewError } from '../../src-main/db/migrate';
import { SCHEMA_VERSION } from '../../src-main/db/migrations';
import { openDatabase, schemaVersionOf } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { whatsappApiLimit } from '../../src-main/ratelimit/limits';
import type { Health } from '../../src-preload/contract';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();

describe('core', () => {
  it('opens <dataDir>/bellhop.sqlite, migrates it and reports the real user_version', async () => {
    const dataDir = temp.dir();
    const core = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);
    expect(core.info()).toMatchObject({
      name: 'Bellhop',
      dataDir,
      hostKind: 'browser',
      schemaVersion: SCHEMA_VERSION,
    });
    expect(core.info().schemaVersion).toBe(schemaVersionOf(core.db));
    const viaIpc = await core.router.dispatch('app:info', {}, { trusted: true, description: 'test' });
    expect(viaIpc).toMatchObject({ ok: true, value: { schemaVersion: SCHEMA_VERSION } });
    expect(core.health()).toMatchObject({ database: 'ok', queue: 'ok' });
    expect(core.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(core.db.pragma('foreign_keys', { simple: true })).toBe(1);
    await core.close();
  });

  it('refuses a data folder written by a newer Bellhop and leaves it untouched', async () => {
    const dataDir = temp.dir();
    const future = openDatabase(join(dataDir, DATABASE_FILE));
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    await expect(
      createCore({ dataDir, hostKind: 'electron', log: createMemoryLogger() }),
    ).rejects.toBeInstanceOf(DatabaseTooNewError);
    const check = openDatabase(join(dataDir, DATABASE_FILE));
    expect(schemaVersionOf(check)).toBe(SCHEMA_VERSION + 1);
    expect(check.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get()).toBe(0);
    check.close();
  });

  it('runs jobs, pushes health changes, and close() drains running jobs before closing the database', async () => {
    const core = await createCore({ dataDir: temp.dir(), hostKind: 'browser', log: createMemoryLogger() });
    const pushed: Health[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'app:health-changed') pushed.push(payload as Health);
    });
    let release: () => void = () => {};
    let started = false;
    let finished = false;
    const job = core.queue.register('test.slow', {
      queue: 'default',
      schema: z.object({}),
      handler: async () => {
        started = true;
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      },
    });
    job.enqueue({});
    await waitFor(() => started, { what: 'the job to start' });

    core.queue.pause('campaigns');
    expect(pushed.at(-1)).toMatchObject({ queue: 'degraded', details: { queue: 'Paused: campaigns.' } });
    core.queue.resume('campaigns');
    expect(pushed.at(-1)).toMatchObject({ queue: 'ok' });

    const closing = core.close();
    expect(core.close()).toBe(closing);
    setTimeout(() => release(), 30);
    await closing;
    expect(finished).toBe(true);
    expect(core.db.open).toBe(false);
    expect(core.health()).toMatchObject({ database: 'down', queue: 'down' });
    expect(core.info().schemaVersion).toBe(SCHEMA_VERSION);

    // The finished job's outcome was saved before the database closed.
    const reopened = openDatabase(join(core.dataDir, DATABASE_FILE));
    expect(reopened.prepare(`SELECT count(*) FROM jobs WHERE type = 'test.slow'`).pluck().get()).toBe(0);
    reopened.close();
  });

  it('locks and limits live on across a restart of the core where they must', async () => {
    const dataDir = temp.dir();
    const first = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    const { key, rule } = whatsappApiLimit('c1', 1);
    expect(first.limiter.tryTake(key, rule)).toEqual({ ok: true });
    const lock = await first.locks.acquire('k', { ttlMs: 1000 });
    await first.close();

    const second = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    expect(second.limiter.tryTake(key, rule).ok).toBe(false);
    const again = await second.locks.acquire('k', { ttlMs: 1000 });
    if (!lock.ok || !again.ok) throw new Error('expected both locks');
    expect(again.fence).toBeGreaterThan(lock.fence);
    await second.close();
  });
});
