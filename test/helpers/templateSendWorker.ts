// A separate process hitting the single send point on its own SQLite connection, for the race tests:
// `node --import tsx test/helpers/templateSendWorker.ts <db file> <json job>`; says 'ready', waits for
// 'go', then makes its calls one event-loop turn apart (so the processes interleave) and reports.
// The job is { kind: 'to-number', connectionId, phones[], clientIds[], template } or
// { kind: 'send', connectionId, to, clientId, count, template }.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createMessagingModule } from '../../src-main/conversations/messaging.module';
import { openDatabase } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { AppError } from '../../src-main/ipc/errors';
import { createLockRegistry } from '../../src-main/locks/registry';
import { createMemoryLogger } from '../../src-main/log';
import { createJobQueue } from '../../src-main/queue/runner';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';

interface TemplateRef {
  name: string;
  language: string;
  params?: { body?: string[] };
}

type WorkerJob =
  | { kind: 'to-number'; connectionId: string; phones: string[]; clientIds: string[]; template: TemplateRef }
  | {
      kind: 'send';
      connectionId: string;
      to: string;
      clientId: string;
      count: number;
      template: TemplateRef;
    };

async function main(): Promise<void> {
  const [file, jobText] = process.argv.slice(2);
  if (!file || !jobText) throw new Error('usage: templateSendWorker.ts <db file> <json job>');
  const job = JSON.parse(jobText) as WorkerJob;
  const db = openDatabase(file);
  const queue = createJobQueue({ db });
  const limiter = createRateLimiter({ db });
  const locks = createLockRegistry();
  const messaging = createMessagingModule({
    db,
    queue,
    locks,
    limiter,
    events: createEventBus(),
    log: createMemoryLogger(),
    connections: {
      clientFor: () => {
        throw new Error('this process only enqueues');
      },
      service: { currentWorkspaceId: () => null },
    },
    templateSync: { schedule: false },
  });
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send?.({ type: 'ready' });
  await go;
  const messageIds: string[] = [];
  const errors: string[] = [];
  const calls = job.kind === 'to-number' ? job.phones.length : job.count;
  for (let i = 0; i < calls; i++) {
    try {
      if (job.kind === 'to-number') {
        const result = messaging.messages.sendTemplateToNumber({
          connectionId: job.connectionId,
          phone: job.phones[i] ?? '',
          defaultCountry: 'US',
          template: job.template,
          clientId: job.clientIds[i] ?? '',
        });
        messageIds.push(result.message.id);
      } else {
        const result = messaging.messages.send({
          connectionId: job.connectionId,
          to: job.to,
          clientId: job.clientId,
          content: { type: 'template', template: job.template },
        });
        messageIds.push(result.id);
      }
    } catch (error) {
      errors.push(error instanceof AppError ? `${error.code}: ${error.message}` : String(error));
    }
    await nextTurn();
  }
  messaging.close();
  locks.close();
  limiter.close();
  db.close();
  process.send?.({ messageIds, errors });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
