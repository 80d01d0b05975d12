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
    // 12 MB of bodies in 48 rounds: six checkpoint requests' worth (one per 2 MB stored).
    const body = (round: number, i: number): string =>
      JSON.stringify({ object: 'whatsapp_business_account', round, i, pad: 'x'.repeat(4000) });
    for (let round = 0; round < 48; round++) {
      await Promise.all(
        Array.from({ length: 64 }, (_, i) => {
          const raw = body(round, i);
          return intake!.accept({
            connectionId: conn.connectionId,
            rawBody: Buffer.from(raw),
            signature: signBody(raw, conn.appSecret),
            appSecret: conn.appSecret,
          });
        }),
      );
    }
    // Only the intake's threads write, and this test's connection never commits, so only the
    // checkpoint thread can have moved the pages into the database file.
    await waitFor(() => statSync(store.file).size > dbBytesBefore + 8 * 1024 * 1024, {
      timeoutMs: 60_000,
      what: 'the stored events in the database file',
    });
    // Checkpointed as it went, the WAL was restarted rather than grown to hold all 12 MB.
    expect(statSync(`${store.file}-wal`).size).toBeLessThan(10 * 1024 * 1024);
    expect(db.prepare('SELECT count(*) FROM webhook_events').pluck().get()).toBe(48 * 64);
  });
});
