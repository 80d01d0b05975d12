// The inbox's outbox (issue 7). Outbound messages are sent by one queue job each; these columns let the
// jobs keep a conversation's messages in the order they were composed and never send one twice:
// - conversations.outbound_seq: a per-conversation counter, bumped with UPDATE ... SET n = n + 1 in the
//   transaction that creates the message, so concurrent composes get distinct, gapless positions;
// - messages.seq: the message's position; a job does not send while an older message of its conversation
//   is still pending (messages_outbox finds one without a scan);
// - messages.send_started_at: set in its own commit just before the API call. A job that finds it set on
//   a still-pending row was interrupted after the request may have left (a crash): the outcome is unknown
//   and the message is never resent blindly (whatsapp-cloud-api.md §10);
// - messages.next_attempt_at: when a waiting message is tried again, so the messages queued behind it
//   sleep until then instead of polling.
// conversations_inbox_keyset serves the conversation list (newest first, keyset-paged by id on ties).
import type { Migration } from '../migrate';

export const messagingOutbox: Migration = {
  version: 4,
  name: 'messaging-outbox',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      ALTER TABLE conversations ADD COLUMN outbound_seq INTEGER NOT NULL DEFAULT 0 CHECK (outbound_seq >= 0);
      ALTER TABLE messages ADD COLUMN seq INTEGER CHECK (seq IS NULL OR seq > 0);
      ALTER TABLE messages ADD COLUMN send_started_at INTEGER;
      ALTER TABLE messages ADD COLUMN next_attempt_at INTEGER;
      CREATE INDEX messages_outbox ON messages(conversation_id, seq) WHERE status = 'pending';
      CREATE INDEX conversations_inbox_keyset ON conversations(connection_id, last_message_at, id);
    `);
  },
};
