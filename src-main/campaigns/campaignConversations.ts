// A finished campaign opens a conversation for each recipient WhatsApp took the message of, as WhatsApp
// and the inboxes people know (WATI, Interakt) show a broadcast in the customer's chat. It happens here,
// after the campaign, never on the send path (issue 8: no extra write per send): the thread already shows
// campaign messages read-side; this only makes the chat exist in the list, with the campaign message as
// its preview unless something newer is there.
// Each chunk is one transaction of get-or-create upserts (UNIQUE(connection_id, contact_id), seed §6), so
// a reply's webhook creating the same conversation between two chunks, a second pass, or a pass from
// another connection to the store converge on one row. Chunks yield to the event loop. The campaign is
// marked done only after its last chunk; start-up resumes a pass a crash cut short (idempotent).
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { campaignPreview } from '../conversations/campaignMessages';
import type { ConversationsRepo } from '../conversations/conversations.repo';
import type { CampaignsRepo } from './campaigns.repo';

export interface CampaignConversationsOptions {
  db: Db;
  campaigns: Pick<CampaignsRepo, 'needsConversations' | 'markConversationsOpened' | 'conversationsToOpen'>;
  conversations: Pick<ConversationsRepo, 'campaignSends' | 'upsertFromCampaign'>;
  events: EventBus;
  log: Logger;
  now: () => number;
  /** Upserts per transaction. Default 200: about 30 ms of the main thread each on a loaded 2-core machine. */
  chunkSize?: number;
}

export function createCampaignConversations(options: CampaignConversationsOptions) {
  const { db, campaigns, conversations, events, log, now } = options;
  const chunkSize = options.chunkSize ?? 200;
  const inProgress = new Map<string, Promise<void>>();
  let closed = false;

  async function pass(campaignId: string): Promise<void> {
    const sends = conversations.campaignSends(campaignId);
    for (let i = 0; i < sends.length; i += chunkSize) {
      if (closed || !db.open) return;
      const at = now();
      const ids = db
        .transaction(() =>
          sends.slice(i, i + chunkSize).map((send) =>
            conversations.upsertFromCampaign(
              {
                connectionId: send.connection_id,
                contactId: send.contact_id,
                at: send.created_at,
                preview: campaignPreview(send),
              },
              at,
            ),
          ),
        )
        .immediate();
      events.emit('conversations:changed', { conversationIds: ids });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (closed || !db.open) return;
    if (campaigns.markConversationsOpened(campaignId, now())) {
      log.info('campaigns: recipients’ conversations opened', { campaignId, conversations: sends.length });
    }
  }

  /** Opens the recipients' conversations of a finished campaign; nothing when it is not finished or done. */
  function open(campaignId: string): Promise<void> {
    const running = inProgress.get(campaignId);
    if (running) return running;
    if (closed || !db.open || !campaigns.needsConversations(campaignId)) return Promise.resolve();
    const task = pass(campaignId)
      .catch((error: unknown) => {
        // The marker stays unset: the next start-up or the next change of the campaign tries again.
        log.error('campaigns: opening recipients’ conversations failed', { campaignId, error });
      })
      .finally(() => inProgress.delete(campaignId));
    inProgress.set(campaignId, task);
    return task;
  }

  return {
    open,
    /** Every finished campaign a crash (or an older version) left without its conversations. */
    resume(): Promise<void> {
      if (closed || !db.open) return Promise.resolve();
      return Promise.all(campaigns.conversationsToOpen().map(open)).then(() => undefined);
    },
    close(): void {
      closed = true;
    },
  };
}

export type CampaignConversations = ReturnType<typeof createCampaignConversations>;
