// The SQL of opening campaign recipients' conversations (campaignConversations.ts): reads of the
// campaign's messages in rowid order, each with what the pass needs to decide about it, and the pass's
// persisted progress (campaigns.conversations_through). Reads only on the send path's tables; the one
// write there is the progress column of the campaign row, once per chunk.
//
// A message is "accepted" once it has a wamid: WhatsApp took it (the runner's answer, or the status
// webhook that resolved an unconfirmed send). A failure reported later keeps the wamid: the customer's
// thread shows that failure with its advice. A send refused outright, a skipped recipient and an
// unconfirmed send no webhook resolved have none.
import type { Db } from '../db/open';
import type { CampaignSendRow } from '../conversations/conversations.repo';

export interface CampaignSendScanRow extends Omit<CampaignSendRow, 'contact_id'> {
  /** campaign_messages.rowid: the claim order, the pass's cursor. */
  seq: number;
  contact_id: string | null;
  /** WhatsApp took it (it has a wamid). */
  accepted: 0 | 1;
  /** Claimed and not answered yet: settles within a request's time. */
  in_flight: 0 | 1;
  /** Not accepted yet but may still be: waiting for a retry, or unconfirmed (a webhook may resolve it). */
  open_outcome: 0 | 1;
  /** The contact's conversation exists and already shows this send or something newer. */
  current: 0 | 1;
}

const scanColumns = `cm.rowid AS seq, r.contact_id, k.connection_id, k.name AS campaign_name, k.template_name,
  t.components AS template_components, r.params, cm.created_at,
  cm.wamid IS NOT NULL AS accepted,
  (cm.wamid IS NULL AND r.status = 'pending' AND r.send_started_at IS NOT NULL) AS in_flight,
  (cm.wamid IS NULL AND cm.status <> 'failed' AND r.status IN ('pending', 'unknown')) AS open_outcome,
  EXISTS (SELECT 1 FROM conversations c
          WHERE c.connection_id = k.connection_id AND c.contact_id = r.contact_id
            AND c.last_message_at >= cm.created_at) AS current`;
const scanFrom = `FROM campaign_messages cm
  JOIN campaign_recipients r ON r.id = cm.campaign_recipient_id
  JOIN campaigns k ON k.id = cm.campaign_id
  LEFT JOIN templates t ON t.id = k.template_id`;

export function createCampaignConversationsRepo(db: Db) {
  // campaign_messages_campaign is (campaign_id) plus the rowid every index carries: a range search.
  const after = db.prepare<[string, number, number], CampaignSendScanRow>(
    `SELECT ${scanColumns} ${scanFrom} WHERE cm.campaign_id = ? AND cm.rowid > ? ORDER BY cm.rowid LIMIT ?`,
  );
  const at = db.prepare<[number], CampaignSendScanRow>(
    `SELECT ${scanColumns} ${scanFrom} WHERE cm.rowid = ?`,
  );
  const openOutcomesThrough = db
    .prepare<[string, number], number>(
      `SELECT cm.rowid FROM campaign_messages cm
       WHERE cm.campaign_id = ? AND cm.rowid <= ? AND cm.wamid IS NULL AND cm.status IN ('pending', 'unknown')`,
    )
    .pluck();
  const through = db
    .prepare<[string], number>('SELECT conversations_through FROM campaigns WHERE id = ?')
    .pluck();
  const advance = db.prepare<[number, string]>(
    'UPDATE campaigns SET conversations_through = max(conversations_through, ?) WHERE id = ?',
  );
  const running = db.prepare<[], string>(`SELECT id FROM campaigns WHERE status = 'running'`).pluck();

  return {
    /** The campaign's messages after `seq` in claim order, `limit` at most. */
    sendsAfter: (campaignId: string, seq: number, limit: number): CampaignSendScanRow[] =>
      after.all(campaignId, seq, limit),
    sendAt: (seq: number): CampaignSendScanRow | undefined => at.get(seq),
    /** Messages up to `seq` that may still be accepted (after a restart: what the pass must keep watching). */
    openOutcomesThrough: (campaignId: string, seq: number): number[] =>
      openOutcomesThrough.all(campaignId, seq),
    through: (campaignId: string): number => through.get(campaignId) ?? 0,
    /** Never moves back: two passes (or two processes) may advance it in any order. */
    advance(campaignId: string, seq: number): void {
      advance.run(seq, campaignId);
    },
    running: (): string[] => running.all(),
  };
}

export type CampaignConversationsRepo = ReturnType<typeof createCampaignConversationsRepo>;
