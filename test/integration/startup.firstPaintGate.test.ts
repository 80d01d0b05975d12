// The browser host's core holds the Sandbox and the job queue until the first conversation list is
// served (src-main/startup/firstPaintGate.ts): the list is answered first, and anything that needs the
// Sandbox or the queue before then waits for them instead of failing or going out twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeChannel } from '../../src-preload/channels';
import type { ResponseOf, Result } from '../../src-preload/contract';
import type { MessageView } from '../../src-preload/messaging.contract';
import { createCore, type Core, type CoreOptions } from '../../src-main/core';
import { createMemoryLogger } from '../../src-main/log';
import { inboundText, signedPost } from '../helpers/metaWebhooks';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
const cores: Core[] = [];

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
});

async function start(dataDir: string, options: Partial<CoreOptions> = {}): Promise<Core> {
  const core = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger(), ...options });
  cores.push(core);
  return core;
}

async function value<T>(core: Core, channel: InvokeChannel, payload: unknown): Promise<T> {
  const result: Result<unknown> = await core.router.dispatch(channel, payload, {
    trusted: true,
    description: 'test',
  });
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

type ConversationListPage = ResponseOf<'conversations:list'>;

const listAll = { filter: 'all', limit: 50 };

/** A store whose Sandbox exists and has one conversation inside the 24 h window. */
async function storeWithConversation(): Promise<{
  dataDir: string;
  connectionId: string;
  conversationId: string;
  /** The Sandbox connection's app secret: webhooks signed with it are accepted. */
  appSecret: string;
}> {
  const dataDir = temp.dir();
  const first = await start(dataDir);
  const connectionId = first.sandbox!.connectionId;
  const appSecret = first.sandbox!.simulator.appSecret;
  await value(first, 'sandbox:simulate-message', { type: 'text', from: '+14155550123', text: 'Hello' });
  const page = await waitFor(
    async () => {
      const listed = await value<ConversationListPage>(first, 'conversations:list', listAll);
      return listed.items.length > 0 ? listed : null;
    },
    { what: 'the simulated customer message in the inbox' },
  );
  await first.close();
  cores.splice(cores.indexOf(first), 1);
  return { dataDir, connectionId, conversationId: page.items[0]!.id, appSecret };
}

describe('work held until the first paint', () => {
  it('answers the first conversation list before the Sandbox and the queue start, then starts them', async () => {
    const core = await start(temp.dir(), { holdUntilFirstPaint: true });
    expect(core.sandbox).toBeNull();
    expect(core.queue.health().state).toBe('off');
    // The webhook intake's writer and checkpoint threads (tens of ms of CPU each to boot) too.
    expect(core.webhooks.intakeThreadsStarted).toBe(false);

    const page = await value<ConversationListPage>(core, 'conversations:list', listAll);
    expect(page.items).toEqual([]);
    // Answered while both were still held.
    expect(core.sandbox).toBeNull();

    await waitFor(() => core.sandbox, { what: 'the Sandbox to start after the list' });
    await waitFor(() => core.queue.health().state === 'ok', { what: 'the queue to start' });
    // Last, a while after the rest, so they do not take CPU from the page rendering the list.
    await waitFor(() => core.webhooks.intakeThreadsStarted, {
      what: 'the webhook intake threads to start after the held work',
    });
    const health = await value<{ connection: string; queue: string }>(core, 'app:health', {});
    expect(health).toMatchObject({ queue: 'ok', connection: 'ok' });
  });

  it('a send made before the Sandbox started waits for it and goes out once', async () => {
    const { dataDir, connectionId, conversationId } = await storeWithConversation();
    const core = await start(dataDir, { holdUntilFirstPaint: true });
    expect(core.sandbox).toBeNull();

    // Two clicks of one compose, before anything else was asked: both wait, one message, one API call.
    const request = {
      connectionId,
      conversationId,
      clientId: 'held-send-0001',
      content: { type: 'text', body: 'Sent while starting' },
    };
    const [one, two] = await Promise.all([
      value<MessageView>(core, 'messages:send', request),
      value<MessageView>(core, 'messages:send', request),
    ]);
    expect(one.id).toBe(two.id);
    const sandbox = core.sandbox!;
    expect(sandbox).not.toBeNull();

    await waitFor(
      () => sandbox.simulator.ledger.messages({ bizOpaqueCallbackData: 'held-send-0001' }).length > 0,
      {
        what: 'the held send to reach the simulator',
      },
    );
    await core.queue.whenIdle();
    expect(sandbox.simulator.ledger.messages({ bizOpaqueCallbackData: 'held-send-0001' })).toHaveLength(1);
  });

  it('a simulated customer message asked for before the start waits for the Sandbox instead of failing', async () => {
    const core = await start(temp.dir(), { holdUntilFirstPaint: true });
    const sent = await value<{ wamid: string }>(core, 'sandbox:simulate-message', {
      type: 'text',
      from: '+14155550124',
      text: 'Are you open?',
    });
    expect(sent.wamid).toMatch(/^wamid\./);
    expect(core.sandbox).not.toBeNull();
  });

  it("a first start's workspace list waits for the Sandbox's seeding, which creates the workspace", async () => {
    const core = await start(temp.dir(), { holdUntilFirstPaint: true });
    const listed = await value<{ currentId: string | null; workspaces: { id: string }[] }>(
      core,
      'workspaces:list',
      {},
    );
    expect(listed.currentId).toBeTruthy();
    expect(listed.workspaces.map((w) => w.id)).toEqual([listed.currentId]);
    expect(core.sandbox?.workspaceId).toBe(listed.currentId);
  });

  it('a host whose page never asks for the list starts them on its own', async () => {
    const core = await start(temp.dir(), { holdUntilFirstPaint: true });
    await waitFor(() => core.sandbox, { what: 'the Sandbox to start without a page', timeoutMs: 20_000 });
    await waitFor(() => core.queue.health().state === 'ok', { what: 'the queue to start' });
  });

  it('a core closed before the held start never starts it', async () => {
    const core = await start(temp.dir(), { holdUntilFirstPaint: true });
    await core.close();
    expect(core.sandbox).toBeNull();
    expect(core.queue.health().state).toBe('down');
    expect(core.webhooks.intakeThreadsStarted).toBe(false);
  });

  it('a webhook arriving before the first list is stored and acknowledged: it starts the intake itself', async () => {
    const { dataDir, connectionId, appSecret } = await storeWithConversation();
    const core = await start(dataDir, { holdUntilFirstPaint: true });
    expect(core.webhooks.intakeThreadsStarted).toBe(false);
    const storedBefore = core.webhooks.diagnostics().counts;
    const total = (counts: Record<string, number>): number =>
      Object.values(counts).reduce((sum, n) => sum + n, 0);

    const posted = await signedPost(
      core.webhooks.webhookUrlFor(connectionId),
      inboundText('14155550199', `wamid.early.${Date.now()}`, 'Are you open?', Math.floor(Date.now() / 1000)),
      appSecret,
    );
    // 200 only once the event is on disk (intake.ts): its threads were started for it.
    expect(posted.status).toBe(200);
    expect(core.webhooks.intakeThreadsStarted).toBe(true);
    expect(total(core.webhooks.diagnostics().counts)).toBe(total(storedBefore) + 1);
    // The rest of the held work still waits for the first list (or a call that needs it).
    expect(core.sandbox).toBeNull();
  });
});
