// A campaign's messages in the inbox (issue 8). The thread reads a contact's campaign messages beside its
// conversation's messages (no extra write on the send path). A recipient without a conversation gets one
// when the campaign finishes, in chunks that may be interrupted by a crash; this column records that every
// chunk ran, so start-up finishes what a crash left (the get-or-create is idempotent).
// - campaigns.conversations_opened_at: when the finished campaign's recipients got their conversations;
//   NULL while running, and again after a reopen (resend of unconfirmed sends).
import type { Migration } from '../migrate';

export const campaignConversations: Migration = {
  version: 11,
  name: 'campaign-conversations',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      ALTER TABLE campaigns ADD COLUMN conversations_opened_at INTEGER;
    `);
  },
};
