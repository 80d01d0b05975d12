import { describe, expect, it } from 'vitest';
import { newId } from '../../src-main/db/ids';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import { createSilenceAlarm } from '../../src-main/webhooks/silenceAlarm';
import { openTempStore, seedConnection } from '../helpers/storeFixtures';

describe('silent-webhook alarm', () => {
  it('warns when messages were sent but no webhook arrived for N minutes, and clears when one does', () => {
    const { db } = openTempStore();
    const conn = seedConnection(db);
    let clock = 1_800_000_000_000;
    const alarm = createSilenceAlarm(db, () => clock);
    const repo = createConversationsRepo(db);
    const contactId = repo.getOrCreateContact({
      workspaceId: conn.workspaceId,
      phoneE164: '+16505551234',
      waId: '16505551234',
      name: null,
      source: 'manual',
      now: clock,
    });
    const conversationId = repo.getOrCreateConversation(conn.connectionId, contactId, 'manual', clock);

    expect(alarm.check(10)).toEqual([]); // nothing sent, nothing to miss
    db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, client_id, created_at, updated_at)
       VALUES (?, ?, 'outbound', 'agent', 'text', '{}', 'accepted', ?, ?, ?)`,
    ).run(newId(), conversationId, 'c1', clock, clock);

    clock += 9 * 60_000;
    expect(alarm.check(10)).toEqual([]);
    clock += 2 * 60_000;
    const silent = alarm.check(10);
    expect(silent).toHaveLength(1);
    expect(silent[0]!.message).toMatch(/No webhook from Meta for 11 minutes/);
    expect(alarm.check(15)).toEqual([]); // N is configurable

    db.prepare('UPDATE connections SET last_webhook_at = ? WHERE id = ?').run(clock, conn.connectionId);
    expect(alarm.check(10)).toEqual([]);
  });
});
