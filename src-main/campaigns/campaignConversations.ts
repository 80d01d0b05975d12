// A campaign opens a conversation for each recipient WhatsApp took the message of, as WhatsApp and the
// inboxes people know (WATI, Interakt) show a broadcast in the customer's chat, with the campaign message
// as its preview unless something newer is there. The thread already shows campaign messages read-side;
// this makes the chat exist in the list.
//
// Never on the send path (issue 8: no extra write per send). While a campaign runs, a background pass
// every `intervalMs` walks the campaign's messages after its persisted watermark (campaigns.
// conversations_through, a campaign_messages rowid: claim order) in chunks, opening the accepted ones:
// - the watermark stops before the first send still in flight (it settles within a request's time) and
//   is written in each chunk's transaction, so a crash resumes where the last chunk committed;
// - a send that is not accepted but may still be (waiting for a retry, or unconfirmed until a webhook
//   resolves it) is passed over and remembered in memory; later passes look at those again. After a
//   restart, the first pass finds them again below the watermark (one indexed read);
// - at the finish, a final pass walks every message once more and opens whatever is missing (a send
//   resolved after the campaign's last live pass, a cap retry), then marks the campaign done; start-up
//   resumes a final pass a crash cut short. Rows whose conversation already shows them cost a read only.
// Each chunk is one transaction of get-or-create upserts (UNIQUE(connection_id, contact_id), seed §6), so
// a reply's webhook creating the same conversation between two chunks, the final pass racing a live one,
// or a pass from another connection to the store converge on one row. Chunks yield to the event loop,
// and each is announced with `conversations:changed`, the inbox list's own refresh event.
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { campaignPreview } from '../conversations/campaignMessages';
import type { ConversationsRepo } from '../conversations/conversations.repo';
import type { CampaignConversationsRepo, CampaignSendScanRow } from './campaignConversations.repo';
import type { CampaignsRepo } from './campaigns.repo';

export interface CampaignConversationsOptions {
  db: Db;
  campaigns: Pick<CampaignsRepo, 'needsConversations' | 'markConversationsOpened' | 'conversationsToOpen'>;
  sends: CampaignConversationsRepo;
  conversations: Pick<ConversationsRepo, 'upsertFromCampaign'>;
  events: EventBus;
  log: Logger;
  now: () => number;
  /** Rows per transaction of the final pass. Default 200: ~30 ms of the main thread on a loaded 2-core machine. */
  chunkSize?: number;
  /** Rows per transaction while the campaign sends: small, so the runner's commits never wait long. */
  liveChunkSize?: number;
  /** How often a running campaign's new sends are looked at. Default 1 s. */
  intervalMs?: number;
}

/** What a pass running now knows about one running campaign's sends. */
interface LiveState {
  /** Message rowids at or below the watermark that may still be accepted. */
  openOutcomes: Set<number>;
}

export function createCampaignConversations(options: CampaignConversationsOptions) {
  const { db, campaigns, sends, conversations, events, log, now } = options;
  const chunkSize = options.chunkSize ?? 200;
  const liveChunkSize = options.liveChunkSize ?? 64;
  const intervalMs = options.intervalMs ?? 1_000;
  const finalPasses = new Map<string, Promise<void>>();
  const live = new Map<string, LiveState>();
  let livePass: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const stopped = (): boolean => closed || !db.open;
  const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

  /** Inside the chunk's transaction: the contact's conversation, created or brought up to the send. */
  function openOne(row: CampaignSendScanRow, at: number): string {
    return conversations.upsertFromCampaign(
      {
        connectionId: row.connection_id,
        contactId: row.contact_id!,
        at: row.created_at,
        preview: campaignPreview({ ...row, contact_id: row.contact_id! }),
      },
      at,
    );
  }

  const needsOpening = (row: CampaignSendScanRow): boolean =>
    row.accepted === 1 && row.contact_id !== null && row.current === 0;

  function announce(conversationIds: string[]): void {
    if (conversationIds.length > 0) events.emit('conversations:changed', { conversationIds });
  }

  /** Sends a pass passed over that may have been accepted since. */
  async function recheckOpenOutcomes(state: LiveState): Promise<void> {
    const seqs = [...state.openOutcomes];
    for (let i = 0; i < seqs.length; i += liveChunkSize) {
      if (stopped()) return;
      const at = now();
      const ids = db
        .transaction(() => {
          const opened: string[] = [];
          for (const seq of seqs.slice(i, i + liveChunkSize)) {
            const row = sends.sendAt(seq);
            if (row && (row.in_flight === 1 || row.open_outcome === 1)) continue;
            state.openOutcomes.delete(seq);
            if (row && needsOpening(row)) opened.push(openOne(row, at));
          }
          return opened;
        })
        .immediate();
      announce(ids);
      await nextTurn();
    }
  }

  /** One live pass over a running campaign: what was passed over, then every send after the watermark. */
  async function followCampaign(campaignId: string): Promise<void> {
    let state = live.get(campaignId);
    if (!state) {
      state = { openOutcomes: new Set(sends.openOutcomesThrough(campaignId, sends.through(campaignId))) };
      live.set(campaignId, state);
    }
    await recheckOpenOutcomes(state);
    let cursor = sends.through(campaignId);
    let blocked = false;
    for (;;) {
      if (stopped() || finalPasses.has(campaignId)) return;
      const at = now();
      const { ids, rows } = db
        .transaction(() => {
          const rows = sends.sendsAfter(campaignId, cursor, liveChunkSize);
          const opened: string[] = [];
          let through = -1;
          for (const row of rows) {
            if (needsOpening(row)) opened.push(openOne(row, at));
            else if (row.in_flight === 1) blocked = true;
            else if (row.open_outcome === 1) state.openOutcomes.add(row.seq);
            // Rows past the first send in flight are looked at again next time (a read, once opened).
            if (!blocked) through = row.seq;
          }
          if (through >= 0) sends.advance(campaignId, through);
          return { ids: opened, rows };
        })
        .immediate();
      announce(ids);
      if (rows.length < liveChunkSize) return;
      cursor = rows[rows.length - 1]!.seq;
      await nextTurn();
    }
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (stopped()) return;
    const running = sends.running();
    for (const id of live.keys()) if (!running.includes(id)) live.delete(id);
    for (const campaignId of running) {
      try {
        await followCampaign(campaignId);
      } catch (error) {
        // The watermark stays where the last chunk committed: the next pass tries again from there.
        log.error('campaigns: opening recipients’ conversations while sending failed', { campaignId, error });
      }
    }
  }

  /** Runs live passes every intervalMs while any campaign is running; a no-op when already doing so. */
  function follow(): void {
    if (stopped() || timer || livePass) return;
    timer = setTimeout(() => {
      livePass = tick()
        .catch((error: unknown) => {
          log.error('campaigns: a live pass over running campaigns failed', { error });
        })
        .finally(() => {
          livePass = undefined;
          if (!stopped() && sends.running().length > 0) follow();
        });
    }, intervalMs);
    timer.unref();
  }

  async function finalPass(campaignId: string): Promise<void> {
    // A live pass may be between two chunks of this campaign: it stops at its next chunk.
    await livePass;
    live.delete(campaignId);
    let cursor = 0;
    let opened = 0;
    for (;;) {
      if (stopped()) return;
      const at = now();
      const { ids, rows } = db
        .transaction(() => {
          const rows = sends.sendsAfter(campaignId, cursor, chunkSize);
          return { ids: rows.filter(needsOpening).map((row) => openOne(row, at)), rows };
        })
        .immediate();
      announce(ids);
      opened += ids.length;
      if (rows.length < chunkSize) break;
      cursor = rows[rows.length - 1]!.seq;
      await nextTurn();
    }
    if (stopped()) return;
    if (campaigns.markConversationsOpened(campaignId, now())) {
      log.info('campaigns: recipients’ conversations opened', { campaignId, opened });
    }
  }

  /** The final pass of a finished campaign; nothing when it is not finished or already done. */
  function open(campaignId: string): Promise<void> {
    const running = finalPasses.get(campaignId);
    if (running) return running;
    if (stopped() || !campaigns.needsConversations(campaignId)) return Promise.resolve();
    const task = finalPass(campaignId)
      .catch((error: unknown) => {
        // The marker stays unset: the next start-up or the next change of the campaign tries again.
        log.error('campaigns: opening recipients’ conversations failed', { campaignId, error });
      })
      .finally(() => finalPasses.delete(campaignId));
    finalPasses.set(campaignId, task);
    return task;
  }

  return {
    open,
    follow,
    /** At start-up: finished campaigns a crash (or an older version) left without their conversations, and
     * the live passes of campaigns still running. */
    resume(): Promise<void> {
      if (stopped()) return Promise.resolve();
      follow();
      return Promise.all(campaigns.conversationsToOpen().map(open)).then(() => undefined);
    },
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type CampaignConversations = ReturnType<typeof createCampaignConversations>;
