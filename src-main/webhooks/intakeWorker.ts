// The webhook intake's writer thread. It owns its own SQLite connection and commits batches of raw
// events, each with its processing job, in one transaction with synchronous=FULL (fsynced before the
// reply). Running the fsync here keeps the main thread — HTTP, the UI's IPC, the queue — free while the
// disk works, and lets a batch grow with the load: everything that arrived during one fsync goes into
// the next one.
import { parentPort, workerData } from 'node:worker_threads';
import { durableTransaction, openDatabase } from '../db/open';
import { createJobStore } from '../queue/store';
import { processJobDefaults, processJobType, type IntakeReply, type IntakeRequest } from './intakeProtocol';
import { parseEnvelope } from './envelope';

const { dbFile } = workerData as { dbFile: string };
const db = openDatabase(dbFile);
const jobs = createJobStore(db);
const insert = db.prepare(
  `INSERT INTO webhook_events (id, connection_id, received_at, raw_body, state, reason) VALUES (?, ?, ?, ?, ?, ?)`,
);
const touchConnection = db.prepare('UPDATE connections SET last_webhook_at = ? WHERE id = ?');

let waiting: IntakeRequest[] = [];
let scheduled = false;

/** Returns whether the event was stored as unparseable. */
function store(request: IntakeRequest, at: number): boolean {
  const body = Buffer.from(request.body);
  // Checked here, off the main thread: a signed body that is not a WhatsApp webhook is still stored
  // (and still answered 200, or Meta would retry it for a week), as 'unparseable' with the reason.
  const parsed = parseEnvelope(body);
  const unparseable = !parsed.ok;
  insert.run(
    request.id,
    request.connectionId,
    at,
    body,
    unparseable ? 'unparseable' : 'pending',
    parsed.ok ? null : parsed.reason,
  );
  if (!unparseable) {
    jobs.insert({
      id: `job-${request.id}`,
      queue: processJobDefaults.queue,
      type: processJobType,
      payload: JSON.stringify({ eventId: request.id }),
      runAt: at,
      maxAttempts: processJobDefaults.maxAttempts,
      uniqueKey: undefined,
      now: at,
    });
  }
  return unparseable;
}

function commit(): void {
  scheduled = false;
  const batch = waiting;
  waiting = [];
  const at = Date.now();
  const reply: IntakeReply = { stored: [], unparseable: [], failed: [] };
  // last_webhook_at once per connection per batch (the silent-webhook alarm needs minutes, not rows).
  const touched = new Set<string>();
  const touch = (connectionId: string): void => {
    if (touched.has(connectionId)) return;
    touched.add(connectionId);
    touchConnection.run(at, connectionId);
  };
  try {
    durableTransaction(db, () => {
      for (const request of batch) {
        if (store(request, at)) reply.unparseable.push(request.id);
        touch(request.connectionId);
      }
    });
    reply.stored = batch.map((r) => r.id);
  } catch {
    reply.unparseable = [];
    // One bad row (its connection deleted a moment ago, say) must not cost its neighbours their 200.
    for (const request of batch) {
      try {
        const unparseable = durableTransaction(db, () => {
          touchConnection.run(at, request.connectionId);
          return store(request, at);
        });
        if (unparseable) reply.unparseable.push(request.id);
        reply.stored.push(request.id);
      } catch (error) {
        reply.failed.push({
          id: request.id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  parentPort!.postMessage(reply);
}

parentPort!.on('message', (message: IntakeRequest[] | 'close') => {
  if (message === 'close') {
    if (waiting.length) commit();
    db.close();
    parentPort!.close();
    return;
  }
  for (const request of message) waiting.push(request);
  if (!scheduled) {
    scheduled = true;
    setImmediate(commit);
  }
});
