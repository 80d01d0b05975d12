// Recipients' conversations open while a campaign runs (issue 8), not only when it finishes. A background
// pass walks the campaign's messages in rowid order (their claim order) and persists how far it got, so
// a restart resumes there instead of from the start; nothing is written on the send path.
// - campaigns.conversations_through: the campaign_messages rowid up to which every message has had its
//   outcome considered (opened, failed, skipped, or noted as still open). 0 before the first pass.
import type { Migration } from '../migrate';

export const campaignConversationsLive: Migration = {
  version: 12,
  name: 'campaign-conversations-live',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      ALTER TABLE campaigns ADD COLUMN conversations_through INTEGER NOT NULL DEFAULT 0;
    `);
  },
};
