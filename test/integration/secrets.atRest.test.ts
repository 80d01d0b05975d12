// Secrets at rest across a move to the OS keychain: rows the key-file box sealed are re-sealed by the
// safeStorage box at start-up (once), still open to the same values, and no IPC response of any
// channel ever carries the token or the app secret.
import { describe, expect, it } from 'vitest';
import { invokeChannels } from '../../src-preload/channels';
import { contract } from '../../src-preload/contract';
import { createCore } from '../../src-main/core';
import { createMemoryLogger } from '../../src-main/log';
import {
  createSafeStorageSecretBox,
  SAFE_STORAGE_FORMAT,
  withPreviousBoxes,
} from '../../src-main/secrets/safeStorageBox';
import { KEY_FILE_FORMAT, openExistingKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { createFakeSafeStorage } from '../helpers/fakeSafeStorage';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const TOKEN = 'EAAGatRestTOKEN0123456789abcdefXYZa1b2c3';
const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const sender = { trusted: true, description: 'test' };

function sealedBytes(core: Awaited<ReturnType<typeof createCore>>) {
  return core.db
    .prepare<[], { token_enc: Buffer; app_secret_enc: Buffer }>(
      `SELECT token_enc, app_secret_enc FROM connections WHERE kind = 'cloud'`,
    )
    .all();
}

describe('secrets at rest', () => {
  it('moves key-file secrets to the keychain box at start-up, once, keeping their values', async () => {
    const dataDir = temp.dir();
    const first = await createCore({
      dataDir,
      hostKind: 'browser',
      sandbox: false,
      log: createMemoryLogger(),
    });
    expect(await first.router.dispatch('workspaces:create', { name: 'Shop' }, sender)).toMatchObject({
      ok: true,
    });
    const created = await first.router.dispatch(
      'connections:create',
      {
        name: 'Shop',
        phoneNumberId: '106540352242922',
        wabaId: '102290129340398',
        accessToken: TOKEN,
        appSecret: APP_SECRET,
      },
      sender,
    );
    expect(created, JSON.stringify(created)).toMatchObject({ ok: true });
    const id = (created as { ok: true; value: { id: string } }).value.id;
    expect(sealedBytes(first).every((r) => r.token_enc[0] === KEY_FILE_FORMAT)).toBe(true);
    await first.close();

    const safeStorage = createFakeSafeStorage();
    const desktopBox = () =>
      withPreviousBoxes(createSafeStorageSecretBox(safeStorage), [openExistingKeyFileSecretBox(dataDir)]);
    const log = createMemoryLogger();
    const second = await createCore({
      dataDir,
      hostKind: 'electron',
      sandbox: false,
      log,
      secrets: desktopBox(),
    });
    const rows = sealedBytes(second);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_enc[0]).toBe(SAFE_STORAGE_FORMAT);
    expect(rows[0]?.app_secret_enc[0]).toBe(SAFE_STORAGE_FORMAT);
    expect(second.connections.secretsFor(id)?.appSecret).toBe(APP_SECRET);
    expect(log.lines.join('\n')).toMatch(/re-sealed with the current box/);
    expect(log.lines.join('\n')).not.toContain(TOKEN);
    await second.close();

    const log3 = createMemoryLogger();
    const third = await createCore({
      dataDir,
      hostKind: 'electron',
      sandbox: false,
      log: log3,
      secrets: desktopBox(),
    });
    expect(log3.lines.join('\n')).not.toMatch(/re-sealed/);
    expect(Buffer.compare(sealedBytes(third)[0]!.token_enc, rows[0]!.token_enc)).toBe(0);
    await third.close();
  });

  it('no channel answers with the token or the app secret', async () => {
    const dataDir = temp.dir();
    const core = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    try {
      const created = await core.router.dispatch(
        'connections:create',
        {
          name: 'Shop',
          phoneNumberId: '106540352242922',
          wabaId: '102290129340398',
          accessToken: TOKEN,
          appSecret: APP_SECRET,
        },
        sender,
      );
      expect(created.ok).toBe(true);
      let answered = 0;
      for (const channel of invokeChannels) {
        // Every channel that can be called without arguments: the read views, lists and diagnostics.
        if (!contract[channel].request.safeParse({}).success) continue;
        if (channel === 'backups:restore') continue;
        const result = await core.router.dispatch(channel, {}, sender);
        const text = JSON.stringify(result);
        expect(text, channel).not.toContain(TOKEN);
        expect(text, channel).not.toContain(APP_SECRET);
        answered++;
      }
      expect(answered).toBeGreaterThan(10);
    } finally {
      await core.close();
    }
  });
});
