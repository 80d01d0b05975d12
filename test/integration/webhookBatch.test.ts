// A processing job carries one intake batch; its events for a connection apply in one transaction.
// One event that fails must not hold back its neighbours, and the queue's retry of the job must redo
// exactly the failed one: the others are neither lost nor applied twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createLockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createWebhookIntake, type WebhookIntake } from '../../src-main/webhooks/intake';
import { signBody } from '../../src-main/webhooks/verify';
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
      Array.from({ length: EVENTS }, (_, i) => {
        const raw = metaSerialize(
          inboundText(`1650555${1000 + (i % 7)}`, wamid(i), `hello ${i}`, 1_750_000_000 + i),
        );
        return intake!.accept({
          connectionId: conn.connectionId,
          rawBody: Buffer.from(raw),
          signature: signBody(raw, conn.appSecret),
          appSecret: conn.appSecret,
        });
      }),
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

  it('the writer checks each signature: refused events in a batch store nothing, their neighbours are stored', async () => {
    const store = openTempStore();
    db = store.db;
    const conn = seedConnection(db);
    const batches: string[][] = [];
    intake = createWebhookIntake({
      dbFile: store.file,
      log: createMemoryLogger(),
      onStored: (ids) => batches.push(ids),
    });
    const raw = (i: number): string =>
      metaSerialize(inboundText('16505551000', `wamid.signed.${i}`, `Olá ${i}`, 1_750_000_000 + i));
    const good = signBody(raw(0), conn.appSecret);
    // Per event: the signature header it arrives with. Bad ones: missing, not sha256=<64 hex>, signed
    // with another secret, over other bytes, and over re-serialized JSON (Meta escapes non-ASCII, §6).
    const headers: (string | undefined)[] = [
      signBody(raw(0), conn.appSecret),
      undefined,
      'sha256=abc',
      signBody(raw(2), 'another-secret'),
      good,
      signBody(raw(5), conn.appSecret),
      signBody(JSON.stringify(JSON.parse(raw(6))), conn.appSecret),
    ];
    const outcomes = await Promise.allSettled(
      headers.map((signature, i) =>
        intake!.accept({
          connectionId: conn.connectionId,
          rawBody: Buffer.from(raw(i)),
          signature,
          appSecret: conn.appSecret,
        }),
      ),
    );
    const reasons = outcomes.map((o) => (o.status === 'fulfilled' ? 'stored' : String(o.reason)));
    expect(reasons[0]).toBe('stored');
    expect(reasons[1]).toMatch(/refused \(missing\)/);
    expect(reasons[2]).toMatch(/refused \(malformed\)/);
    expect(reasons[3]).toMatch(/refused \(mismatch\)/);
    expect(reasons[4]).toMatch(/refused \(mismatch\)/);
    expect(reasons[5]).toBe('stored');
    expect(reasons[6]).toMatch(/refused \(mismatch\)/);
    const stored = (db.prepare('SELECT raw_body FROM webhook_events').all() as { raw_body: Buffer }[]).map(
      (row) => row.raw_body.toString(),
    );
    expect(stored.sort()).toEqual([raw(0), raw(5)].sort());
    expect(batches.flat()).toHaveLength(2);
  });

  it('is busy while accepted events wait for their commit, and not once they are answered', async () => {
    const store = openTempStore();
    db = store.db;
    const conn = seedConnection(db);
    intake = createWebhookIntake({ dbFile: store.file, log: createMemoryLogger() });
    expect(intake.busy).toBe(false);
    const raw = metaSerialize(inboundText('16505551000', 'wamid.busy', 'hi', 1_750_000_000));
    const stored = intake.accept({
      connectionId: conn.connectionId,
      rawBody: Buffer.from(raw),
      signature: signBody(raw, conn.appSecret),
      appSecret: conn.appSecret,
    });
    expect(intake.busy).toBe(true);
    await stored;
    expect(intake.busy).toBe(false);
  });
});
