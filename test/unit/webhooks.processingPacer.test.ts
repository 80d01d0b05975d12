// Processing gives way to the intake during a burst, and is never starved by it: with the intake
// busy, slices wait (one per maxWaitMs across all jobs); busy without end, every slice still runs.
import { describe, expect, it } from 'vitest';
import { createProcessingPacer, sliceSize } from '../../src-main/webhooks/processingPacer';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `event-${i}`);

describe('processing pacer', () => {
  it('processes every event in order, a slice at a time, when the intake is quiet', async () => {
    const pacer = createProcessingPacer({ intakeBusy: () => false });
    const seen: string[][] = [];
    await pacer.process(ids(sliceSize * 2 + 3), (slice) => {
      seen.push(slice);
      return Promise.resolve();
    });
    expect(seen.map((s) => s.length)).toEqual([sliceSize, sliceSize, 3]);
    expect(seen.flat()).toEqual(ids(sliceSize * 2 + 3));
  });

  it('holds the next slice back while the intake is busy, and lets it go once the intake is done', async () => {
    let busyChecks = 0;
    let busy = true;
    // Long enough that only the intake finishing can let the slice go.
    const pacer = createProcessingPacer({
      intakeBusy: () => {
        busyChecks++;
        if (busyChecks >= 5) busy = false;
        return busy;
      },
      maxWaitMs: 60_000,
      pollMs: 1,
    });
    const checksWhenProcessed: number[] = [];
    await pacer.process(ids(sliceSize + 1), () => {
      checksWhenProcessed.push(busyChecks);
      return Promise.resolve();
    });
    // The first slice goes at once (none went in the last maxWaitMs); the second waits for the intake.
    expect(checksWhenProcessed).toEqual([1, 5]);
  });

  it('never starves: with the intake busy without end, every slice runs, one per maxWaitMs', async () => {
    let clock = 0;
    const grants: number[] = [];
    const pacer = createProcessingPacer({
      intakeBusy: () => {
        clock += 1; // each look at the intake takes a (fake) millisecond
        return true;
      },
      maxWaitMs: 10,
      pollMs: 0,
      now: () => clock,
    });
    const jobs = [ids(sliceSize * 3), ids(sliceSize * 2)].map((eventIds) =>
      pacer.process(eventIds, () => {
        grants.push(clock);
        return Promise.resolve();
      }),
    );
    await Promise.all(jobs);
    // Five slices over two concurrent jobs, each let through only after 10 ms since the last.
    expect(grants).toHaveLength(5);
    for (let i = 1; i < grants.length; i++) expect(grants[i]! - grants[i - 1]!).toBeGreaterThanOrEqual(10);
  });

  it('runs the slices after a failed one, then throws the failures together', async () => {
    const pacer = createProcessingPacer({ intakeBusy: () => false });
    const seen: string[] = [];
    const run = pacer.process(ids(sliceSize * 3), (slice) => {
      seen.push(...slice);
      return slice.includes(`event-${sliceSize}`)
        ? Promise.reject(new Error('1 of 16 webhook event(s) failed: x'))
        : Promise.resolve();
    });
    await expect(run).rejects.toThrow('1 of 16 webhook event(s) failed: x');
    expect(seen).toEqual(ids(sliceSize * 3));
  });
});
