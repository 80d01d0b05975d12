// Campaign sending (issue 8). What the runner needs beyond the initial schema:
// - campaign_recipients.send_started_at: set in its own commit just before the API request, once the
//   connection's rate-limit slot is granted. A recipient found 'pending' with it set was in flight when
//   the app stopped: its outcome is unknown and it is never resent blindly (§10); it becomes 'unknown'
//   ("unconfirmed") until its status webhook (biz_opaque_callback_data) says what happened.
// - next_attempt_at / attempts: a transient failure or 131056 (pair rate limit) delays only that
//   recipient; campaign_recipients_due finds the next due ones without a scan.
// - campaigns.status_reason: why a campaign paused or failed (auto-pause names Meta's code).
// - campaigns.exclusions: the opted-out / invalid / duplicate counts of the resolved audience (JSON).
// - campaigns.materialized_at: the audience was written as recipient rows (then it never changes).
// - campaigns.late_since: a schedule that came due while the app was closed; it waits for the user.
// - campaigns.unconfirmed_resend_after_ms: NULL (default) leaves unconfirmed sends to the user.
// - connections.rate_limit_per_second: Meta upgrades busy numbers to 1,000 messages/s (§4), beyond
//   what rate_limit_per_minute's CHECK (at most 80/s) allows; when set it replaces that rule.
import type { Migration } from '../migrate';

export const campaignRunner: Migration = {
  version: 6,
  name: 'campaign-runner',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      ALTER TABLE connections ADD COLUMN rate_limit_per_second INTEGER
        CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 1000);
      ALTER TABLE campaigns ADD COLUMN status_reason TEXT;
      ALTER TABLE campaigns ADD COLUMN exclusions TEXT CHECK (exclusions IS NULL OR json_valid(exclusions));
      ALTER TABLE campaigns ADD COLUMN materialized_at INTEGER;
      ALTER TABLE campaigns ADD COLUMN late_since INTEGER;
      ALTER TABLE campaigns ADD COLUMN unconfirmed_resend_after_ms INTEGER
        CHECK (unconfirmed_resend_after_ms IS NULL OR unconfirmed_resend_after_ms > 0);
      ALTER TABLE campaign_recipients ADD COLUMN send_started_at INTEGER;
      ALTER TABLE campaign_recipients ADD COLUMN next_attempt_at INTEGER;
      ALTER TABLE campaign_recipients ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
      CREATE INDEX campaign_recipients_due ON campaign_recipients(campaign_id, next_attempt_at)
        WHERE status = 'pending' AND send_started_at IS NULL;
      CREATE INDEX campaign_recipients_in_flight ON campaign_recipients(campaign_id)
        WHERE status = 'pending' AND send_started_at IS NOT NULL;
      CREATE INDEX campaigns_live ON campaigns(status) WHERE status IN ('running', 'scheduled');
    `);
  },
};
