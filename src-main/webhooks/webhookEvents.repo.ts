// The only SQL on webhook_events outside the intake's insert (kept there, next to its group commit).
import type { Db } from '../db/open';

export interface WebhookEventRow {
  id: string;
  connection_id: string;
  received_at: number;
  raw_body: Buffer;
  state: 'pending' | 'processed' | 'unparseable' | 'failed';
  reason: string | null;
}

export function createWebhookEventsRepo(db: Db) {
  const get = db.prepare<[string], WebhookEventRow>(
    'SELECT id, connection_id, received_at, raw_body, state, reason FROM webhook_events WHERE id = ?',
  );
  const mark = db.prepare<[string, string | null, number, string]>(
    `UPDATE webhook_events SET state = ?, reason = ?, processed_at = ? WHERE id = ? AND state = 'pending'`,
  );
  const problems = db.prepare<
    [number],
    Omit<WebhookEventRow, 'raw_body'> & { size: number; preview: string }
  >(
    `SELECT id, connection_id, received_at, state, reason, length(raw_body) AS size,
            substr(CAST(raw_body AS TEXT), 1, 300) AS preview
     FROM webhook_events WHERE state IN ('unparseable', 'failed') ORDER BY received_at DESC LIMIT ?`,
  );
  const counts = db.prepare<[], { state: string; n: number }>(
    'SELECT state, count(*) AS n FROM webhook_events GROUP BY state',
  );
  return {
    get: (id: string) => get.get(id),
    markProcessed: (id: string, reason: string | null, at: number) => mark.run('processed', reason, at, id),
    markUnparseable: (id: string, reason: string, at: number) => mark.run('unparseable', reason, at, id),
    markFailed: (id: string, reason: string, at: number) => mark.run('failed', reason, at, id),
    /** For the diagnostics view: the latest events that could not be processed, with why. */
    problems: (limit = 100) => problems.all(limit),
    counts: () => Object.fromEntries(counts.all().map((r) => [r.state, r.n])) as Record<string, number>,
  };
}
