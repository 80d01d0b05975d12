// The tunnel manager driving the REAL localtunnel client against a loopback localtunnel server, with a
// local HTTP server behind it. Real sockets on 127.0.0.1; every wait is on a state change or server event.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src-main/log';
import { generateSubdomain } from '../../src-main/tunnel/subdomain';
import {
  backoffDelayMs,
  createTunnelManager,
  type TunnelManager,
  type TunnelManagerOptions,
  type TunnelState,
} from '../../src-main/tunnel/tunnel.manager';
import {
  startFakeLocaltunnelServer,
  type FakeLocaltunnelServer,
  type FakeLocaltunnelServerOptions,
} from '../helpers/fakeLocaltunnelServer';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const received: Received[] = [];
let echoServer: Server;
let echoPort: number;

/** The "webhook server": records each request and answers with the request body, byte for byte. */
beforeAll(async () => {
  echoServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'x-echo-method': req.method ?? '',
        'x-echo-path': req.url ?? '',
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => echoServer.listen(0, '127.0.0.1', resolve));
  echoPort = (echoServer.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => echoServer.close(() => resolve()));
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One request on its own connection (no keep-alive), so each one takes a fresh tunnel socket. */
function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function recorder() {
  const states: TunnelState[] = [];
  const waiters = new Set<() => boolean>();
  return {
    states,
    onStateChanged: (state: TunnelState): void => {
      states.push(state);
      for (const waiter of [...waiters]) waiter();
    },
    mark: () => states.length,
    /** The first state from index `from` on that satisfies `predicate`. */
    waitFor(predicate: (state: TunnelState) => boolean, from = 0, timeoutMs = 10_000): Promise<TunnelState> {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (let i = from; i < states.length; i++) {
            const state = states[i];
            if (state && predicate(state)) {
              clearTimeout(timer);
              waiters.delete(check);
              resolve(state);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching tunnel state; saw ${JSON.stringify(states.slice(from))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

/** Resolves when `condition()` holds, re-checked on each of the emitter's `eventNames`. */
function when(emitter: EventEmitter, eventNames: string[], condition: () => boolean, timeoutMs = 10_000) {
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (!condition()) return;
      done();
      resolve();
    };
    const done = (): void => {
      clearTimeout(timer);
      for (const name of eventNames) emitter.off(name, check);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`Condition not met after events ${eventNames.join(', ')}`));
    }, timeoutMs);
    for (const name of eventNames) emitter.on(name, check);
    check();
  });
}

async function fakeServer(options: FakeLocaltunnelServerOptions = {}): Promise<FakeLocaltunnelServer> {
  const fake = await startFakeLocaltunnelServer(options);
  cleanups.push(() => fake.close());
  return fake;
}

const fastBackoff = { initialMs: 40, maxMs: 320, factor: 2, jitter: 0 };

function manager(fake: FakeLocaltunnelServer, options: Partial<TunnelManagerOptions> = {}) {
  const rec = recorder();
  const log = createMemoryLogger();
  const tunnel: TunnelManager = createTunnelManager({
    localPort: echoPort,
    serverUrl: fake.url,
    subdomain: generateSubdomain(),
    log,
    onStateChanged: rec.onStateChanged,
    backoff: fastBackoff,
    openTimeoutMs: 5_000,
    ...options,
  });
  cleanups.push(() => tunnel.stop());
  return { tunnel, rec, log };
}

describe('tunnel manager with the real localtunnel client', () => {
  it('carries GET, POST and a 1 MB binary body byte-for-byte, both ways', async () => {
    const fake = await fakeServer();
    const subdomain = generateSubdomain();
    const { tunnel, rec } = manager(fake, { subdomain });
    tunnel.start();
    const up = await rec.waitFor((s) => s.status === 'up');
    expect(up.publicUrl).toBe(fake.publicUrlFor(subdomain));
    expect(rec.states[0]).toMatchObject({ status: 'connecting', attempts: 1 });
    const base = up.publicUrl ?? '';
    received.length = 0;

    const get = await send(`${base}/webhooks/whatsapp/c1?hub.mode=subscribe&hub.challenge=42`, {
      headers: { 'x-hub-signature-256': 'sha256=00ff', 'user-agent': 'facebookexternalua' },
    });
    expect(get.status).toBe(200);
    expect(get.headers['x-echo-method']).toBe('GET');
    expect(get.headers['x-echo-path']).toBe('/webhooks/whatsapp/c1?hub.mode=subscribe&hub.challenge=42');
    expect(received[0]?.headers['x-hub-signature-256']).toBe('sha256=00ff');
    expect(received[0]?.headers['user-agent']).toBe('facebookexternalua');

    // Multi-byte UTF-8 (the webhook signature is over these exact bytes).
    const json = Buffer.from(JSON.stringify({ entry: [{ text: 'Olá 👋 — ça marche? 你好' }] }));
    const post = await send(`${base}/webhooks/whatsapp/c1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(post.headers['x-echo-method']).toBe('POST');
    expect(received[1]?.body.equals(json)).toBe(true);
    expect(post.body.equals(json)).toBe(true);

    const large = randomBytes(1024 * 1024);
    const big = await send(`${base}/webhooks/whatsapp/c1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: large,
    });
    expect(big.status).toBe(200);
    expect(received[2]?.body.length).toBe(large.length);
    expect(received[2]?.body.equals(large)).toBe(true);
    expect(big.body.equals(large)).toBe(true);

    // Concurrent requests each get their own tunnel socket and their own answer.
    const bodies = Array.from({ length: 8 }, (_, i) =>
      Buffer.from(`body-${i}-${randomBytes(8).toString('hex')}`),
    );
    const replies = await Promise.all(
      bodies.map((body, i) => send(`${base}/webhooks/whatsapp/c${i}`, { method: 'POST', body })),
    );
    replies.forEach((reply, i) => {
      expect(reply.body.equals(bodies[i] ?? Buffer.alloc(0))).toBe(true);
      expect(reply.headers['x-echo-path']).toBe(`/webhooks/whatsapp/c${i}`);
    });
    expect(fake.requestedIds()).toEqual([subdomain]);
  });

  it('asks for the same subdomain on every attempt and keeps the URL across a restart, even while the server still holds it', async () => {
    // The real server holds an id for a grace period after its sockets close, and meanwhile hands out a
    // random id to anyone asking for it — including us, restarting.
    const fake = await fakeServer({ graceMs: 2_000 });
    const subdomain = generateSubdomain();
    const first = manager(fake, { subdomain });
    first.tunnel.start();
    const up1 = await first.rec.waitFor((s) => s.status === 'up');
    await first.tunnel.stop();
    expect(first.tunnel.state().status).toBe('off');

    const second = manager(fake, { subdomain, acceptOtherSubdomainAfter: 1_000 });
    second.tunnel.start();
    const held = await second.rec.waitFor((s) => /still held/.test(s.lastError ?? ''));
    expect(held.status).toBe('connecting');
    const up2 = await second.rec.waitFor((s) => s.status === 'up');
    expect(up2.publicUrl).toBe(up1.publicUrl);
    expect(up2.lastError).toBeUndefined();
    const requested = fake.requestedIds();
    expect(requested.length).toBeGreaterThanOrEqual(3);
    expect(new Set(requested)).toEqual(new Set([subdomain]));
    expect((await send(`${up2.publicUrl}/webhooks/whatsapp/x`)).status).toBe(200);
  });

  it('when another live client holds our subdomain, retries, then takes another id and says so', async () => {
    const fake = await fakeServer();
    const subdomain = generateSubdomain();
    const holder = manager(fake, { subdomain });
    holder.tunnel.start();
    const holderUp = await holder.rec.waitFor((s) => s.status === 'up');

    const other = manager(fake, { subdomain, acceptOtherSubdomainAfter: 2 });
    other.tunnel.start();
    const up = await other.rec.waitFor((s) => s.status === 'up');
    expect(up.publicUrl).not.toBe(holderUp.publicUrl);
    expect(up.lastError).toMatch(/still held/);
    // Two refusals of the other id, then the third answer accepted; always asking for the stable one.
    expect(fake.requestedIds()).toEqual([subdomain, subdomain, subdomain, subdomain]);
    expect(fake.controlRequests.map((r) => r.assigned === subdomain)).toEqual([true, false, false, false]);
    expect((await send(`${up.publicUrl}/webhooks/whatsapp/x`)).status).toBe(200);
  });

  it('reconnects when the server drops the tunnel: reconnecting → up, same URL, requests work again', async () => {
    const fake = await fakeServer();
    const subdomain = generateSubdomain();
    const { tunnel, rec } = manager(fake, { subdomain });
    tunnel.start();
    const up = await rec.waitFor((s) => s.status === 'up');
    const mark = rec.mark();
    fake.dropAllSockets();
    expect(fake.activeTunnelIds()).toEqual([]);
    const down = await rec.waitFor((s) => s.status === 'reconnecting', mark);
    expect(down.publicUrl).toBeUndefined();
    expect(down.lastError).toMatch(/connection refused/);
    const again = await rec.waitFor((s) => s.status === 'up', mark);
    expect(again.publicUrl).toBe(up.publicUrl);
    expect(fake.requestedIds()).toEqual([subdomain, subdomain]);
    const body = randomBytes(64 * 1024);
    const reply = await send(`${again.publicUrl}/webhooks/whatsapp/x`, { method: 'POST', body });
    expect(reply.body.equals(body)).toBe(true);
  });

  it('rides out a transient loss of sockets: the client re-parks them and the state stays up', async () => {
    const fake = await fakeServer({ maxConnCount: 4 });
    const subdomain = generateSubdomain();
    const { tunnel, rec } = manager(fake, { subdomain });
    tunnel.start();
    const up = await rec.waitFor((s) => s.status === 'up');
    await when(fake.events, ['socket'], () => fake.socketCount(subdomain) === 4);
    const mark = rec.mark();
    let closed = 0;
    const countClosed = (): number => closed++;
    fake.events.on('socket-closed', countClosed);
    fake.dropAllSockets({ keepTunnels: true });
    await when(
      fake.events,
      ['socket', 'socket-closed'],
      () => closed >= 4 && fake.socketCount(subdomain) === 4,
    );
    fake.events.off('socket-closed', countClosed);
    expect((await send(`${up.publicUrl}/webhooks/whatsapp/x`)).status).toBe(200);
    expect(rec.states.slice(mark)).toEqual([]);
    expect(fake.requestedIds()).toEqual([subdomain]);
  });

  it('server down then back: retries with growing, capped delays, state visible throughout, then up on the same URL', async () => {
    const fake = await fakeServer();
    const subdomain = generateSubdomain();
    // A frozen clock, so nextAttemptAt − clock is exactly the delay chosen.
    const clock = 1_000_000;
    const { tunnel, rec } = manager(fake, { subdomain, now: () => clock });
    tunnel.start();
    const up = await rec.waitFor((s) => s.status === 'up');
    const mark = rec.mark();
    await fake.stop();
    // The drop, then five failed attempts.
    await rec.waitFor(
      (s) => s.status === 'reconnecting' && s.attempts === 5 && s.nextAttemptAt !== undefined,
      mark,
    );
    const waits = rec.states.slice(mark).filter((s) => s.nextAttemptAt !== undefined);
    expect(waits.map((s) => (s.nextAttemptAt ?? 0) - clock)).toEqual([40, 80, 160, 320, 320, 320]);
    expect(waits.map((s) => s.attempts)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of waits.slice(1)) expect(s.lastError).toMatch(/could not be reached.*ECONNREFUSED/);
    expect(rec.states.slice(mark).every((s) => s.status === 'reconnecting')).toBe(true);

    await fake.restart();
    const again = await rec.waitFor((s) => s.status === 'up', mark);
    expect(again.publicUrl).toBe(up.publicUrl);
    expect(again.attempts).toBe(0);
    expect((await send(`${again.publicUrl}/webhooks/whatsapp/x`)).status).toBe(200);
  });

  it('shows a 4xx from the server as an error with its message, retries 5xx, and recovers', async () => {
    const fake = await fakeServer();
    fake.rejectControlRequests({ status: 403, message: 'Tunnel creation is disabled for this network.' });
    const clock = 1_000_000;
    const { tunnel, rec } = manager(fake, { now: () => clock });
    tunnel.start();
    const refused = await rec.waitFor((s) => s.status === 'error');
    expect(refused.lastError).toBe(
      'The tunnel server answered 403: Tunnel creation is disabled for this network.',
    );
    expect((refused.nextAttemptAt ?? 0) - clock).toBe(fastBackoff.maxMs);

    fake.rejectControlRequests({ status: 503, message: 'overloaded' });
    const busy = await rec.waitFor(
      (s) => s.status === 'connecting' && /503: overloaded/.test(s.lastError ?? ''),
    );
    expect(busy.nextAttemptAt).toBeDefined();
    fake.rejectControlRequests(null);
    await rec.waitFor((s) => s.status === 'up');
  });

  it('counts a tunnel whose sockets never connect, with the client silent about it, as dropped', async () => {
    const fake = await fakeServer();
    // The client then dials a name that does not resolve; it reports nothing for that.
    fake.advertiseIp('tunnel.invalid');
    const { tunnel, rec } = manager(fake, { socketTimeoutMs: 300 });
    tunnel.start();
    const silent = await rec.waitFor((s) => /No connection to the tunnel server/.test(s.lastError ?? ''));
    expect(silent.status).toBe('connecting');
    fake.advertiseIp(null);
    await rec.waitFor((s) => s.status === 'up');
  });

  it('custom public URL: no localtunnel, state custom; bad input changes nothing; null returns to the tunnel', async () => {
    const fake = await fakeServer();
    const subdomain = generateSubdomain();
    const { tunnel, rec } = manager(fake, { subdomain });
    expect(tunnel.setCustomPublicUrl(' https://Hooks.Example.com/bellhop/ ')).toEqual({ ok: true });
    expect(tunnel.state().status).toBe('off');
    tunnel.start();
    expect(tunnel.state()).toMatchObject({
      status: 'custom',
      publicUrl: 'https://hooks.example.com/bellhop',
    });

    const bad: Array<[string, RegExp]> = [
      ['http://hooks.example.com', /https/],
      ['hooks.example.com', /not a URL/],
      [`https://${'a'.repeat(140)}.example.com`, /at most 145/],
      ['https://user:secret@hooks.example.com', /user name or password/],
      ['https://hooks.example.com/in?x=1', /query/],
      ['', /empty/],
    ];
    const before = tunnel.state();
    for (const [url, message] of bad) {
      const result = tunnel.setCustomPublicUrl(url);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
      expect(tunnel.state()).toEqual(before);
    }
    expect(fake.controlRequests).toHaveLength(0);

    const mark = rec.mark();
    expect(tunnel.setCustomPublicUrl(null)).toEqual({ ok: true });
    const up = await rec.waitFor((s) => s.status === 'up', mark);
    expect(up.publicUrl).toBe(fake.publicUrlFor(subdomain));

    // Back to custom: the localtunnel sockets are closed.
    expect(tunnel.setCustomPublicUrl('https://proxy.example.org')).toEqual({ ok: true });
    expect(tunnel.state()).toMatchObject({ status: 'custom', publicUrl: 'https://proxy.example.org' });
    await when(fake.events, ['socket-closed'], () => fake.socketCount(subdomain) === 0);
    await tunnel.stop();
    expect(tunnel.state()).toMatchObject({ status: 'off', attempts: 0 });
    expect(tunnel.state().publicUrl).toBeUndefined();
  });

  it('stop() cancels pending retries, also when called from a state listener: nothing more is requested', async () => {
    const fake = await fakeServer();
    fake.rejectControlRequests({ status: 503, message: 'overloaded' });
    const requestsFor = (subdomain: string): number =>
      fake.controlRequests.filter((r) => r.requested === subdomain).length;

    const a = manager(fake);
    a.tunnel.start();
    await a.rec.waitFor((s) => s.attempts === 2 && s.nextAttemptAt !== undefined);
    await a.tunnel.stop();

    const cSubdomain = generateSubdomain();
    const c: { tunnel?: TunnelManager } = {};
    c.tunnel = manager(fake, {
      subdomain: cSubdomain,
      onStateChanged: (state) => {
        if (state.nextAttemptAt !== undefined) void c.tunnel?.stop();
      },
    }).tunnel;
    c.tunnel.start();
    await when(fake.events, ['control'], () => requestsFor(cSubdomain) === 1);

    // A third manager on the same schedule makes four requests, spanning more than A's or C's next delay.
    const before = fake.controlRequests.length;
    const b = manager(fake);
    b.tunnel.start();
    await b.rec.waitFor((s) => s.attempts === 4 && s.nextAttemptAt !== undefined);
    expect(fake.controlRequests.length).toBe(before + 4);
    expect(fake.controlRequests).toHaveLength(2 + 1 + 4);
    expect(requestsFor(cSubdomain)).toBe(1);
    expect(a.tunnel.state().status).toBe('off');
    expect(c.tunnel.state()).toMatchObject({ status: 'off', attempts: 0 });
  });

  it('refuses an invalid subdomain without contacting the server', async () => {
    const fake = await fakeServer();
    const { tunnel } = manager(fake, { subdomain: 'Not_Valid' });
    tunnel.start();
    expect(tunnel.state()).toMatchObject({ status: 'error' });
    expect(tunnel.state().lastError).toMatch(/subdomain "Not_Valid" is not valid/);
    expect(fake.controlRequests).toHaveLength(0);
  });
});

describe('backoffDelayMs', () => {
  it('grows by the factor, is capped, and jitter only shortens within its fraction', () => {
    const options = { initialMs: 1000, maxMs: 60_000, factor: 2 };
    expect([1, 2, 3, 4, 7, 8, 50, 5000].map((n) => backoffDelayMs(n, { ...options, jitter: 0 }))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000, 60_000,
    ]);
    expect(backoffDelayMs(3, { ...options, jitter: 0.3, random: () => 0 })).toBe(2800);
    expect(backoffDelayMs(3, { ...options, jitter: 0.3, random: () => 0.999999 })).toBe(4000);
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelayMs(1 + (i % 12), { ...options, jitter: 0.3 });
      const base = Math.min(60_000, 1000 * 2 ** (i % 12));
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.7));
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});

describe('fake localtunnel server (protocol as the real one)', () => {
  it('refuses invalid subdomains with 403 and a message, gives random ids for ?new, 404s unknown tunnels', async () => {
    const fake = await fakeServer({ graceMs: 100 });
    const invalid = await fetch(`${fake.url}/AB`);
    expect(invalid.status).toBe(403);
    expect(((await invalid.json()) as { message: string }).message).toMatch(/Invalid subdomain/);
    const fresh = (await (await fetch(`${fake.url}/?new`)).json()) as {
      id: string;
      port: number;
      url: string;
    };
    expect(fresh.id).toMatch(/^[a-z0-9]{4,63}$/);
    expect(fresh.url).toBe(fake.publicUrlFor(fresh.id));
    // No client ever connects: the tunnel goes after its grace period, and its public URL then 404s.
    await when(fake.events, ['tunnel-removed'], () => !fake.activeTunnelIds().includes(fresh.id));
    const gone = await send(`${fresh.url}/webhooks/whatsapp/x`);
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).toBe(`no active client for '${fresh.id}'`);
  });
});
