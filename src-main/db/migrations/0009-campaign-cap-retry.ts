// 131049, Meta's per-user marketing cap (whatsapp-cloud-api.md §3: "wait ≥24 h per user"): a recipient
// failed with it may be sent again once 24 h have passed, at the user's request (issue 8).
// - campaign_recipients.retry_after: when that retry becomes allowed, written with the failure (the
//   status webhook or the send's own answer), so the rule lives in one place and the screen shows it.
//   Failures already stored get it from their failure time (status_at + 24 h).
// - campaign_recipients.cap_retries: how many times the recipient was put back after 131049. A retry is a
//   new message to Meta: its biz_opaque_callback_data carries this number, so a late status webhook of
//   the failed attempt (which Meta may repeat, §6) can never be taken for the retry's.
import type { Migration } from '../migrate';

/** §3: 131049 may be retried after at least 24 h. */
const MARKETING_CAP_RETRY_MS = 24 * 3_600_000;

export const campaignCapRetry: Migration = {
  version: 9,
  name: 'campaign-cap-retry',
  movesData: true,
  up(db) {
    db.exec(/* sql */ `
      ALTER TABLE campaign_recipients ADD COLUMN retry_after INTEGER;
      ALTER TABLE campaign_recipients ADD COLUMN cap_retries INTEGER NOT NULL DEFAULT 0 CHECK (cap_retries >= 0);
      UPDATE campaign_recipients SET retry_after = status_at + ${MARKETING_CAP_RETRY_MS}
        WHERE status = 'failed' AND error_code = 131049 AND status_at IS NOT NULL;
      CREATE INDEX campaign_recipients_cap_retry ON campaign_recipients(campaign_id, retry_after)
        WHERE status = 'failed' AND retry_after IS NOT NULL;
    `);
  },
};
