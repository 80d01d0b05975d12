// The core's tunnel: off for the Sandbox alone; started (its client loaded on demand) once a real
// connection exists; a bad custom URL is refused and changes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { newId } from '../../src-main/db/ids';
import { createLogger } from '../../src-main/log';
import { startFakeLocaltunnelServer } from '../helpers/fakeLocaltunnelServer';

let core: Core | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

describe('tunnel module in the core', () => {
  it('stays off with only the Sandbox, comes up for a cloud connection, and refuses a bad custom URL', async () => {
    const fake = await startFakeLocaltunnelServer();
    process.env.BELLHOP_TUNNEL_SERVER = fake.url;
    try {
      core = await createCore({
        dataDir: mkdtempSync(join(tmpdir(), 'bellhop-tunnel-module-')),
        hostKind: 'browser',
        log: createLogger(() => undefined),
      });
      expect(core.tunnel.status().state.status).toBe('off');
      expect(core.health().tunnel).toBe('off');

      const now = Date.now();
      const workspaceId = core.sandbox!.workspaceId;
      core.db
        .prepare(
          `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc, app_secret_enc, verify_token, created_at, updated_at)
           VALUES (?, ?, 'cloud', 'Shop number', '1065403522', '1022901293', 'v24.0', ?, ?, 'vt', ?, ?)`,
        )
        .run(newId(), workspaceId, core.secrets.seal('token'), core.secrets.seal('secret'), now, now);
      core.tunnel.refresh();
      await expect.poll(() => core!.tunnel.status().state.status, { timeout: 10_000 }).toBe('up');
      expect(core.tunnel.status().publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      expect(core.tunnel.status().callbackUrls[0]?.url).toMatch(/\/webhooks\/whatsapp\//);

      const refused = core.tunnel.configure({ mode: 'custom', customUrl: 'ftp://nope' });
      expect(refused.ok).toBe(false);
      expect(core.tunnel.status().mode).toBe('auto');
    } finally {
      delete process.env.BELLHOP_TUNNEL_SERVER;
      await core?.close();
      core = undefined;
      await fake.close();
    }
  });
});
