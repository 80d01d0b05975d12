// The intake writer's pipelined group commit: an event is released (answered) only by an fsync that
// began after its commit, commits go on while an fsync is in flight, and an fsync that fails releases
// its commits with the error instead of as stored.
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src-main/webhooks/groupCommit';
import { waitFor } from '../helpers/waitFor';

interface Harness {
  add(batch: string): void;
  /** Every commit so far, in order: the batches each took. */
  commits: string[][];
  /** Per fsync started: the commits written before it began (by index), and its completion. */
  syncs: { after: number; finish(error?: Error): void }[];
  /** Per release: the batches released, and the error if the fsync failed. */
  released: { batches: string[]; error: string | null }[];
  afterCommits: { commits: number; syncs: number }[];
  whenIdle(): Promise<void>;
}

function harness(): Harness {
  const h: Omit<Harness, 'add' | 'whenIdle'> = { commits: [], syncs: [], released: [], afterCommits: [] };
  const groupCommit = createGroupCommit<string, string[]>({
    commit(batches) {
      h.commits.push(batches);
      return batches;
    },
    sync(done) {
      h.syncs.push({ after: h.commits.length, finish: (error) => done(error ?? null) });
    },
    durable(results, error) {
      h.released.push({ batches: results.flat(), error: error?.message ?? null });
    },
    afterCommit() {
      h.afterCommits.push({ commits: h.commits.length, syncs: h.syncs.length });
    },
  });
  return {
    ...h,
    add: (batch) => groupCommit.add(batch),
    whenIdle: () => new Promise((resolve) => groupCommit.whenIdle(resolve)),
  };
}

describe('pipelined group commit', () => {
  it('commits while an fsync is in flight and releases each commit only after an fsync begun after it', async () => {
    const h = harness();
    h.add('a1');
    h.add('a2');
    await waitFor(() => h.syncs.length === 1, { what: 'the first fsync' });
    // Both batches of the first turn went into one commit, and its fsync began after it.
    expect(h.commits).toEqual([['a1', 'a2']]);
    expect(h.syncs[0]!.after).toBe(1);
    // The work between two commits ran once the fsync was under way, not before.
    expect(h.afterCommits).toEqual([{ commits: 1, syncs: 1 }]);

    h.add('b1');
    await waitFor(() => h.commits.length === 2, { what: 'the second commit, during the first fsync' });
    h.add('c1');
    await waitFor(() => h.commits.length === 3, { what: 'the third commit, during the first fsync' });
    // No second fsync while the first is in flight, and nothing released before an fsync finished.
    expect(h.syncs).toHaveLength(1);
    expect(h.released).toEqual([]);

    h.syncs[0]!.finish();
    // The first fsync releases only what was committed before it began; the next one starts at once
    // and covers the two commits made meanwhile.
    expect(h.released).toEqual([{ batches: ['a1', 'a2'], error: null }]);
    expect(h.syncs).toHaveLength(2);
    expect(h.syncs[1]!.after).toBe(3);
    h.syncs[1]!.finish();
    expect(h.released[1]).toEqual({ batches: ['b1', 'c1'], error: null });
    await h.whenIdle();
  });

  it('releases the commits of a failed fsync with its error, and goes on', async () => {
    const h = harness();
    h.add('a');
    await waitFor(() => h.syncs.length === 1, { what: 'the first fsync' });
    h.add('b');
    await waitFor(() => h.commits.length === 2, { what: 'the second commit' });
    h.syncs[0]!.finish(new Error('EIO'));
    expect(h.released).toEqual([{ batches: ['a'], error: 'EIO' }]);
    h.syncs[1]!.finish();
    expect(h.released[1]).toEqual({ batches: ['b'], error: null });
  });

  it('is idle only once every batch added is committed, synced and released', async () => {
    const h = harness();
    let idle = false;
    h.add('a');
    const idled = h.whenIdle().then(() => (idle = true));
    await waitFor(() => h.syncs.length === 1, { what: 'the fsync' });
    expect(idle).toBe(false);
    h.syncs[0]!.finish();
    await idled;
    expect(h.released).toEqual([{ batches: ['a'], error: null }]);
  });
});
