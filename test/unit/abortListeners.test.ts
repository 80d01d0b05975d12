import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src-main/abortListeners';

describe('onAbort', () => {
  it('calls every callback still listening once, and none that stopped', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const stops = Array.from({ length: 500 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
    for (let i = 0; i < 500; i += 2) stops[i]!();
    controller.abort();
    controller.abort();
    expect(calls).toEqual(Array.from({ length: 250 }, (_, i) => 2 * i + 1));
  });

  it('keeps one listener on the signal however many callbacks wait', () => {
    const controller = new AbortController();
    let added = 0;
    const addEventListener = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      added += 1;
      addEventListener(...args);
    };
    for (let i = 0; i < 100; i++) onAbort(controller.signal, () => undefined)();
    expect(added).toBe(1);
  });

  it('still calls the other callbacks when one throws, and reports the error', async () => {
    const controller = new AbortController();
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    let later = false;
    onAbort(controller.signal, () => {
      throw new Error('listener bug');
    });
    onAbort(controller.signal, () => {
      later = true;
    });
    controller.abort();
    expect(later).toBe(true);
    await expect(reported).resolves.toMatchObject({ message: 'listener bug' });
  });
});
