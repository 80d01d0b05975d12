// The webhook intake's insert (every webhook Meta sends, thousands a second in a burst) no longer
// updates an index that no reader needs. webhook_events_open indexed every event not yet processed,
// 'pending' ones included, but its one reader is the diagnostics list of the events that could not be
// processed (state IN ('unparseable', 'failed'), newest first); a pending event is read by its id,
// from its processing job. Indexing only those two states keeps the intake's insert, and processing's
// mark as processed (which took the entry out again), away from it: about 3 of the insert's ~15 µs
// per event and one of the ~20 pages each group commit writes to the WAL.
// webhook_events_connection stays: ON DELETE CASCADE from connections finds a connection's events by
// it, and without it removing a number would read every stored body.
import type { Migration } from '../migrate';

export const webhookEventsProblems: Migration = {
  version: 13,
  name: 'webhook-events-problems',
  movesData: false,
  up(db) {
    db.exec(`
      DROP INDEX webhook_events_open;
      CREATE INDEX webhook_events_problems ON webhook_events(received_at)
        WHERE state IN ('unparseable', 'failed');
    `);
  },
};
