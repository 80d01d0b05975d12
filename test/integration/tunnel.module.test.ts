// The core's tunnel: off for the Sandbox alone; started (its client loaded on demand) once a real
// connection exists; a bad custom URL is refused and changes nothing. When the tunnel's public URL
// changes, the core re-points Meta by itself (§12, against the simulator's handshake through the tunnel)
// and shows the outcome in tunnel status, the `tunnel:changed` push and health.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { newId } from '../../src-main/db/ids';
import { createLogger } from '../../src-main/log';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { callbackUrlFor } from '../../src-main/tunnel/callback';
import type { TunnelStatusView } from '../../src-preload/contract';
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

  it(
    're-points Meta by itself when the tunnel URL changes, and shows a refused re-point as a clear failure',
    { timeout: 60_000 },
    async () => {
      const sim: Simulator = await startSimulator();
      const fake = await startFakeLocaltunnelServer();
      process.env.BELLHOP_TUNNEL_SERVER = fake.url;
      try {
        core = await createCore({
          dataDir: mkdtempSync(join(tmpdir(), 'bellhop-tunnel-repoint-')),
          hostKind: 'browser',
          log: createLogger(() => undefined),
          graphBaseUrl: sim.baseUrl,
        });
        const pushed: TunnelStatusView[] = [];
        core.events.subscribe((event, payload) => {
          if (event === 'tunnel:changed') pushed.push(payload as TunnelStatusView);
        });
        const connectionId = newId();
        const now = Date.now();
        core.db
          .prepare(
            `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc, app_secret_enc, verify_token, created_at, updated_at)
             VALUES (?, ?, 'cloud', 'Shop number', ?, ?, 'v24.0', ?, ?, ?, ?, ?)`,
          )
          .run(
            connectionId,
            core.sandbox!.workspaceId,
            sim.phoneNumberId,
            sim.wabaId,
            core.secrets.seal(sim.accessToken),
            core.secrets.seal(sim.appSecret),
            sim.verifyToken,
            now,
            now,
          );
        core.tunnel.refresh();

        // First URL: nobody calls the core; it points Meta at the tunnel, and Meta's handshake comes back
        // through the tunnel to the app's webhook server.
        await expect
          .poll(() => core!.tunnel.status().lastRepoint, { timeout: 20_000 })
          .toEqual([{ connectionId, outcome: 'repointed', callbackUrl: expect.any(String) as string }]);
        const firstUrl = core.tunnel.status().publicUrl!;
        expect(sim.control.callbackUrls().wabaOverride).toBe(callbackUrlFor(firstUrl, connectionId));
        expect(core.webhooks.server.stats.handshakesOk).toBe(1);
        expect(core.health().tunnel).toBe('ok');
        expect(core.health().details.tunnel).toBe(`Meta reaches this computer at ${firstUrl}.`);

        // The tunnel server re-issues our address and drops us: the client reconnects to a new URL, and
        // the core re-points Meta at it without being asked.
        const [subdomain] = fake.activeTunnelIds();
        const secondUrl = await fake.reissuePublicUrl(subdomain!);
        expect(secondUrl).not.toBe(firstUrl);
        fake.dropAllSockets();
        const secondCallback = callbackUrlFor(secondUrl, connectionId);
        await expect
          .poll(() => sim.control.callbackUrls().wabaOverride, { timeout: 30_000 })
          .toBe(secondCallback);
        await expect
          .poll(() => core!.tunnel.status().lastRepoint, { timeout: 10_000 })
          .toEqual([{ connectionId, outcome: 'repointed', callbackUrl: secondCallback }]);
        expect(core.tunnel.status().callbackUrls).toEqual([
          { connectionId, name: 'Shop number', url: secondCallback, verifyToken: sim.verifyToken },
        ]);
        expect(core.webhooks.server.stats.handshakesOk).toBe(2);
        // The renderer hears it: the last push carries the new URL and its outcome.
        expect(pushed.at(-1)).toMatchObject({
          publicUrl: secondUrl,
          repoint: [{ connectionId, outcome: 'repointed' }],
        });

        // Meta refuses the next re-point: the failure is shown, with Meta's reason and our advice, in
        // status, push and health; Meta keeps the last URL it accepted.
        sim.control.injectErrors({ code: 100, count: 100, pathSuffix: '/subscribed_apps' });
        const thirdUrl = await fake.reissuePublicUrl(subdomain!);
        fake.dropAllSockets();
        await expect
          .poll(() => core!.tunnel.status().lastRepoint[0]?.outcome, { timeout: 30_000 })
          .toBe('failed');
        const failed = core.tunnel.status().lastRepoint[0];
        expect(failed).toMatchObject({ connectionId, callbackUrl: callbackUrlFor(thirdUrl, connectionId) });
        expect(failed?.outcome === 'failed' ? failed.message : '').toMatch(/Meta rejected a value/);
        expect(sim.control.callbackUrls().wabaOverride).toBe(secondCallback);
        expect(core.health().tunnel).toBe('degraded');
        expect(core.health().details.tunnel).toMatch(/Meta could not be re-pointed/);
        expect(pushed.at(-1)?.repoint).toEqual([
          { connectionId, outcome: 'failed', message: failed?.outcome === 'failed' ? failed.message : '' },
        ]);
      } finally {
        delete process.env.BELLHOP_TUNNEL_SERVER;
        await core?.close();
        core = undefined;
        await fake.close();
        await sim.close();
      }
    },
  );
});
