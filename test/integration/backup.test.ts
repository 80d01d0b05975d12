// Backups with SQLite's online backup API and restore through the app runtime: a backup taken while two
// writers (another process, and this one on the same connection) hammer the store restores to a
// consistent database; a restore round trip brings the old data back and keeps the replaced data aside;
// a damaged store is caught at start-up and the app starts in recovery mode offering the newest good
// backup, from which it comes back to normal.
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { BackupsStatus, BackupView } from '../../src-preload/backups.contract';
import type { Result } from '../../src-preload/contract';
import { startAppRuntime, type AppRuntime } from '../../src-main/backup/appRuntime';
import { createBackupService } from '../../src-main/backup/backup.service';
import { checkDatabaseFile } from '../../src-main/backup/integrity';
import { applyPendingRestore, writeRestoreMarker } from '../../src-main/backup/restore';
import { DATABASE_FILE } from '../../src-main/core';
import { SCHEMA_VERSION } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { nextMessage, useChildren } from '../helpers/childProcess';
import { createLedger } from '../helpers/ledgerWriter';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const children = useChildren();
const sender = { trusted: true, description: 'test' };

async function call<T>(runtime: AppRuntime, channel: string, payload: unknown = {}): Promise<T> {
  const result = (await runtime.router.dispatch(channel, payload, sender)) as Result<T>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function ledgerState(file: string): { rows: number; sum: number; totals: { n: number; sum: number } } {
  const db = openDatabase(file, { readonly: true });
  try {
    const { rows, sum } = db
      .prepare('SELECT count(*) AS rows, coalesce(sum(amount), 0) AS sum FROM ledger')
      .get() as {
      rows: number;
      sum: number;
    };
    const totals = db.prepare('SELECT n, sum FROM totals WHERE id = 1').get() as { n: number; sum: number };
    return { rows, sum, totals };
  } finally {
    db.close();
  }
}

describe('online backup', () => {
  it('taken during heavy writes from two connections, restores to a consistent database', async () => {
    const dataDir = temp.dir();
    const file = join(dataDir, DATABASE_FILE);
    const db = openDatabase(file);
    const write = createLedger(db);
    write(25, 0);
    // Enough data that the copy takes many steps (about 4 MB).
    for (let i = 1; i < 800; i++) write(25, i);

    const writer = children.forkTs('ledgerWriter.ts', [file]);
    await nextMessage(writer);
    let localWrites = 0;
    let writing = true;
    const local = (async () => {
      while (writing) {
        write(25, 100_000 + localWrites++);
        await nextTurn();
      }
    })();

    const backups = createBackupService({ db, dataDir, log: createMemoryLogger(), now: Date.now });
    const before = ledgerState(file).rows;
    const backup = await backups.backupNow('manual');
    writing = false;
    await local;
    writer.send('stop');
    const { transactions } = await nextMessage<{ transactions: number }>(writer);
    await backups.close();
    db.close();
    expect(transactions).toBeGreaterThan(0);
    expect(localWrites).toBeGreaterThan(0);

    expect(checkDatabaseFile(backup.path)).toEqual({ ok: true });
    writeRestoreMarker(dataDir, backup.name, Date.now());
    const outcome = applyPendingRestore(dataDir, createMemoryLogger());
    expect(outcome).toMatchObject({ applied: true, backupName: backup.name });
    const restored = ledgerState(file);
    expect(restored.rows).toBeGreaterThanOrEqual(before);
    // One consistent moment: every transaction entirely in, or entirely out.
    expect(restored.totals).toEqual({ n: restored.rows, sum: restored.sum });
    expect(checkDatabaseFile(file)).toEqual({ ok: true });
  }, 120_000);
});

describe('restore through the app runtime', () => {
  it('round trip: the backed-up data comes back, the replaced data is kept aside, confirmation required', async () => {
    const dataDir = temp.dir();
    const runtime = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    try {
      const shop = await call<{ id: string }>(runtime, 'workspaces:create', { name: 'Before' });
      const backup = await call<BackupView>(runtime, 'backups:create');
      await call(runtime, 'workspaces:rename', { workspaceId: shop.id, name: 'After' });
      await call(runtime, 'workspaces:create', { name: 'Second' });

      const unconfirmed = await runtime.router.dispatch('backups:restore', { name: backup.name }, sender);
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(JSON.stringify(unconfirmed)).toMatch(/Type RESTORE/);
      const names = async () =>
        (await call<{ workspaces: { name: string }[] }>(runtime, 'workspaces:list')).workspaces
          .map((w) => w.name)
          .sort();
      expect(await names()).toEqual(['After', 'Second']);

      const restored = await call<{ restoredFrom: string; keptAside: string }>(runtime, 'backups:restore', {
        name: backup.name,
        confirm: 'RESTORE',
      });
      expect(restored.restoredFrom).toBe(backup.name);
      expect(await names()).toEqual(['Before']);
      expect(runtime.mode()).toBe('normal');

      const kept = openDatabase(join(restored.keptAside, DATABASE_FILE), { readonly: true });
      const keptNames = kept.prepare('SELECT name FROM workspaces ORDER BY name').pluck().all();
      kept.close();
      expect(keptNames).toEqual(['After', 'Second']);
      const status = await call<BackupsStatus>(runtime, 'backups:list');
      expect(status.lastRestore).toMatchObject({ ok: true });
    } finally {
      await runtime.close();
    }
  }, 60_000);

  it('a damaged database is caught at start-up: recovery mode offers the newest good backup and restores from it', async () => {
    const dataDir = temp.dir();
    const first = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    await call(first, 'workspaces:create', { name: 'Precious' });
    const older = await call<BackupView>(first, 'backups:create');
    const newest = await call<BackupView>(first, 'backups:create');
    await first.close();
    expect(newest.createdAt).toBeGreaterThan(older.createdAt);

    // A dying disk: pages 2-12 overwritten with garbage (the header page survives, so SQLite opens it).
    const fd = openSync(join(dataDir, DATABASE_FILE), 'r+');
    const garbage = Buffer.alloc(4096 * 11, 0xa5);
    writeSync(fd, garbage, 0, garbage.length, 4096);
    closeSync(fd);

    const log = createMemoryLogger();
    const runtime = await startAppRuntime({ dataDir, hostKind: 'browser', sandbox: false, log });
    try {
      expect(runtime.mode()).toBe('recovery');
      const status = await call<BackupsStatus>(runtime, 'backups:list');
      expect(status.mode).toBe('recovery');
      expect(status.problem).toMatch(/integrity check/);
      expect(status.newestGood).toBe(newest.name);
      expect(await call(runtime, 'app:health')).toMatchObject({ database: 'down' });
      const blocked = await runtime.router.dispatch('workspaces:list', {}, sender);
      expect(blocked).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      expect(JSON.stringify(blocked)).toMatch(/recovery mode/);
      expect(await call(runtime, 'diagnostics:get')).toMatchObject({ mode: 'recovery', dataDir });

      await call(runtime, 'backups:restore', { name: newest.name, confirm: 'RESTORE' });
      expect(runtime.mode()).toBe('normal');
      const list = await call<{ workspaces: { name: string }[] }>(runtime, 'workspaces:list');
      expect(list.workspaces.map((w) => w.name)).toEqual(['Precious']);
      expect(log.lines.join('\n')).toMatch(/recovery mode/);
    } finally {
      await runtime.close();
    }
  }, 60_000);

  it('a backup the app cannot open (written by a newer Bellhop) leaves the app in recovery mode, not dead', async () => {
    const dataDir = temp.dir();
    const runtime = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    try {
      const backup = await call<BackupView>(runtime, 'backups:create');
      const future = openDatabase(join(dataDir, 'backups', backup.name));
      future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      future.close();
      const result = await runtime.router.dispatch(
        'backups:restore',
        { name: backup.name, confirm: 'RESTORE' },
        sender,
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(JSON.stringify(result)).toMatch(/newer|could not be opened/i);
      expect(runtime.mode()).toBe('recovery');
      const status = await call<BackupsStatus>(runtime, 'backups:list');
      expect(status.mode).toBe('recovery');
    } finally {
      await runtime.close();
    }
  }, 60_000);

  it('a restore interrupted before start-up (marker left behind) is applied on the next start', async () => {
    const dataDir = temp.dir();
    const first = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    await call(first, 'workspaces:create', { name: 'Old' });
    const backup = await call<BackupView>(first, 'backups:create');
    await call(first, 'workspaces:create', { name: 'New' });
    await first.close();
    writeRestoreMarker(dataDir, backup.name, Date.now());
    const runtime = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    try {
      const list = await call<{ workspaces: { name: string }[] }>(runtime, 'workspaces:list');
      expect(list.workspaces.map((w) => w.name)).toEqual(['Old']);
      expect(existsSync(join(dataDir, 'restore.json'))).toBe(false);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
