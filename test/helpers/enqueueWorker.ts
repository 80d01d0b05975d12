// A separate process enqueueing the same unique job over and over, for the cross-process uniqueness test.
// `node --import tsx test/helpers/enqueueWorker.ts <db file> <unique key> <count>`; waits for 'go'.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import { openDatabase } from '../../src-main/db/open';
import { createJobQueue } from '../../src-main/queue/runner';

async function main(): Promise<void> {
  const [file, key, countText] = process.argv.slice(2);
  if (!file || !key || !countText) throw new Error('usage: enqueueWorker.ts <db file> <unique key> <count>');
  const db = openDatabase(file);
  const queue = createJobQueue({ db });
  const job = queue.register('unique-test', {
    queue: 'default',
    schema: z.object({ from: z.number() }),
    handler: () => {},
  });
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send?.({ type: 'ready' });
  await go;
  const results = [];
  for (let i = 0; i < Number(countText); i++) {
    results.push(job.enqueue({ from: process.pid }, { uniqueKey: key }));
    await nextTurn();
  }
  db.close();
  process.send?.({
    created: results.filter((r) => r.created).length,
    ids: [...new Set(results.map((r) => r.id))],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
