// The inbox, sending and templates as the core sees them (issue 7). Registers the job types
// (`messages.send`, `templates.sync`, `templates.sync-timer`), so it must be created before
// queue.start(). The core routes its handlers and calls onTemplateStatusChanged when a
// `templates:status-changed` event fires.
import { dirname } from 'node:path';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { Handlers } from '../ipc/router';
import type { LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import type { RateLimiter } from '../ratelimit/types';
import { registerTemplateJobs, type TemplateJobs } from '../templates/templates.jobs';
import { bindTemplates } from '../templates/templates.ipc';
import { createTemplatesService, type TemplatesService } from '../templates/templates.service';
import type { WhatsAppClient } from '../whatsapp/client';
import { bindConversations } from './conversations.ipc';
import { createConversationsRepo } from './conversations.repo';
import { createConversationsService, type ConversationsService } from './conversations.service';
import { bindInbox } from './inbox.ipc';
import { createInboxRepo } from './inbox.repo';
import { createInboxService, type InboxService } from './inbox.service';
import { registerSendJob } from './messages.jobs';
import { createMessagesService, type MessagesService } from './messages.service';

export interface MessagingModuleOptions {
  db: Db;
  queue: JobQueue;
  locks: LockRegistry;
  limiter: RateLimiter;
  events: EventBus;
  log: Logger;
  now?: () => number;
  /** core.connections (ConnectionsModule): the shared rate-limited client per connection. */
  connections: {
    clientFor(connectionId: string): WhatsAppClient;
    service: { currentWorkspaceId(): string | null };
  };
  templateSync?: {
    /** Periodic sync per connection; default 15 min. */
    intervalMs?: number;
    /** Webhook-triggered syncs are collapsed over this window; default 2 s. */
    debounceMs?: number;
    /** Schedule periodic syncs and sync never-synced connections (on creation and on connections:changed). Default true. */
    schedule?: boolean;
  };
  send?: { giveUpAfterMs?: number; behindPollMs?: number };
}

export interface MessagingModule {
  readonly handlers: Partial<Handlers>;
  readonly templates: TemplatesService;
  readonly messages: MessagesService;
  readonly conversations: ConversationsService;
  readonly inbox: InboxService;
  readonly templateJobs: TemplateJobs;
  /** Call when a `templates:status-changed` event fires: a sync of that connection soon (collapsed). */
  onTemplateStatusChanged(event: { connectionId: string }): void;
  close(): void;
}

export function createMessagingModule(options: MessagingModuleOptions): MessagingModule {
  const now = options.now ?? Date.now;
  const { db, queue, events, log, connections } = options;
  const clientFor = (connectionId: string): WhatsAppClient => connections.clientFor(connectionId);

  const templates = createTemplatesService({
    db,
    locks: options.locks,
    limiter: options.limiter,
    events,
    log,
    now,
    clientFor,
  });
  const templateJobs = registerTemplateJobs({
    db,
    queue,
    templates,
    log,
    now,
    ...(options.templateSync?.intervalMs !== undefined
      ? { intervalMs: options.templateSync.intervalMs }
      : {}),
    ...(options.templateSync?.debounceMs !== undefined
      ? { debounceMs: options.templateSync.debounceMs }
      : {}),
  });
  const repo = createConversationsRepo(db);
  const messages = createMessagesService({ db, queue, events, templates: templates.repo, now, repo });
  registerSendJob({
    db,
    queue,
    repo,
    events,
    log,
    now,
    clientFor,
    ...(options.send?.giveUpAfterMs !== undefined ? { giveUpAfterMs: options.send.giveUpAfterMs } : {}),
    ...(options.send?.behindPollMs !== undefined ? { behindPollMs: options.send.behindPollMs } : {}),
  });
  const conversations = createConversationsService({
    repo,
    events,
    log,
    now,
    clientFor,
    currentWorkspaceId: () => connections.service.currentWorkspaceId(),
  });

  const inbox = createInboxService({
    repo: createInboxRepo(db),
    conversations: repo,
    messages,
    log,
    now,
    // The store lives in the data folder; attachments and kept media go beside it.
    dataDir: dirname(db.name),
    clientFor,
    currentWorkspaceId: () => connections.service.currentWorkspaceId(),
  });

  let unsubscribe: (() => void) | undefined;
  if (options.templateSync?.schedule !== false) {
    templateJobs.ensureSchedules();
    unsubscribe = events.subscribe((event) => {
      if (event === 'connections:changed' && db.open) templateJobs.ensureSchedules();
    });
  }

  return {
    handlers: {
      ...bindTemplates(templates),
      ...bindConversations(conversations, messages),
      ...bindInbox(inbox, conversations),
    },
    templates,
    messages,
    conversations,
    inbox,
    templateJobs,
    onTemplateStatusChanged(event) {
      templateJobs.requestSync(event.connectionId);
    },
    close() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
