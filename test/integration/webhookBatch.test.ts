// A processing job carries one intake batch; its events for a connection apply in one transaction.
// One event that fails must not hold back its neighbours, and the queue's retry of the job must redo
// exactly the failed one: the others are neither lost nor applied twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createLockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createWebhookIntake, type WebhookIntake } from '../../src-main/webhooks/intake';
import { createWebhookProcessor } from '../../src-main/webhooks/webhooks.processor';
import { inboundText, metaSerialize } from '../helpers/metaWebhooks';
import { openTempStore, seedConnection } from '../helpers/storeFixtures';

const EVENTS = 40;

describe('webhook batch processing', () => {
  let db: Db | undefined;
  let intake: WebhookIntake | undefined;
  afterEach(async () => {
    await intake?.close();
    db?.close();
  });

  it('one failing event leaves its neighbours processed, and the retry redoes only that one', async () => {
    const store = openTempStore();
    db = store.db;
    const conn = seedConnection(db);
    const log = createMemoryLogger();
    const batches: string[][] = [];
    intake = createWebhookIntake({ dbFile: store.file, log, onStored: (ids) => batches.push(ids) });
    const wamid = (i: number): string => `wamid.batch.${i}`;
    await Promise.all(
      Array.from({ length: EVENTS }, (_, i) =>
        intake!.accept({
          connectionId: conn.connectionId,
          rawBody: Buffer.from(
            metaSerialize(inboundText(`1650555${1000 + (i % 7)}`, wamid(i), `hello ${i}`, 1_750_000_000 + i)),
          ),
        }),
      ),
    );
    // Accepted in one turn of the event loop, so they went to the writer and into its job together.
    expect(batches).toHaveLength(1);
    const eventIds = batches[0]!;
    expect(eventIds).toHaveLength(EVENTS);

    let failing: string | undefined = wamid(17);
    const received: string[] = [];
    const events = createEventBus();
    events.subscribe((event, payload) => {
      if (event === 'messages:received') received.push((payload as { messageId: string }).messageId);
    });
    const processor = createWebhookProcessor({
      db,
      locks: createLockRegistry(),
      events,
      log,
      onInboundStored(message) {
        // A failure inside the transaction that stores the message (as a bot or media job's enqueue could).
        if (message.wamid === failing) throw new Error(`cannot store ${message.wamid} now`);
      },
    });

    await expect(processor.processAll(eventIds)).rejects.toThrow(`1 of ${EVENTS} webhook event(s) failed`);
    const inbound = (): string[] =>
      (
        db!.prepare(`SELECT wamid FROM messages WHERE direction = 'inbound' ORDER BY wamid`).all() as {
          wamid: string;
        }[]
      ).map((r) => r.wamid);
    const pending = (): number =>
      db!.prepare(`SELECT count(*) FROM webhook_events WHERE state = 'pending'`).pluck().get() as number;
    expect(inbound()).toHaveLength(EVENTS - 1);
    expect(inbound()).not.toContain(wamid(17));
    expect(pending()).toBe(1);
    expect(received).toHaveLength(EVENTS - 1);

    // The queue retries the same job: only the failed event is still pending, so only it is applied.
    failing = undefined;
    await processor.processAll(eventIds);
    expect(inbound()).toEqual(Array.from({ length: EVENTS }, (_, i) => wamid(i)).sort());
    expect(pending()).toBe(0);
    expect(received).toHaveLength(EVENTS);
    expect(new Set(received).size).toBe(EVENTS);
  });
});
