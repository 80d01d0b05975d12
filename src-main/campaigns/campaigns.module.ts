// Campaigns as the core sees them (issue 8). Registers the job types (`campaigns.run`,
// `campaigns.scheduled-start`) on the `campaigns` queue, so it must be created before queue.start().
// The core spreads its handlers, calls onInboundStored inside the transaction that stored an inbound
// message (reply attribution) and forwards template status changes (auto-pause).
import { z } from 'zod';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { Handlers } from '../ipc/router';
import type { FenceGuard } from '../locks/fence.store';
import type { LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import type { TemplatesService } from '../templates/templates.service';
import type { WhatsAppClient } from '../whatsapp/client';
import { createConversationsRepo } from '../conversations/conversations.repo';
import { createCampaignConversations, type CampaignConversations } from './campaignConversations';
import { createCampaignConversationsRepo } from './campaignConversations.repo';
import { bindCampaigns } from './campaigns.ipc';
import { createCampaignsRepo, type CampaignsRepo } from './campaigns.repo';
import { createCampaignRunner, runJobType } from './campaigns.runner';
import {
  createCampaignsService,
  ratePerSecondOf,
  scheduleJobType,
  type CampaignsService,
} from './campaigns.service';

export interface CampaignsModuleOptions {
  db: Db;
  queue: JobQueue;
  locks: LockRegistry;
  fences: FenceGuard;
  events: EventBus;
  log: Logger;
  now?: () => number;
  dataDir: string;
  templates: Pick<TemplatesService, 'sync' | 'repo'>;
  connections: {
    clientFor(connectionId: string): WhatsAppClient;
    service: { currentWorkspaceId(): string | null };
  };
  /** Requests in flight per campaign at most (sized down to the connection's rate). Default 32. */
  maxInFlight?: number;
}

export interface CampaignsModule {
  readonly handlers: Partial<Handlers>;
  readonly service: CampaignsService;
  readonly repo: CampaignsRepo;
  /** Opens recipients' conversations while a campaign sends and after it finishes (off the send path). */
  readonly conversations: CampaignConversations;
  /** Inside the transaction that stored an inbound message: a reply within 72 h counts for its campaign. */
  onInboundStored(message: { contactId: string; connectionId: string; waTimestampMs: number }): void;
  close(): void;
}

const runPayloadSchema = z.object({ campaignId: z.string().min(1) });
const schedulePayloadSchema = z.object({ campaignId: z.string().min(1), at: z.number().int() });

export function createCampaignsModule(options: CampaignsModuleOptions): CampaignsModule {
  const now = options.now ?? Date.now;
  const { db, queue, events, log } = options;
  const repo = createCampaignsRepo(db);
  const rateOf = db.prepare<
    [string],
    { rate_limit_per_minute: number; rate_limit_per_second: number | null }
  >('SELECT rate_limit_per_minute, rate_limit_per_second FROM connections WHERE id = ?');
  const service = createCampaignsService({
    db,
    repo,
    queue,
    events,
    log,
    now,
    dataDir: options.dataDir,
    templates: options.templates,
    clientFor: (id) => options.connections.clientFor(id),
    currentWorkspaceId: () => options.connections.service.currentWorkspaceId(),
  });
  const runner = createCampaignRunner({
    db,
    repo,
    locks: options.locks,
    fences: options.fences,
    events,
    log,
    now,
    clientFor: (id) => options.connections.clientFor(id),
    ratePerSecond: (id) => {
      const row = rateOf.get(id);
      return row ? ratePerSecondOf(row) : 1;
    },
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    onStatusChanged: (campaignId) => events.emit('campaigns:changed', { campaignIds: [campaignId] }),
  });

  queue.register(runJobType, {
    queue: 'campaigns',
    schema: runPayloadSchema,
    // The runner waits with retryAt (no attempt spent); attempts are spent only by crashes and bugs.
    maxAttempts: 50,
    leaseMs: 60_000,
    retryBudgetMs: 30 * 24 * 3_600_000,
    handler: ({ campaignId }, ctx) => runner.run(campaignId, ctx),
  });
  queue.register(scheduleJobType, {
    queue: 'campaigns',
    schema: schedulePayloadSchema,
    handler: ({ campaignId, at }) => {
      service.fireSchedule(campaignId, at);
    },
  });

  const conversations = createCampaignConversations({
    db,
    campaigns: repo,
    sends: createCampaignConversationsRepo(db),
    conversations: createConversationsRepo(db),
    events,
    log,
    now,
  });
  const unsubscribe = events.subscribe((event, payload) => {
    if (!db.open) return;
    if (event === 'templates:status-changed') {
      service.onTemplateStatus(
        payload as { connectionId: string; name: string; language: string; status: string },
      );
    } else if (event === 'campaigns:changed') {
      // Emitted after the commit that started, resumed or finished the campaign: a running one's
      // conversations open while it sends (follow), a finished one's final pass runs (open ignores the rest).
      conversations.follow();
      for (const campaignId of (payload as { campaignIds: string[] }).campaignIds) {
        void conversations.open(campaignId);
      }
    }
  });
  // A pass a crash cut short (or campaigns finished before this version) resumes once start-up is done,
  // and a campaign still running gets its live passes again from its watermark.
  const resumeTimer = setImmediate(() => void conversations.resume());

  return {
    handlers: bindCampaigns(service),
    service,
    repo,
    conversations,
    onInboundStored(message) {
      const campaignId = repo.attributeReply(
        message.contactId,
        message.connectionId,
        message.waTimestampMs,
        now(),
      );
      if (campaignId !== null) {
        // After the commit: the event is only a hint to refresh.
        setImmediate(() => events.emit('campaigns:counters-changed', { campaignIds: [campaignId] }));
      }
    },
    close() {
      clearImmediate(resumeTimer);
      conversations.close();
      unsubscribe();
      runner.close();
    },
  };
}
