// The webhook intake's writer thread. It owns its own SQLite connection and commits each group of raw
// events, with the job that processes them, in one transaction; an fsync of the WAL then makes the
// commit durable before its events are answered (groupCommit.ts). Running this here keeps the main
// thread — HTTP, the UI's IPC, the queue — free while the disk works. Batches that arrive while a
// commit runs wait in this thread's message queue and are all taken into the next commit, and commits
// go on while the last one's fsync is in flight, so a commit grows with the load and the disk's time
// overlaps the writer's.
import { closeSync, fsync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { newId } from '../db/ids';
import { openDatabase } from '../db/open';
import { createJobStore } from '../queue/store';
import { createGroupCommit } from './groupCommit';
import {
  processJobDefaults,
  processJobType,
  type IntakeBatch,
  type IntakeControl,
  replyOf,
  unpackBatch,
  type IntakeReply,
  type IntakeResult,
  type PackedEvent,
} from './intakeProtocol';
import { verifySignature } from './verify';

const { dbFile } = workerData as { dbFile: string };
const db = openDatabase(dbFile);
// This connection never checkpoints: SQLite runs an automatic checkpoint inside the commit that
// crosses 1,000 WAL pages, and copying those pages and fsyncing the database file held that commit —
// and every webhook waiting on it — for tens of ms. The intake's checkpoint thread does it beside us
// (intakeCheckpointWorker.ts).
db.pragma('wal_autocheckpoint = 0');
const jobs = createJobStore(db);
const insert = db.prepare(
  `INSERT INTO webhook_events (id, connection_id, received_at, raw_body, state) VALUES (?, ?, ?, ?, 'pending')`,
);
const touchConnection = db.prepare('UPDATE connections SET last_webhook_at = ? WHERE id = ?');

type Event = PackedEvent;

/**
 * Stores one event as it came. Its shape is not checked here: processing parses every event anyway and
 * marks a signed body that is not a WhatsApp webhook 'unparseable' with the reason (it is still answered
 * 200, or Meta would retry it for a week). Parsing it here as well cost as much CPU as its insert.
 */
function store(event: Event, at: number): string {
  const id = newId(at);
  insert.run(id, event.connectionId, at, event.body);
  return id;
}

function enqueueProcessing(eventIds: string[], at: number): void {
  if (eventIds.length === 0) return;
  jobs.insert({
    id: newId(at),
    queue: processJobDefaults.queue,
    type: processJobType,
    payload: JSON.stringify({ eventIds }),
    runAt: at,
    maxAttempts: processJobDefaults.maxAttempts,
    uniqueKey: undefined,
    now: at,
  });
}

function storeAll(events: Event[], at: number): string[] {
  const ids = events.map((event) => store(event, at));
  enqueueProcessing(ids, at);
  // last_webhook_at once per connection per commit (the silent-webhook alarm needs minutes, not rows).
  for (const connectionId of new Set(events.map((e) => e.connectionId)))
    touchConnection.run(at, connectionId);
  return ids;
}

function unpack(batches: IntakeBatch[]): Event[] {
  return batches.length === 1 ? unpackBatch(batches[0]!) : batches.flatMap(unpackBatch);
}

/**
 * Checks every signature (HMAC-SHA256 over the raw bytes as received, verify.ts), then stores the
 * signed events in one durable transaction; a refused one is never written. The check runs here, not
 * on the main thread: there it was about a seventh of the thread's time per request (the HMAC's set-up
 * with cold caches between two requests), here it runs in a loop over the batch.
 */
function verifyAndCommit(events: Event[]): IntakeResult[] {
  const results: IntakeResult[] = new Array<IntakeResult>(events.length);
  const signed: Event[] = [];
  const signedAt: number[] = [];
  events.forEach((event, i) => {
    const check = verifySignature(event.body, event.signature ?? undefined, event.appSecret);
    if (check.ok) {
      signed.push(event);
      signedAt.push(i);
    } else {
      results[i] = { refused: check.reason };
    }
  });
  // Nothing signed, nothing written: a flood of forged requests costs no transaction and no fsync.
  if (signed.length) commit(signed).forEach((result, k) => (results[signedAt[k]!] = result));
  return results;
}

/**
 * Writes the events in one transaction with the connection's synchronous=NORMAL: into the WAL, not
 * yet fsynced. NORMAL still syncs the WAL's header when the WAL restarts and the database file at
 * every checkpoint, so the file can never be corrupted; what it leaves out, the fsync after each
 * commit, groupCommit.ts does before anything is answered.
 */
function commit(events: Event[]): IntakeResult[] {
  const at = Date.now();
  try {
    return db.transaction(() => storeAll(events, at)).immediate();
  } catch {
    // One bad row (its connection deleted a moment ago, say) must not cost its neighbours their 200.
    return events.map((event): IntakeResult => {
      try {
        return db.transaction(() => storeAll([event], at)[0]!).immediate();
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    });
  }
}

/**
 * The WAL, opened for its fsync. Every connection of the app keeps the database open, so SQLite never
 * deletes or replaces this file under us (it deletes the WAL only when the last connection closes),
 * and SQLite takes no locks on it that closing a second descriptor could drop.
 */
let walFd: number | undefined;

function syncWal(done: (error: Error | null) => void): void {
  try {
    walFd ??= openSync(`${dbFile}-wal`, 'r+');
  } catch (error) {
    done(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  fsync(walFd, done);
}

interface Committed {
  batches: number;
  results: IntakeResult[];
}

/** The checkpoint thread has copied most of the WAL: finish the copy here, between two commits. */
let finishCheckpoint = false;

/**
 * Only the pages committed while the checkpoint thread copied are left, so this is short. Done by the
 * writer, nothing can commit during it, so the WAL is wholly copied and SQLite restarts it from its
 * beginning at the next commit. Without a restart the WAL would grow for as long as webhooks keep
 * coming, and past 1,000 pages every commit of the app's main connection would run a checkpoint of
 * its own, on the main thread.
 */
function finishCheckpointNow(): void {
  finishCheckpoint = false;
  db.pragma('wal_checkpoint(PASSIVE)');
}

const groupCommit = createGroupCommit<IntakeBatch, Committed>({
  commit: (batches) => ({ batches: batches.length, results: verifyAndCommit(unpack(batches)) }),
  sync: syncWal,
  durable(commits, error) {
    let batches = 0;
    const results: IntakeResult[] = [];
    for (const committed of commits) {
      batches += committed.batches;
      for (const result of committed.results) {
        // A refused signature stays refused; a stored event the disk did not confirm is not stored.
        const unconfirmed = error && typeof result === 'string';
        results.push(unconfirmed ? { error: `The commit was not made durable: ${error.message}` } : result);
      }
    }
    parentPort!.postMessage(replyOf(batches, results) satisfies IntakeReply);
  },
  afterCommit() {
    if (finishCheckpoint) finishCheckpointNow();
  },
});

parentPort!.on('message', (message: IntakeBatch | IntakeControl) => {
  if (message === 'close') {
    groupCommit.commitNow();
    groupCommit.whenIdle(() => {
      // Our descriptor first: closing the last connection deletes the WAL, and on Windows a file
      // still open elsewhere lingers as deleted until that handle closes.
      if (walFd !== undefined) closeSync(walFd);
      db.close();
      parentPort!.close();
    });
    return;
  }
  if (message === 'finish-checkpoint') {
    // After the next commit; with none on the way, now.
    finishCheckpoint = true;
    if (!groupCommit.committing) finishCheckpointNow();
    return;
  }
  groupCommit.add(message);
});
