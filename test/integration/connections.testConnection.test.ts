// "Test connection" and clientFor() against the real Cloud API simulator on port 0: a working
// connection, an expired token (plain advice, needs_reauth, health), a wrong phone-number id, a wrong
// WABA id, an unreachable API; and one shared limiter per connection.
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, ConnectionView } from '../../src-preload/connections.contract';
import { whatsappApiLimit } from '../../src-main/ratelimit/limits';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { openConnectionsHarness, removeDir, type ConnectionsHarness } from '../helpers/connectionsSetup';
import { waitFor } from '../helpers/waitFor';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: { graphBaseUrl?: string } = {},
): Promise<{ sim: Simulator; h: ConnectionsHarness; connection: ConnectionView }> {
  const sim = await startSimulator({ port: 0, verifiedName: 'Corner Bakery' });
  cleanups.push(() => sim.close());
  const h = openConnectionsHarness({
    graphBaseUrl: options.graphBaseUrl ?? sim.baseUrl,
    testTimeoutMs: 3_000,
  });
  cleanups.push(() => {
    h.close();
    removeDir(h.dir);
  });
  await h.value('workspaces:create', { name: 'Corner Bakery' });
  const connection = await h.value<ConnectionView>('connections:create', {
    name: 'Bakery number',
    phoneNumberId: sim.phoneNumberId,
    wabaId: sim.wabaId,
    accessToken: sim.accessToken,
    appSecret: sim.appSecret,
  });
  return { sim, h, connection };
}

const statusOf = (h: ConnectionsHarness, id: string) =>
  h.db.prepare('SELECT status, status_reason FROM connections WHERE id = ?').get(id) as {
    status: string;
    status_reason: string | null;
  };

describe('Test connection', () => {
  it('reads the phone number and reports it; stores the display number', async () => {
    const { sim, h, connection } = await setup();
    const result = await h.value<ConnectionTestResult>('connections:test', { connectionId: connection.id });
    expect(result).toMatchObject({
      ok: true,
      connectionId: connection.id,
      phone: {
        verifiedName: 'Corner Bakery',
        displayPhoneNumber: sim.displayPhoneNumber,
        qualityRating: 'GREEN',
        throughput: 'STANDARD',
        messagingLimit: 'TIER_2K',
      },
    });
    if (result.ok) expect(result.headline).toContain('Corner Bakery');
    // It asked for exactly the fields of §9 and checked the WABA.
    const paths = sim.ledger.requests().map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual([`GET /${sim.phoneNumberId}`, `GET /${sim.wabaId}/message_templates`]);
    const [list] = await h.value<ConnectionView[]>('connections:list', {});
    expect(list?.displayPhoneNumber).toBe(sim.displayPhoneNumber);
  });

  it('explains an expired token, marks the connection needs_reauth, and recovers with a new token', async () => {
    const { sim, h, connection } = await setup();
    sim.control.expireToken();
    const result = await h.value<ConnectionTestResult>('connections:test', { connectionId: connection.id });
    expect(result).toMatchObject({ ok: false, problem: 'auth', code: 190 });
    if (!result.ok) {
      expect(result.headline).toBe('The access token was refused (expired or revoked).');
      expect(result.advice).toMatch(
        /^The access token was refused \(expired or revoked\): create a new System User token/,
      );
    }
    expect(statusOf(h, connection.id)).toMatchObject({ status: 'needs_reauth' });
    expect(statusOf(h, connection.id).status_reason).toMatch(/refused/);
    expect(h.module.health()).toMatchObject({ state: 'down' });
    expect(h.pushed.some((p) => p.event === 'connections:changed')).toBe(true);
    const [listed] = await h.value<ConnectionView[]>('connections:list', {});
    expect(listed?.status).toBe('needs_reauth');

    // The shared client stops sending after the refusal (§10) instead of hammering Meta.
    const shared = h.module.clientFor(connection.id);
    const before = sim.ledger.requests().length;
    const refused = await shared.getPhoneNumber();
    expect(refused).toMatchObject({ ok: false, error: { kind: 'AUTH' } });
    const afterFirst = sim.ledger.requests().length;
    expect(await shared.getPhoneNumber()).toMatchObject({ ok: false, error: { kind: 'AUTH' } });
    expect(sim.ledger.requests().length).toBe(afterFirst);
    expect(afterFirst - before).toBeLessThanOrEqual(1);

    // The user pastes a new token: active again, and clientFor() uses it at once.
    const newToken = `EAAG${'n'.repeat(40)}`;
    sim.control.setAccessToken(newToken);
    const updated = await h.value<ConnectionView>('connections:update', {
      connectionId: connection.id,
      accessToken: newToken,
    });
    expect(updated.status).toBe('active');
    expect(
      await h.value<ConnectionTestResult>('connections:test', { connectionId: connection.id }),
    ).toMatchObject({ ok: true });
    const rebuilt = h.module.clientFor(connection.id);
    expect(rebuilt).not.toBe(shared);
    expect(await rebuilt.getPhoneNumber()).toMatchObject({ ok: true });
    expect(h.module.health()).toEqual({ state: 'ok' });
  });

  it('a successful test clears needs_reauth when the token works again (e.g. Meta restored access)', async () => {
    const { sim, h, connection } = await setup();
    const token = sim.accessToken;
    sim.control.expireToken();
    expect(await h.module.clientFor(connection.id).getPhoneNumber()).toMatchObject({ ok: false });
    await waitFor(() => statusOf(h, connection.id).status === 'needs_reauth', { what: 'needs_reauth' });
    sim.control.setAccessToken(token);
    const result = await h.value<ConnectionTestResult>('connections:test', { connectionId: connection.id });
    expect(result.ok).toBe(true);
    expect(statusOf(h, connection.id)).toEqual({ status: 'active', status_reason: null });
    // The shared client's latch was reset with it.
    expect(await h.module.clientFor(connection.id).getPhoneNumber()).toMatchObject({ ok: true });
  });

  it('names a wrong phone-number id, and a wrong WABA id, without touching the status', async () => {
    const { h, connection } = await setup();
    await h.value('connections:update', { connectionId: connection.id, phoneNumberId: '999999999999999' });
    const wrongPhone = await h.value<ConnectionTestResult>('connections:test', {
      connectionId: connection.id,
    });
    expect(wrongPhone).toMatchObject({ ok: false, problem: 'wrong_phone_number_id', code: 100 });
    if (!wrongPhone.ok) {
      expect(wrongPhone.headline).toContain('999999999999999');
      expect(wrongPhone.advice).toMatch(/not the phone number itself/);
    }
    expect(statusOf(h, connection.id).status).toBe('active');

    await h.value('connections:update', {
      connectionId: connection.id,
      phoneNumberId: connection.phoneNumberId,
      wabaId: '888888888888888',
    });
    const wrongWaba = await h.value<ConnectionTestResult>('connections:test', {
      connectionId: connection.id,
    });
    expect(wrongWaba).toMatchObject({ ok: false, problem: 'wrong_waba_id' });
    if (!wrongWaba.ok) expect(wrongWaba.headline).toContain('888888888888888');
    expect(statusOf(h, connection.id).status).toBe('active');
  });

  it('says plainly when Meta cannot be reached', async () => {
    // A port nothing listens on: the connection is refused before anything is sent.
    const { h, connection } = await setup({ graphBaseUrl: 'http://127.0.0.1:9' });
    const result = await h.value<ConnectionTestResult>('connections:test', { connectionId: connection.id });
    expect(result).toMatchObject({ ok: false, problem: 'network', code: null });
    if (!result.ok) {
      expect(result.headline).toBe('Bellhop cannot reach Meta (graph.facebook.com).');
      expect(result.advice).toMatch(/internet connection/);
    }
    expect(statusOf(h, connection.id).status).toBe('active');
  });
});

describe('clientFor', () => {
  it('gives one client per connection, all sharing the process-wide limiter under the connection rule', async () => {
    const { sim, h, connection } = await setup();
    // 2 per minute, strictly paced: one request now, the next one 30 s later.
    await h.value('connections:update', { connectionId: connection.id, rateLimitPerMinute: 2 });
    const other = await h.value<ConnectionView>('connections:create', {
      name: 'Second number',
      phoneNumberId: '106540352242999',
      wabaId: sim.wabaId,
      accessToken: sim.accessToken,
      appSecret: sim.appSecret,
    });
    const client = h.module.clientFor(connection.id);
    expect(h.module.clientFor(connection.id)).toBe(client);
    const key = whatsappApiLimit(connection.id, 2).key;
    const otherKey = whatsappApiLimit(other.id).key;

    expect(await client.getPhoneNumber()).toMatchObject({ ok: true });
    const requestsAfterFirst = sim.ledger.requests().length;
    // The next call from any module waits its turn in the connection's queue...
    const queued = client.getPhoneNumber();
    await waitFor(() => h.limiter.waiting(key) === 1, { what: 'the second call to queue' });
    // ...and so does Test connection, which builds its own client on the same key.
    const testing = h.module.service.testConnection({ connectionId: connection.id });
    await waitFor(() => h.limiter.waiting(key) === 2, { what: 'the test to queue behind it' });
    expect(sim.ledger.requests().length).toBe(requestsAfterFirst);

    // Another connection has its own key and is not held up.
    const otherResult = await h.module.clientFor(other.id).getPhoneNumber();
    expect(otherResult.ok).toBe(false); // the simulator knows one number only: 100/33, but it was sent
    expect(h.limiter.waiting(otherKey)).toBe(0);
    expect(h.limiter.waiting(key)).toBe(2);
    expect(sim.ledger.requests().length).toBe(requestsAfterFirst + 1);

    // Changing the rule gives a new client; the waiting calls are released by closing the limiter.
    await h.value('connections:update', { connectionId: connection.id, rateLimitPerMinute: 100 });
    expect(h.module.clientFor(connection.id)).not.toBe(client);
    h.limiter.close();
    expect(await queued).toMatchObject({ ok: false, error: { kind: 'TRANSIENT', httpStatus: null } });
    expect(await testing).toMatchObject({ ok: false, problem: 'network' });
    expect(sim.ledger.requests().length).toBe(requestsAfterFirst + 1);
  });

  it('refuses an unknown connection', async () => {
    const { h } = await setup();
    expect(() => h.module.clientFor('nope')).toThrow(/no longer exists/);
  });
});
