// The campaigns module over the messaging harness's real parts (store, queue, locks, limiter, webhook
// server, connections pointed at a simulator), registered before the queue starts, with an IPC router
// over its handlers. Seeds the campaign template in the simulator and syncs it.
import { createCampaignsModule, type CampaignsModule } from '../../src-main/campaigns/campaigns.module';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createFenceGuard } from '../../src-main/locks/fence.store';
import { createMemoryLogger } from '../../src-main/log';
import type { InvokeChannel } from '../../src-preload/channels';
import type { Result } from '../../src-preload/contract';
import { campaignTemplate } from './campaignFixtures';
import { openMessagingHarness, type HarnessOptions, type MessagingHarness } from './messagingHarness';

export interface CampaignHarness extends MessagingHarness {
  campaigns: CampaignsModule;
  call(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>>;
  value<T>(channel: InvokeChannel, payload: unknown): Promise<T>;
}

export async function openCampaignHarness(
  options: HarnessOptions & { ratePerSecond?: number; campaignsNow?: () => number } = {},
): Promise<CampaignHarness> {
  // The core's wiring: an inbound message stored by the webhook processor may be a campaign reply.
  const late: { campaigns?: CampaignsModule } = {};
  const h = await openMessagingHarness({
    ...options,
    startQueue: false,
    onInboundStored: (message) => late.campaigns?.onInboundStored(message),
  });
  if (options.ratePerSecond !== undefined) {
    h.db
      .prepare('UPDATE connections SET rate_limit_per_second = ? WHERE id = ?')
      .run(options.ratePerSecond, h.connectionId);
  }
  const log = createMemoryLogger();
  const campaigns = createCampaignsModule({
    db: h.db,
    queue: h.queue,
    locks: h.locks,
    fences: createFenceGuard(h.db),
    events: h.events,
    log,
    dataDir: h.dir,
    templates: h.messaging.templates,
    connections: h.connections,
    ...(options.campaignsNow ? { now: options.campaignsNow } : {}),
  });
  late.campaigns = campaigns;
  h.queue.start();
  h.sim.control.seedTemplate(campaignTemplate);
  await h.messaging.templates.sync(h.connectionId);
  const router = createIpcRouter({ ...h.messaging.handlers, ...campaigns.handlers }, log);
  const call = (channel: InvokeChannel, payload: unknown) =>
    router.dispatch(channel, payload, { trusted: true, description: 'test' });
  const closeMessaging = h.close.bind(h);
  return Object.assign(h, {
    campaigns,
    call,
    async value<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
      const result = await call(channel, payload);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value as T;
    },
    async close() {
      campaigns.close();
      await closeMessaging();
    },
  });
}
