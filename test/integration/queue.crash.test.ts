// A real worker process is killed with SIGKILL in the middle of running jobs. After a restart every job
// finishes, none is lost, and the re-run of an interrupted job is visible to its handler (attempt number).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/open';
import { createJobQueue } from '../../src-main/queue/runner';
import { queueNames } from '../../src-main/queue/types';
import { exited, nextMessage, useChildren } from '../helpers/childProcess';
import { crashJobType, registerCrashTestJobs } from '../helpers/queueJobs';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
const processes = useChildren();
const JOBS = 3000;

describe('job queue: a worker killed with SIGKILL', () => {
  it('loses nothing: after a restart every job has run, and interrupted ones re-ran with a higher attempt', async () => {
    const folder = temp.dir();
    const file = join(folder, 'bellhop.sqlite');
    const db = temp.openMigrated(folder);
    const enqueuer = createJobQueue({ db });
    registerCrashTestJobs(enqueuer, () => Promise.resolve());
    db.transaction(() => {
      for (let n = 0; n < JOBS; n++) enqueuer.enqueue(crashJobType(queueNames[n % 3]!), { n });
    })();
    const jobIds = db.prepare('SELECT id FROM jobs').pluck().all() as string[];
    expect(jobIds).toHaveLength(JOBS);

    // First run: killed while jobs are in flight.
    const first = processes.forkTs('queueWorker.ts', [file]);
    const { pid: firstPid } = await nextMessage<{ pid: number }>(first);
    const watcher = openDatabase(file, { readonly: true });
    const startedRuns = watcher.prepare('SELECT count(*) FROM job_runs').pluck();
    await waitFor(() => (startedRuns.get() as number) >= JOBS / 4, {
      what: 'a quarter of the jobs to start',
    });
    first.kill('SIGKILL');
    expect(await exited(first)).toEqual({ code: null, signal: 'SIGKILL' });

    const interrupted = db.prepare(`SELECT id, attempts FROM jobs WHERE state = 'running'`).all() as {
      id: string;
      attempts: number;
    }[];
    expect(interrupted.length).toBeGreaterThan(0); // the kill really landed mid-run
    const remaining = db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
    expect(remaining).toBeLessThan(JOBS); // and after some jobs were done
    expect(remaining).toBeGreaterThan(interrupted.length);

    // Restart: the new process reclaims the interrupted jobs at start-up and runs everything to the end.
    const second = processes.forkTs('queueWorker.ts', [file]);
    await nextMessage(second);
    expect(await nextMessage<{ type: string }>(second)).toEqual({ type: 'finished' });
    expect(await exited(second)).toEqual({ code: 0, signal: null });
    watcher.close();

    // None lost: every job left an effect, and the queue is empty.
    expect(db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(0);
    const effects = new Map(
      (
        db.prepare('SELECT job_id, last_attempt, times FROM job_effects').all() as {
          job_id: string;
          last_attempt: number;
          times: number;
        }[]
      ).map((e) => [e.job_id, e]),
    );
    expect([...jobIds].filter((id) => !effects.has(id))).toEqual([]);

    // Every interrupted job ran again in the second process, and its handler saw the next attempt number.
    // (SIGKILL can land between the claim and the handler's first line, so a claimed job may show no run
    // in the first process; its attempt was still spent, and the re-run says so.)
    const rerun = db.prepare('SELECT attempt, pid FROM job_runs WHERE job_id = ? ORDER BY rowid');
    let startedBeforeKill = 0;
    for (const job of interrupted) {
      const runs = rerun.all(job.id) as { attempt: number; pid: number }[];
      const beforeKill = runs.filter((r) => r.pid === firstPid);
      expect(beforeKill.length).toBeLessThanOrEqual(1);
      if (beforeKill[0]) {
        startedBeforeKill += 1;
        expect(beforeKill[0].attempt).toBe(job.attempts);
      }
      expect(runs.at(-1)!.attempt).toBe(job.attempts + 1);
      expect(runs.at(-1)!.pid).not.toBe(firstPid);
      expect(effects.get(job.id)!.last_attempt).toBe(job.attempts + 1);
    }
    expect(startedBeforeKill).toBeGreaterThan(0);
    // At-least-once, and only where a crash forced it: a job ran its effect twice only if interrupted.
    const interruptedIds = new Set(interrupted.map((j) => j.id));
    const twice = [...effects.values()].filter((e) => e.times > 1).map((e) => e.job_id);
    expect(twice.filter((id) => !interruptedIds.has(id))).toEqual([]);
    const runsPerJob = db
      .prepare('SELECT job_id, count(*) AS n FROM job_runs GROUP BY job_id HAVING n > 1')
      .all() as { job_id: string }[];
    expect(runsPerJob.filter((r) => !interruptedIds.has(r.job_id))).toEqual([]);
  });
});
