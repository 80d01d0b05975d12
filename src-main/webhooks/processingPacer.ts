// Processing gives way to intake during a burst. Both run on the main thread, and processing costs
// about three times the intake's CPU per event (bench:webhooks: ~390 µs against ~100 over all threads),
// so a burst's processing jobs, each holding the thread for a whole batch, held every webhook that
// arrived meanwhile unanswered. Meta retries an answer that comes slowly (§6), so a durable 200 now and
// the processing a little later is what a burst should get. Processing goes in slices; while the
// intake has events waiting for their commit, slices are let through one at a time, at most one per
// `maxWaitMs` across every processing job — never fewer, so processing always keeps progressing (at
// least `sliceSize` events per `maxWaitMs` however long the burst) — and at full speed once it is quiet.

/** Events processed between two chances for the intake to run: ~16 × 390 µs, about 6 ms of thread. */
export const sliceSize = 16;
/** The longest a slice waits for a busy intake. */
export const defaultMaxWaitMs = 25;
const defaultPollMs = 2;

export interface ProcessingPacerOptions {
  /** Whether the intake has events waiting to be stored and answered. */
  intakeBusy(): boolean;
  maxWaitMs?: number;
  pollMs?: number;
  now?: () => number;
}

export interface ProcessingPacer {
  /**
   * Processes `eventIds` slice by slice, each when the pacer lets it; a failed slice does not stop
   * the others, and the failures are thrown together at the end (the queue then retries the job,
   * whose retry skips the events already processed).
   */
  process(eventIds: readonly string[], processAll: (ids: string[]) => Promise<void>): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createProcessingPacer(options: ProcessingPacerOptions): ProcessingPacer {
  const maxWaitMs = options.maxWaitMs ?? defaultMaxWaitMs;
  const pollMs = options.pollMs ?? defaultPollMs;
  const now = options.now ?? Date.now;
  let lastGrantAt = Number.NEGATIVE_INFINITY;
  /** Turns are granted one after the other, so a burst sees one slice per `maxWaitMs`, not one per job. */
  let queue: Promise<void> = Promise.resolve();

  const waitForTurn = async (): Promise<void> => {
    // Requests read and answers written in the meantime go first, busy or not.
    await nextTurn();
    while (options.intakeBusy() && now() - lastGrantAt < maxWaitMs) await sleep(pollMs);
    lastGrantAt = now();
  };
  const turn = (): Promise<void> => {
    const granted = queue.then(waitForTurn);
    queue = granted;
    return granted;
  };

  return {
    async process(eventIds, processAll) {
      const failures: string[] = [];
      for (let at = 0; at < eventIds.length; at += sliceSize) {
        await turn();
        try {
          await processAll(eventIds.slice(at, at + sliceSize));
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      if (failures.length) throw new Error(failures.join('; '));
    },
  };
}
