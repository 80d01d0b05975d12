// The stand-in the browser host talks to while the app starts: calls made before the app is up wait
// and then go through the app's own router (so the contract still rejects bad payloads), events flow
// once it is up, and a failed start answers UNAVAILABLE instead of leaving calls hanging.
import { describe, expect, it, vi } from 'vitest';
import { createEventBus } from '../../src-main/events';
import { createPendingApp } from '../../src-main/host/pendingApp';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';

const trusted = { trusted: true, description: 'test' };
const info = { name: 'Bellhop', version: '0', dataDir: '/d', schemaVersion: 1, hostKind: 'browser' as const };

function startedApp(handler = vi.fn(() => info)) {
  const log = createMemoryLogger();
  return {
    handler,
    app: { router: createIpcRouter({ 'app:info': handler }, log), events: createEventBus(), log },
  };
}

describe('pending app (browser host start-up)', () => {
  it('holds calls made before the app is up and answers them through its router once it is', async () => {
    const pending = createPendingApp();
    let settled = false;
    const early = pending.app.router.dispatch('app:info', {}, trusted).then((result) => {
      settled = true;
      return result;
    });
    const invalid = pending.app.router.dispatch('app:info', { unexpected: true }, trusted);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);

    const { app, handler } = startedApp();
    pending.ready(app);
    await expect(early).resolves.toEqual({ ok: true, value: info });
    await expect(invalid).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(handler).toHaveBeenCalledTimes(1);
    await expect(pending.app.router.dispatch('app:nope', {}, trusted)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    await expect(
      pending.app.router.dispatch('app:info', {}, { trusted: false, description: 'elsewhere' }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("relays the app's push events to the host's subscribers once the app is up", () => {
    const pending = createPendingApp();
    const seen: unknown[] = [];
    pending.app.events.subscribe((event, payload) => seen.push({ event, payload }));
    const { app } = startedApp();
    pending.ready(app);
    const payload = { workspaceId: 'w1', connectionIds: ['c1'] };
    app.events.emit('connections:changed', payload);
    expect(seen).toEqual([{ event: 'connections:changed', payload }]);
  });

  it('answers waiting and later calls with UNAVAILABLE when the app could not start', async () => {
    const pending = createPendingApp();
    const waiting = pending.app.router.dispatch('app:info', {}, trusted);
    pending.failed('Bellhop could not start.');
    const unavailable = { ok: false, error: { code: 'UNAVAILABLE', message: 'Bellhop could not start.' } };
    await expect(waiting).resolves.toEqual(unavailable);
    await expect(pending.app.router.dispatch('app:info', {}, trusted)).resolves.toEqual(unavailable);
  });

  it("writes the host's log lines to the app's log once it is up", () => {
    const pending = createPendingApp();
    const { app } = startedApp();
    pending.ready(app);
    pending.app.log.error('browser host: route failed', { prefix: '/downloads/' });
    expect(app.log.lines.some((line) => line.includes('browser host: route failed'))).toBe(true);
  });
});
