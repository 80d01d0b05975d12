// The browser host starts a large store's integrity pass a few seconds after start-up, so the first
// paint has the cores and the disk: the pass begins no sooner than asked, still gives its verdict, and a
// runtime closed before it began never starts it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDatabaseFileOffThread } from '../../src-main/backup/backgroundIntegrity';
import { DATABASE_FILE } from '../../src-main/core';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { startBackgroundCheckedRuntime } from '../helpers/backgroundCheckRuntime';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

function healthyStore(): string {
  const file = join(temp.dir(), DATABASE_FILE);
  const db = openDatabase(file);
  migrate(db, migrations);
  db.close();
  return file;
}

describe('a delayed background integrity check', () => {
  it('begins no sooner than its delay and still gives its verdict', async () => {
    const file = healthyStore();
    const started = performance.now();
    const check = checkDatabaseFileOffThread(file, { delayMs: 300 });
    await expect(check.result).resolves.toEqual({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('stopped before its delay, it never runs and says so (null)', async () => {
    const check = checkDatabaseFileOffThread(healthyStore(), { delayMs: 60_000 });
    check.stop();
    await expect(check.result).resolves.toBeNull();
  });

  it('a runtime closed before the delay closes without waiting for the pass', async () => {
    const { runtime, log } = await startBackgroundCheckedRuntime(temp.dir(), {
      backgroundCheckDelayMs: 60_000,
    });
    expect(runtime.mode()).toBe('normal');
    await runtime.close();
    expect(log.lines.join('\n')).not.toMatch(/integrity check (passed|could not run)/);
  });
});
