// Background worker threads lower their own priority, never the main thread's or the process's.
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICENESS, lowerWorkerThreadPriority } from '../../src-main/workers/threadPriority';

const modulePath = join(__dirname, '../../src-main/workers/threadPriority.ts');

describe('lowerWorkerThreadPriority', () => {
  it('does nothing on the main thread', () => {
    const before = getPriority();
    expect(lowerWorkerThreadPriority()).toBe(false);
    expect(getPriority()).toBe(before);
  });

  it.skipIf(process.platform !== 'linux')(
    'raises a worker thread’s nice value and leaves the main thread’s alone',
    async () => {
      const mainBefore = getPriority();
      const worker = new Worker(
        `require('tsx/cjs');
         const { parentPort } = require('node:worker_threads');
         const { readlinkSync } = require('node:fs');
         const { getPriority } = require('node:os');
         const { lowerWorkerThreadPriority } = require(${JSON.stringify(modulePath)});
         const lowered = lowerWorkerThreadPriority();
         const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
         parentPort.postMessage({ lowered, tid, priority: getPriority(tid) });`,
        { eval: true },
      );
      const [reply] = (await once(worker, 'message')) as [
        { lowered: boolean; tid: number; priority: number },
      ];
      await worker.terminate();
      expect(reply.lowered).toBe(true);
      expect(reply.tid).not.toBe(process.pid);
      expect(reply.priority).toBeGreaterThanOrEqual(BACKGROUND_NICENESS);
      expect(getPriority()).toBe(mainBefore);
    },
  );
});
