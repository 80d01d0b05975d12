// Applying delivery statuses to campaign messages. Counters move with UPDATE ... SET n = n + ? in the
// same transaction as the state change (seed §2). A counter counts the recipients that ever reached
// its state, recorded once through the state's timestamp column (sent_at, delivered_at, read_at,
// failed_at going from NULL to a time), so the counts do not depend on the order Meta delivers the
// webhooks in, nor on how often it repeats them (§6). The funnel is cumulative: a `read` that arrives
// without `delivered` counts as delivered too. The status column itself moves forward only. A failure
// with 131049 (Meta's per-user marketing cap, §3) records when its retry becomes allowed (retry_after).
import type { Db } from '../db/open';
import { MARKETING_CAP_CODE, MARKETING_CAP_RETRY_MS } from './campaigns.repo';
import { canMove, statusRank, type DeliveryStatus } from '../webhooks/statusRank';

interface CampaignMessageRow {
  id: string;
  campaign_id: string;
  campaign_recipient_id: string;
  status: DeliveryStatus;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
}

export interface StatusChange {
  wamid: string;
  callbackData: string | undefined;
  status: Exclude<DeliveryStatus, 'pending' | 'accepted' | 'unknown'>;
  atMs: number;
  errorCode: number | null;
  errorMessage: string | null;
}

export function createCampaignStatusRepo(db: Db) {
  const find = db.prepare<[string, string | null], CampaignMessageRow>(
    `SELECT id, campaign_id, campaign_recipient_id, status, sent_at, delivered_at, read_at, failed_at
     FROM campaign_messages WHERE wamid = ? OR (wamid IS NULL AND biz_opaque_callback_data = ?)`,
  );
  const update = db.prepare(
    `UPDATE campaign_messages SET
       status = @status, status_at = CASE WHEN @moved THEN @atMs ELSE status_at END, wamid = coalesce(wamid, @wamid),
       error_code = coalesce(@errorCode, error_code), error_message = coalesce(@errorMessage, error_message),
       sent_at = coalesce(sent_at, @sentAt), delivered_at = coalesce(delivered_at, @deliveredAt),
       read_at = coalesce(read_at, @readAt), failed_at = coalesce(failed_at, @failedAt), updated_at = @now
     WHERE id = @id`,
  );
  const updateRecipient = db.prepare(
    `UPDATE campaign_recipients SET status = @status, status_at = @atMs,
       error_code = coalesce(@errorCode, error_code), error_message = coalesce(@errorMessage, error_message),
       retry_after = CASE WHEN @status = 'failed' AND @errorCode = ${MARKETING_CAP_CODE}
         THEN @atMs + ${MARKETING_CAP_RETRY_MS} ELSE retry_after END,
       updated_at = @now
     WHERE id = @id`,
  );
  const bumpCounters = db.prepare(
    `UPDATE campaigns SET sent_count = sent_count + @sent, delivered_count = delivered_count + @delivered,
       read_count = read_count + @read, failed_count = failed_count + @failed, updated_at = @now
     WHERE id = @campaignId`,
  );

  return {
    /** Must run inside the caller's transaction. Returns the campaign ids whose counters moved. */
    apply(change: StatusChange, now: number): string[] {
      const moved: string[] = [];
      const rank = statusRank(change.status);
      const failed = change.status === 'failed';
      for (const row of find.all(change.wamid, change.callbackData ?? null)) {
        const reaches = (state: number, current: number | null): number | null =>
          !failed && rank >= state && current === null ? change.atMs : null;
        const sentAt = reaches(statusRank('sent'), row.sent_at);
        const deliveredAt = reaches(statusRank('delivered'), row.delivered_at);
        const readAt = reaches(statusRank('read'), row.read_at);
        const failedAt = failed && row.failed_at === null ? change.atMs : null;
        const statusMoves = canMove(row.status, change.status);
        if (!statusMoves && sentAt === null && deliveredAt === null && readAt === null && failedAt === null)
          continue;
        const status = statusMoves ? change.status : row.status;
        update.run({
          id: row.id,
          status,
          moved: statusMoves ? 1 : 0,
          atMs: change.atMs,
          wamid: change.wamid,
          errorCode: change.errorCode,
          errorMessage: change.errorMessage,
          sentAt,
          deliveredAt,
          readAt,
          failedAt,
          now,
        });
        if (statusMoves) {
          updateRecipient.run({
            id: row.campaign_recipient_id,
            status: status === 'played' ? 'read' : status,
            atMs: change.atMs,
            errorCode: change.errorCode,
            errorMessage: change.errorMessage,
            now,
          });
        }
        const one = (v: number | null): number => (v === null ? 0 : 1);
        bumpCounters.run({
          campaignId: row.campaign_id,
          sent: one(sentAt),
          delivered: one(deliveredAt),
          read: one(readAt),
          failed: one(failedAt),
          now,
        });
        moved.push(row.campaign_id);
      }
      return moved;
    },
  };
}
