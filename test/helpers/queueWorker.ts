// A real worker process for the crash test (test/integration/queue.crash.test.ts): runs the job queue on
// the given database until no job is left, recording every run start and every effect in SQLite.
// Started with `node --import tsx test/helpers/queueWorker.ts <db file>`; the test SIGKILLs it mid-run.
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { createJobQueue } from '../../src-main/queue/runner';
import { registerCrashTestJobs } from './queueJobs';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: queueWorker.ts <db file>');
  const db = openDatabase(file);
  migrate(db, migrations);
  db.exec(`
    CREATE TABLE IF NOT EXISTS job_runs (job_id TEXT NOT NULL, attempt INTEGER NOT NULL, runs INTEGER NOT NULL,
                                         pid INTEGER NOT NULL, at INTEGER NOT NULL) STRICT;
    CREATE TABLE IF NOT EXISTS job_effects (job_id TEXT PRIMARY KEY, last_attempt INTEGER NOT NULL,
                                            times INTEGER NOT NULL) STRICT;
  `);
  const logRun = db.prepare('INSERT INTO job_runs (job_id, attempt, runs, pid, at) VALUES (?, ?, ?, ?, ?)');
  const effect = db.prepare(
    `INSERT INTO job_effects (job_id, last_attempt, times) VALUES (?, ?, 1)
     ON CONFLICT (job_id) DO UPDATE SET last_attempt = excluded.last_attempt, times = times + 1`,
  );
  const queue = createJobQueue({ db, concurrency: { default: 6, campaigns: 6, chatbots: 6 }, pollMs: 50 });
  registerCrashTestJobs(queue, async (_payload, ctx) => {
    logRun.run(ctx.jobId, ctx.attempt, ctx.runs, process.pid, Date.now());
    // Real asynchronous work between start and effect, so a kill lands in the middle of runs.
    await sleep(1 + Math.floor(Math.random() * 4));
    effect.run(ctx.jobId, ctx.attempt);
  });
  queue.start();
  process.send?.({ type: 'started', pid: process.pid });
  const left = db.prepare(`SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')`).pluck();
  while ((left.get() as number) > 0) await queue.whenIdle();
  await queue.stop();
  db.close();
  process.send?.({ type: 'finished' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
