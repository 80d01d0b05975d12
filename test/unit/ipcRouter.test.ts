import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src-main/ipc/errors';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';

const trusted = { trusted: true, description: 'test' };
const info = { name: 'Bellhop', version: '0', dataDir: '/d', schemaVersion: 1, hostKind: 'browser' as const };

describe('IPC router', () => {
  it('answers a valid call with { ok: true, value }', async () => {
    const router = createIpcRouter({ 'app:info': () => info }, createMemoryLogger());
    await expect(router.dispatch('app:info', {}, trusted)).resolves.toEqual({ ok: true, value: info });
  });

  it.each([
    ['an unknown channel', 'app:explode', {}],
    ['a non-string channel', 42, {}],
    ['a prototype key as channel', '__proto__', {}],
    ['an unexpected field', 'app:info', { extra: 1 }],
    ['a payload of the wrong type', 'app:info', 'hello'],
    ['an array payload', 'app:info', []],
  ])('rejects %s with BAD_REQUEST without calling the handler', async (_what, channel, payload) => {
    const handler = vi.fn(() => info);
    const router = createIpcRouter({ 'app:info': handler }, createMemoryLogger());
    const result = await router.dispatch(channel, payload, trusted);
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses an untrusted sender with FORBIDDEN without calling the handler', async () => {
    const handler = vi.fn(() => info);
    const router = createIpcRouter({ 'app:info': handler }, createMemoryLogger());
    const result = await router.dispatch(
      'app:info',
      {},
      { trusted: false, description: 'https://evil.example' },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('passes an AppError through with its code and message', async () => {
    const router = createIpcRouter(
      {
        'app:info': () => {
          throw new AppError('LOCKED', 'An import is already running (started 2 minutes ago).');
        },
      },
      createMemoryLogger(),
    );
    await expect(router.dispatch('app:info', {}, trusted)).resolves.toEqual({
      ok: false,
      error: { code: 'LOCKED', message: 'An import is already running (started 2 minutes ago).' },
    });
  });

  it('hides internal error details behind INTERNAL and logs them in main', async () => {
    const log = createMemoryLogger();
    const router = createIpcRouter(
      {
        'app:info': () => {
          throw new Error('SQLITE_CORRUPT at /home/owner/secret/path.sqlite');
        },
      },
      log,
    );
    const result = await router.dispatch('app:info', {}, trusted);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('SQLITE_CORRUPT');
    expect(JSON.stringify(result)).not.toContain('/home/owner');
    expect(log.lines.join('\n')).toContain('SQLITE_CORRUPT');
  });

  it('reports a channel without a handler as UNAVAILABLE', async () => {
    const router = createIpcRouter({}, createMemoryLogger());
    await expect(router.dispatch('app:info', {}, trusted)).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
  });
});
