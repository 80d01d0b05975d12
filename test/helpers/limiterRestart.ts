// The rate-limit restart tests' common run: one key's grants on a manual clock across a restart of the
// limiter over the same SQLite store. A first limiter tries a take every `tickMs` for `before` ticks and
// then stops: 'crash' drops it without close() (its database handle closed under it), 'close' closes it
// cleanly. A second limiter over the same store (or, with `persist: false`, one that remembers nothing)
// then tries for `after` ticks. Every grant of both is recorded on the shared clock.
import { join } from 'node:path';
import { openDatabase } from '../../src-main/db/open';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import type { RateRule } from '../../src-main/ratelimit/types';
import { manualClock } from './simulatorGraph';
import type { useTempDirs } from './tempDir';

export interface RestartRun {
  /** Every grant, in order, on the manual clock. */
  times: number[];
  /** The clock when the first limiter stopped. */
  stoppedAt: number;
  /** How many of `times` the first limiter granted. */
  grantedBefore: number;
}

export function grantsAcrossRestart(
  temp: ReturnType<typeof useTempDirs>,
  rule: RateRule,
  run: { tickMs: number; before: number; after: number; stop: 'crash' | 'close'; persist?: boolean },
): RestartRun {
  const folder = temp.dir();
  temp.openMigrated(folder).close();
  const file = join(folder, 'bellhop.sqlite');
  const clock = manualClock();
  const times: number[] = [];
  const onGrant = (_key: string, at: number) => times.push(at);

  const dbA = openDatabase(file);
  const a = createRateLimiter({ db: dbA, now: clock.now, onGrant });
  for (let step = 0; step < run.before; step++, clock.advance(run.tickMs)) a.tryTake('k', rule);
  if (run.stop === 'close') a.close();
  dbA.close();
  const stoppedAt = clock.now();
  const grantedBefore = times.length;

  const dbB = openDatabase(file);
  const b = createRateLimiter({ db: run.persist === false ? undefined : dbB, now: clock.now, onGrant });
  for (let step = 0; step < run.after; step++, clock.advance(run.tickMs)) b.tryTake('k', rule);
  b.close();
  dbB.close();
  return { times, stoppedAt, grantedBefore };
}
