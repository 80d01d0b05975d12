// The intake's writer never checkpoints inside its commits (that held every webhook of the commit for
// tens of ms); its checkpoint thread copies the WAL into the database file beside it. Proof that the
// copying still happens: the stored events reach the database file while nothing else writes or
// checkpoints, and the WAL is restarted instead of growing.
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { createWebhookIntake, type WebhookIntake } from '../../src-main/webhooks/intake';
import { signBody } from '../../src-main/webhooks/verify';
import { waitFor } from '../helpers/waitFor';
import { openTempStore, seedConnection } from '../helpers/storeFixtures';

describe('webhook intake checkpoints', () => {
  let db: Db | undefined;
  let intake: WebhookIntake | undefined;
  afterEach(async () => {
    await intake?.close();
    db?.close();
  });

  it('copies the WAL into the database file beside the writer', { timeout: 120_000 }, async () => {
    const store = openTempStore();
    db = store.db;
    const conn = seedConnection(db);
    intake = createWebhookIntake({ dbFile: store.file, log: createMemoryLogger() });
    const dbBytesBefore = statSync(store.file).size;
    let largestWal = 0;
    // 12 MB of bodies from 64 senders that each send again as soon as they are answered, so commits
    // never pause: six checkpoint requests' worth (one per 2 MB stored).
    const total = 48 * 64;
    const body = (i: number): string =>
      JSON.stringify({ object: 'whatsapp_business_account', i, pad: 'x'.repeat(4000) });
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) {
          const i = next++;
          const raw = body(i);
          await intake!.accept({
            connectionId: conn.connectionId,
            rawBody: Buffer.from(raw),
            signature: signBody(raw, conn.appSecret),
            appSecret: conn.appSecret,
          });
          if (i % 64 === 0) largestWal = Math.max(largestWal, statSync(`${store.file}-wal`).size);
        }
      }),
    );
    // Only the intake's threads write, and this test's connection never commits, so only the
    // checkpoint thread can have moved the pages into the database file.
    await waitFor(() => statSync(store.file).size > dbBytesBefore + 8 * 1024 * 1024, {
      timeoutMs: 60_000,
      what: 'the stored events in the database file',
    });
    // Checkpointed as it went, the WAL was restarted rather than grown to hold all 12 MB: at no point
    // of the burst did it hold more than a few checkpoints' worth.
    expect(largestWal).toBeLessThan(10 * 1024 * 1024);
    expect(statSync(`${store.file}-wal`).size).toBeLessThan(10 * 1024 * 1024);
    expect(db.prepare('SELECT count(*) FROM webhook_events').pluck().get()).toBe(total);
  });
});
