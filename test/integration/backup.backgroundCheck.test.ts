// A large store's start-up integrity check runs beside the app (backgroundIntegrity.ts): the app opens at
// once, and a damaged store is still caught — the app then switches to recovery mode, as a failing check
// before opening would have left it. The size threshold is lowered to 0 here so a small store stands in
// for a large one.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupsStatus } from '../../src-preload/backups.contract';
import type { Health, Result } from '../../src-preload/contract';
import { startAppRuntime, type AppRuntime } from '../../src-main/backup/appRuntime';
import { DATABASE_FILE } from '../../src-main/core';
import { openDatabase } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { startBackgroundCheckedRuntime } from '../helpers/backgroundCheckRuntime';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
const sender = { trusted: true, description: 'test' };

async function call<T>(runtime: AppRuntime, channel: string, payload: unknown = {}): Promise<T> {
  const result = (await runtime.router.dispatch(channel, payload, sender)) as Result<T>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function storeWithData(dataDir: string): Promise<void> {
  const first = await startAppRuntime({
    dataDir,
    hostKind: 'browser',
    sandbox: false,
    log: createMemoryLogger(),
  });
  await call(first, 'workspaces:create', { name: 'Precious' });
  await first.close();
}

describe('the integrity check of a large store runs beside the app', () => {
  it('a healthy store opens at once and stays open after the check passes', async () => {
    const dataDir = temp.dir();
    await storeWithData(dataDir);
    const { runtime, log } = await startBackgroundCheckedRuntime(dataDir);
    try {
      expect(runtime.mode()).toBe('normal');
      await waitFor(() => log.lines.some((l) => l.includes('integrity check passed')), {
        what: 'the background check passed',
      });
      expect(runtime.mode()).toBe('normal');
      const list = await call<{ workspaces: { name: string }[] }>(runtime, 'workspaces:list');
      expect(list.workspaces.map((w) => w.name)).toEqual(['Precious']);
    } finally {
      await runtime.close();
    }
  });

  it('a damaged store is caught after opening: the app switches to recovery mode and says so', async () => {
    const dataDir = temp.dir();
    await storeWithData(dataDir);
    // A dying disk: the last pages of the file overwritten. They hold a table start-up does not read, so
    // the app opens and migrates as usual; only a full pass finds the damage.
    const file = join(dataDir, DATABASE_FILE);
    const db = openDatabase(file);
    db.exec(`CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT`);
    const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(40));
    })();
    db.close();
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    const garbage = Buffer.alloc(4096 * 4, 0xa5);
    writeSync(fd, garbage, 0, garbage.length, size - garbage.length);
    closeSync(fd);

    const { runtime: started, log } = await startBackgroundCheckedRuntime(dataDir);
    // Opened before the check ran: the first paint does not wait for it.
    const openedFirst = started.mode() === 'normal';
    const health: Health[] = [];
    started.events.subscribe((event, payload) => {
      if (event === 'app:health-changed') health.push(payload as Health);
    });
    try {
      expect(openedFirst).toBe(true);
      await waitFor(() => started.mode() === 'recovery', { what: 'recovery mode', timeoutMs: 30_000 });
      const status = await call<BackupsStatus>(started, 'backups:list');
      expect(status.mode).toBe('recovery');
      expect(status.problem).toMatch(/integrity check/);
      expect(await call(started, 'app:health')).toMatchObject({ database: 'down' });
      // The open pages are told, so the screen can show the damage instead of failing calls.
      await waitFor(() => health.at(-1)?.database === 'down', { what: 'a health push saying so' });
      const blocked = await started.router.dispatch('workspaces:list', {}, sender);
      expect(blocked).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      expect(log.lines.join('\n')).toMatch(/switching to recovery mode/);
    } finally {
      await started.close();
    }
  }, 60_000);
});
