// Issue 5's durability: the app process is killed with SIGKILL right after it answered 200. Every
// acknowledged event must be on disk, and after a restart it must be processed — a webhook we
// acknowledge and then lose is a customer message lost for good (§6).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { signBody } from '../../src-main/webhooks/verify';
import { exited, nextMessage, useChildren } from '../helpers/childProcess';
import { inboundText, metaSerialize, postWebhook } from '../helpers/metaWebhooks';
import { seedConnection } from '../helpers/storeFixtures';

const { forkTs } = useChildren();

describe('webhook durability across SIGKILL', () => {
  it(
    'every event answered 200 before the kill is stored, and processed after restart',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'bellhop-durability-'));
      const file = join(dataDir, 'bellhop.sqlite');
      const setup = openDatabase(file);
      migrate(setup, migrations);
      const conn = seedConnection(setup);
      // The app reads the secret through its secret box, so seal it with the same key file.
      setup
        .prepare('UPDATE connections SET app_secret_enc = ? WHERE id = ?')
        .run(createKeyFileSecretBox(dataDir).seal(conn.appSecret), conn.connectionId);
      setup.close();

      const acked: string[] = [];
      for (let round = 0; round < 3; round++) {
        const app = forkTs('coreProcess.ts', [dataDir]);
        const { webhookBase } = await nextMessage<{ webhookBase: string }>(app);
        const url = `${webhookBase}/${conn.connectionId}`;
        // 40 deliveries in flight; the process dies the instant the first 200 comes back.
        const killedAfterAck = new Promise<void>((resolve) => {
          const sends = Array.from({ length: 40 }, async (_, i) => {
            const wamid = `wamid.kill.${round}.${i}`;
            const raw = metaSerialize(
              inboundText('16505551234', wamid, `message ${round}/${i}`, 1_750_000_000 + round * 100 + i),
            );
            try {
              const res = await postWebhook(url, raw, signBody(raw, conn.appSecret));
              if (res.status === 200) {
                acked.push(wamid);
                if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
                resolve();
              }
            } catch {
              // Connection reset by the kill: not acknowledged, so Meta would retry it.
            }
          });
          void Promise.all(sends).then(() => resolve());
        });
        await killedAfterAck;
        const { signal } = await exited(app);
        expect(signal).toBe('SIGKILL');
      }
      expect(acked.length).toBeGreaterThanOrEqual(3);

      // Straight from disk, before any restart processes them: every acknowledged body is there.
      const check = openDatabase(file, { readonly: true });
      const stored = (
        check.prepare('SELECT raw_body FROM webhook_events').all() as { raw_body: Buffer }[]
      ).map((r) => r.raw_body.toString());
      check.close();
      for (const wamid of acked) expect(stored.some((body) => body.includes(`"${wamid}"`))).toBe(true);

      // Restart: the queue reclaims the processing jobs and every acknowledged message lands in the inbox.
      const app = forkTs('coreProcess.ts', [dataDir]);
      await nextMessage(app);
      await expect
        .poll(
          () => {
            const db = openDatabase(file, { readonly: true });
            try {
              const rows = db.prepare(`SELECT wamid FROM messages WHERE direction = 'inbound'`).all() as {
                wamid: string;
              }[];
              const pending = (
                db.prepare(`SELECT count(*) AS n FROM webhook_events WHERE state = 'pending'`).get() as {
                  n: number;
                }
              ).n;
              return { missing: acked.filter((w) => !rows.some((r) => r.wamid === w)), pending };
            } finally {
              db.close();
            }
          },
          { timeout: 30_000, interval: 100 },
        )
        .toEqual({ missing: [], pending: 0 });
      app.kill('SIGTERM');
      await exited(app);
    },
  );
});
