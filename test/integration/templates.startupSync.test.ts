// Sync on connect at start-up waits out the first 2 s (the first paint needs nothing from Meta): on a
// first start the Sandbox connection is new and never synced, and its sync job is due 2 s after the
// template jobs were set up, not at once. A frozen clock makes the gap exact whatever the machine's load.
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { createLogger } from '../../src-main/log';
import { templateSyncJobType } from '../../src-main/templates/templates.jobs';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
let core: Core | undefined;

afterEach(async () => {
  await core?.close();
  core = undefined;
});

describe('template sync at start-up', () => {
  it("the Sandbox's first sync is due 2 s after start-up, not during the first paint", async () => {
    const startedAt = Date.now();
    core = await createCore({
      dataDir: temp.dir(),
      hostKind: 'browser',
      log: createLogger(() => undefined),
      now: () => startedAt,
    });
    const sandboxId = core.sandbox?.connectionId;
    expect(sandboxId).toBeTruthy();
    const job = core.db
      .prepare<[string, string], { run_at: number; created_at: number }>(
        `SELECT run_at, created_at FROM jobs WHERE type = ? AND unique_key = ?`,
      )
      .get(templateSyncJobType, `${templateSyncJobType}:${sandboxId}`);
    expect(job).toEqual({ created_at: startedAt, run_at: startedAt + 2_000 });
  });
});
