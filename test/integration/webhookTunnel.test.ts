// Issue 5 end to end through a real tunnel: the real localtunnel client (through the tunnel manager)
// against a loopback server speaking localtunnel's protocol; the simulator re-pointed at the public URL
// with Meta's handshake (§12) and delivering signed webhooks through the tunnel into the app's core.
// A tunnel drop loses nothing: the simulator retries like Meta while the app cannot be reached.
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { newId } from '../../src-main/db/ids';
import { createLogger } from '../../src-main/log';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { callbackUrlFor } from '../../src-main/tunnel/callback';
import { generateSubdomain } from '../../src-main/tunnel/subdomain';
import { createTunnelManager, type TunnelManager } from '../../src-main/tunnel/tunnel.manager';
import type { WhatsAppClient } from '../../src-main/whatsapp/client';
import { startFakeLocaltunnelServer } from '../helpers/fakeLocaltunnelServer';
import { clientFor } from '../helpers/whatsappClientSetup';

type FakeServer = Awaited<ReturnType<typeof startFakeLocaltunnelServer>>;

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

function inboundCount(core: Core): number {
  return (
    core.db.prepare(`SELECT count(*) AS n FROM messages WHERE direction = 'inbound'`).get() as { n: number }
  ).n;
}

describe('webhooks through a real tunnel', () => {
  let sim: Simulator;
  let core: Core;
  let fake: FakeServer;
  let tunnel: TunnelManager;
  let client: WhatsAppClient;
  let connectionId: string;
  let publicUrl = '';

  beforeAll(async () => {
    sim = await startSimulator({
      webhookRetry: { maxAttempts: 30, baseDelayMs: 50, factor: 1.5, maxDelayMs: 500 },
    });
    core = await createCore({
      dataDir: mkdtempSync(join(tmpdir(), 'bellhop-tunnel-')),
      hostKind: 'browser',
      log: createLogger(() => undefined),
    });
    connectionId = newId();
    const workspaceId = newId();
    const now = Date.now();
    core.db
      .prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(workspaceId, 'Shop', now, now);
    core.db
      .prepare(
        `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc, app_secret_enc, verify_token, created_at, updated_at)
         VALUES (?, ?, 'cloud', 'Main number', ?, ?, 'v24.0', ?, ?, ?, ?, ?)`,
      )
      .run(
        connectionId,
        workspaceId,
        sim.phoneNumberId,
        sim.wabaId,
        core.secrets.seal(sim.accessToken),
        core.secrets.seal(sim.appSecret),
        sim.verifyToken,
        now,
        now,
      );
    ({ client } = clientFor(sim));

    fake = await startFakeLocaltunnelServer();
    const up = new Promise<string>((resolve) => {
      tunnel = createTunnelManager({
        localPort: core.webhooks.server.port,
        serverUrl: fake.url,
        subdomain: generateSubdomain(),
        log: core.log,
        backoff: { initialMs: 50, maxMs: 400, jitter: 0 },
        onStateChanged: (state) => {
          if (state.status === 'up' && state.publicUrl) resolve(state.publicUrl);
        },
      });
      tunnel.start();
    });
    publicUrl = await up;
  });

  afterAll(async () => {
    await tunnel?.stop();
    await fake?.close();
    await sim?.close();
    await core?.close();
  });

  it('re-points Meta with the handshake through the tunnel; a wrong verify token gets a clear error', async () => {
    const wrong = await client.setCallbackOverride(callbackUrlFor(publicUrl, connectionId), 'not-the-token');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toMatch(/verif/i);

    const right = await client.setCallbackOverride(callbackUrlFor(publicUrl, connectionId), sim.verifyToken);
    expect(right).toMatchObject({ ok: true });
    expect(sim.control.callbackUrls().wabaOverride).toBe(callbackUrlFor(publicUrl, connectionId));
    expect(core.webhooks.server.stats.handshakesOk).toBe(1);
    expect(core.webhooks.server.stats.handshakesRefused).toBe(1);
  });

  it(
    'delivers signed webhooks through the tunnel, and a tunnel drop loses nothing',
    { timeout: 60_000 },
    async () => {
      for (let i = 0; i < 20; i++)
        sim.control.injectInbound({
          from: `+1650555${String(i).padStart(4, '0')}`,
          type: 'text',
          text: { body: `before drop ${i} — olá` },
        });
      await expect.poll(() => inboundCount(core), { timeout: 20_000, interval: 50 }).toBe(20);

      // The tunnel server goes away entirely (its sockets and tunnels with it) while Meta keeps sending.
      const deliveriesBefore = sim.ledger.webhookDeliveries().length;
      await fake.stop();
      for (let i = 0; i < 20; i++)
        sim.control.injectInbound({
          from: `+1415555${String(i).padStart(4, '0')}`,
          type: 'text',
          text: { body: `during drop ${i}` },
        });
      await expect
        .poll(
          () =>
            sim.ledger
              .webhookDeliveries()
              .slice(deliveriesBefore)
              .filter((d) => d.status !== 200).length,
          { timeout: 20_000, interval: 20 },
        )
        .toBeGreaterThanOrEqual(20);
      expect(inboundCount(core)).toBe(20);
      await fake.restart();
      await expect.poll(() => inboundCount(core), { timeout: 40_000, interval: 100 }).toBe(40);
      expect(tunnel.state()).toMatchObject({ status: 'up', publicUrl });
      await sim.control.settle();
      expect(core.webhooks.server.stats.badSignature).toBe(0);
    },
  );

  it('answers nothing but the webhook path through the tunnel', async () => {
    expect(await get(`${publicUrl}/`)).toBe(404);
    expect(await get(`${publicUrl}/ws`)).toBe(404);
    expect(await get(`${publicUrl}/webhooks/whatsapp/unknown-connection`)).toBe(404);
    expect(
      await get(
        `${publicUrl}/webhooks/whatsapp/${connectionId}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
      ),
    ).toBe(403);
  });
});
