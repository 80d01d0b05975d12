// Job types shared by the crash test and its worker process: the parent enqueues, the child runs.
import { z } from 'zod';
import type { JobQueue } from '../../src-main/queue/runner';
import { queueNames, type JobContext, type QueueName } from '../../src-main/queue/types';

export const crashJobSchema = z.object({ n: z.number().int() });

export function crashJobType(queue: QueueName): string {
  return `crash-test.${queue}`;
}

export function registerCrashTestJobs(
  queue: JobQueue,
  handler: (payload: z.output<typeof crashJobSchema>, ctx: JobContext) => Promise<void>,
): void {
  for (const name of queueNames) {
    queue.register(crashJobType(name), { queue: name, schema: crashJobSchema, handler, maxAttempts: 5 });
  }
}
