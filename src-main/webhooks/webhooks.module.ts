// Wires the webhook path together: the local server (127.0.0.1) with its durable intake, the
// `webhooks.process` job on queue `default`, and the processor, which gives way to the intake during a
// burst (processingPacer.ts). The core builds this once.
import { z } from 'zod';
import type { ComponentState } from '../../src-preload/contract';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import type { LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import { createWebhookIntake } from './intake';
import { processJobDefaults, processJobType } from './intakeProtocol';
import { createProcessingPacer } from './processingPacer';
import { startWebhookServer, type ConnectionSecrets, type WebhookServer } from './server';
import { createWebhookEventsRepo } from './webhookEvents.repo';
import { createWebhookProcessor, type WebhookProcessorOptions } from './webhooks.processor';

export interface WebhooksModuleOptions {
  db: Db;
  dbFile: string;
  queue: JobQueue;
  locks: LockRegistry;
  events: EventBus;
  log: Logger;
  now?: () => number;
  secretsFor(connectionId: string): ConnectionSecrets | undefined;
  /** 0 (default) picks a free port. */
  port?: number;
  onInboundStored?: WebhookProcessorOptions['onInboundStored'];
  /** The intake's threads start at `startIntakeThreads()` or with the first webhook (intake.ts). */
  deferIntakeThreads?: boolean;
}

export interface WebhooksModule {
  readonly server: WebhookServer;
  /** The local address Meta's webhooks reach us at, for one connection (the tunnel forwards to it). */
  webhookUrlFor(connectionId: string): string;
  diagnostics(): {
    counts: Record<string, number>;
    problems: ReturnType<ReturnType<typeof createWebhookEventsRepo>['problems']>;
    refusedSignatures: number;
  };
  health(): { state: ComponentState; detail?: string };
  /** Starts the intake's writer and checkpoint threads if they have not started. */
  startIntakeThreads(): void;
  readonly intakeThreadsStarted: boolean;
  close(): Promise<void>;
}

// One job per committed batch ({ eventIds }); { eventId } is the one-event job of earlier versions,
// still accepted so jobs queued by them run.
const processPayloadSchema = z.union([
  z.object({ eventIds: z.array(z.string().min(1)).min(1) }),
  z.object({ eventId: z.string().min(1) }),
]);

export async function startWebhooksModule(options: WebhooksModuleOptions): Promise<WebhooksModule> {
  const { queue, log } = options;
  const processor = createWebhookProcessor({
    db: options.db,
    locks: options.locks,
    events: options.events,
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onInboundStored ? { onInboundStored: options.onInboundStored } : {}),
  });
  const intake = createWebhookIntake({
    dbFile: options.dbFile,
    log,
    // The jobs were written by the intake's own connection: tell the queue not to wait for its poll.
    onStored: () => queue.notify(processJobDefaults.queue),
    deferThreads: options.deferIntakeThreads === true,
  });
  const pacer = createProcessingPacer({ intakeBusy: () => intake.busy });
  queue.register(processJobType, {
    queue: processJobDefaults.queue,
    schema: processPayloadSchema,
    maxAttempts: processJobDefaults.maxAttempts,
    handler: async (payload) => {
      const eventIds = 'eventIds' in payload ? payload.eventIds : [payload.eventId];
      await pacer.process(eventIds, (ids) => processor.processAll(ids));
    },
  });
  const server = await startWebhookServer({
    intake,
    log,
    lookupConnection: (id) => options.secretsFor(id),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const events = createWebhookEventsRepo(options.db);

  return {
    server,
    webhookUrlFor: (connectionId) => `${server.localUrl}/webhooks/whatsapp/${connectionId}`,
    diagnostics: () => ({
      counts: events.counts(),
      problems: events.problems(100),
      refusedSignatures: server.stats.badSignature,
    }),
    health() {
      if (server.stats.badSignature > 0) {
        return {
          state: 'degraded',
          detail: `${server.stats.badSignature} webhook(s) refused for a bad signature since start: check the app secret.`,
        };
      }
      return { state: 'ok' };
    },
    startIntakeThreads: () => intake.startThreads(),
    get intakeThreadsStarted() {
      return intake.threadsStarted;
    },
    close: () => server.close(),
  };
}
