// The webhook intake's writer thread. It owns its own SQLite connection and commits each batch of raw
// events, with the job that processes them, in one transaction with synchronous=FULL (fsynced before
// the reply). Running the fsync here keeps the main thread — HTTP, the UI's IPC, the queue — free while
// the disk works; the main thread sends the next batch (everything that arrived meanwhile) as soon as
// this one is answered, so a batch grows with the load and the commits per second stay about constant.
import { parentPort, workerData } from 'node:worker_threads';
import { newId } from '../db/ids';
import { durableTransaction, openDatabase } from '../db/open';
import { createJobStore } from '../queue/store';
import {
  processJobDefaults,
  processJobType,
  type IntakeBatch,
  type IntakeReply,
  type IntakeResult,
} from './intakeProtocol';

const { dbFile } = workerData as { dbFile: string };
const db = openDatabase(dbFile);
const jobs = createJobStore(db);
const insert = db.prepare(
  `INSERT INTO webhook_events (id, connection_id, received_at, raw_body, state) VALUES (?, ?, ?, ?, 'pending')`,
);
const touchConnection = db.prepare('UPDATE connections SET last_webhook_at = ? WHERE id = ?');

interface Event {
  connectionId: string;
  body: Buffer;
}

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

function storeAll(events: Event[], at: number): IntakeResult[] {
  const ids = events.map((event) => store(event, at));
  enqueueProcessing(ids, at);
  // last_webhook_at once per connection per batch (the silent-webhook alarm needs minutes, not rows).
  for (const connectionId of new Set(events.map((e) => e.connectionId)))
    touchConnection.run(at, connectionId);
  return ids.map((id) => ({ id }));
}

function commit(batch: IntakeBatch): IntakeReply {
  const events: Event[] = [];
  let start = 0;
  batch.connectionIds.forEach((connectionId, i) => {
    const end = batch.ends[i]!;
    events.push({ connectionId, body: Buffer.from(batch.bodies, start, end - start) });
    start = end;
  });
  const at = Date.now();
  try {
    return { results: durableTransaction(db, () => storeAll(events, at)) };
  } catch {
    // One bad row (its connection deleted a moment ago, say) must not cost its neighbours their 200.
    return {
      results: events.map((event): IntakeResult => {
        try {
          return durableTransaction(db, () => storeAll([event], at)[0]!);
        } catch (error) {
          return { error: error instanceof Error ? error.message : String(error) };
        }
      }),
    };
  }
}

parentPort!.on('message', (message: IntakeBatch | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(commit(message));
});
