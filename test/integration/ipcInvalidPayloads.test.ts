// Every channel of the contract, through the router the hosts use, refuses invalid payloads generated
// from its own schema with a validation error, and none of them changes anything in the store.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { invokeChannels } from '../../src-preload/channels';
import { contract } from '../../src-preload/contract';
import { startAppRuntime } from '../../src-main/backup/appRuntime';
import type { Db } from '../../src-main/db/open';
import { createMemoryLogger } from '../../src-main/log';
import { invalidPayloadsFor } from '../helpers/invalidPayloads';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const sender = { trusted: true, description: 'test' };

/** One hash over every row of every table: any write anywhere changes it. */
function checksum(db: Db): string {
  const hash = createHash('sha256');
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .pluck()
    .all() as string[];
  for (const table of tables) {
    hash.update(`\n#${table}\n`);
    // Sorted in JS: some tables are WITHOUT ROWID, and the order of equal keys is not the point.
    const rows = (db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]).map((row) =>
      JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)),
    );
    for (const row of rows.sort()) hash.update(row);
  }
  return hash.digest('hex');
}

describe('IPC: invalid payloads', () => {
  it('every channel rejects each generated invalid payload with BAD_REQUEST and no side effect', async () => {
    const dataDir = temp.dir();
    const runtime = await startAppRuntime({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      dailyBackups: false,
      log: createMemoryLogger(),
    });
    try {
      const call = (channel: string, payload: unknown) => runtime.router.dispatch(channel, payload, sender);
      expect(await call('tunnel:configure', { mode: 'off' })).toMatchObject({ ok: true });
      expect(await call('workspaces:create', { name: 'Shop' })).toMatchObject({ ok: true });
      expect(
        await call('connections:create', {
          name: 'Main',
          phoneNumberId: '106540352242922',
          wabaId: '102290129340398',
          accessToken: 'EAAGvalidTOKEN0123456789abcdefXYZ',
          appSecret: '0123456789abcdef0123456789abcdef',
        }),
      ).toMatchObject({ ok: true });
      const db = runtime.core()!.db;
      const before = checksum(db);

      let variants = 0;
      let withBase = 0;
      for (const channel of invokeChannels) {
        const { base, variants: payloads } = invalidPayloadsFor(contract[channel].request);
        if (base !== undefined) withBase++;
        for (const { what, payload } of payloads) {
          const result = await call(channel, payload);
          expect(result, `${channel}: ${what}`).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
          expect((result as { error: { message: string } }).error.message, `${channel}: ${what}`).toMatch(
            new RegExp(`^Invalid request for ${channel}`),
          );
          variants++;
        }
      }
      // The generator found a valid base for (nearly) every channel, so most variants are one rule off.
      expect(withBase).toBeGreaterThanOrEqual(invokeChannels.length - 2);
      expect(variants).toBeGreaterThan(invokeChannels.length * 4);
      expect(checksum(db)).toBe(before);
    } finally {
      await runtime.close();
    }
  }, 120_000);
});
