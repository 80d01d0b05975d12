// Migration webhook-events-problems: the diagnostics list of events that could not be processed reads
// its own partial index, newest first with no sort, and the events the intake stores ('pending') and
// processing finishes ('processed') are outside that index.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src-main/db/ids';
import { migrations } from '../../src-main/db/migrations';
import { webhookEventsProblems } from '../../src-main/db/migrations/0013-webhook-events-problems';
import { createWebhookEventsRepo } from '../../src-main/webhooks/webhookEvents.repo';
import { seedConnection } from '../helpers/storeFixtures';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

describe('migration webhook-events-problems', () => {
  it('is in the list; the problems list reads only its partial index, which holds only problem states', () => {
    expect(migrations.at(webhookEventsProblems.version - 1)).toBe(webhookEventsProblems);
    const db = temp.openMigrated();
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webhook_events'`)
      .all() as { name: string; sql: string | null }[];
    expect(indexes.map((i) => i.name).sort()).toEqual([
      'sqlite_autoindex_webhook_events_1',
      'webhook_events_connection',
      'webhook_events_problems',
    ]);
    expect(indexes.find((i) => i.name === 'webhook_events_problems')?.sql).toContain(
      `WHERE state IN ('unparseable', 'failed')`,
    );

    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN
           SELECT id FROM webhook_events WHERE state IN ('unparseable', 'failed') ORDER BY received_at DESC LIMIT 100`,
        )
        .all() as { detail: string }[]
    )
      .map((row) => row.detail)
      .join(' | ');
    expect(plan).toMatch(/webhook_events USING INDEX webhook_events_problems/);
    expect(plan).not.toMatch(/TEMP B-TREE/);

    // The list itself: the problem events, newest first; pending and processed ones are not in it.
    const conn = seedConnection(db);
    const repo = createWebhookEventsRepo(db);
    const insert = db.prepare(
      `INSERT INTO webhook_events (id, connection_id, received_at, raw_body) VALUES (?, ?, ?, ?)`,
    );
    const ids = [1, 2, 3, 4, 5].map((at) => {
      const id = newId(at);
      insert.run(id, conn.connectionId, at, Buffer.from(`{"n":${at}}`));
      return id;
    });
    repo.markUnparseable(ids[0]!, 'not JSON', 10);
    repo.markFailed(ids[2]!, 'bad shape', 10);
    repo.markProcessed(ids[3]!, null, 10);
    expect(repo.problems(10).map((p) => [p.id, p.state])).toEqual([
      [ids[2], 'failed'],
      [ids[0], 'unparseable'],
    ]);
    expect(repo.counts()).toEqual({ pending: 2, processed: 1, unparseable: 1, failed: 1 });
  });
});
