// Migration unread-totals: the unread summary (window title, badge) is answered from the partial index
// alone — no row lookup per unread conversation, which cost 813 ms cold for 50,000 unread conversations.
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { unreadTotals } from '../../src-main/db/migrations/0010-unread-totals';
import { openDatabase } from '../../src-main/db/open';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

describe('migration unread-totals', () => {
  it('is in the list, and the unread summary reads only the covering partial index', () => {
    expect(migrations.at(unreadTotals.version - 1)).toBe(unreadTotals);
    const db = openDatabase(`${temp.dir()}/store.sqlite`);
    try {
      migrate(db, migrations);
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN
           SELECT count(*) AS conversations, coalesce(sum(unread_count), 0) AS messages FROM conversations
           WHERE unread_count > 0 AND connection_id IN (SELECT id FROM connections WHERE workspace_id = ?)`,
        )
        .all('w1') as { detail: string }[];
      const details = plan.map((row) => row.detail).join(' | ');
      expect(details).toMatch(/conversations USING COVERING INDEX conversations_unread/);
    } finally {
      db.close();
    }
  });
});
