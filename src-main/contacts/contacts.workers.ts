// Main-thread side of the contacts worker (contactsWorker.ts): starting it in a role, and a small
// request/reply client for the long-lived query role.
import { dirname } from 'node:path';
import type { Transferable, Worker } from 'node:worker_threads';
import type { ContactFacets, ContactsPage } from '../../src-preload/contacts.contract';
import type { Logger } from '../log';
import { startWorker } from '../workers/workerEntry';
import type { PageRequest } from './contacts.query';
import type { ContactsWorkerData, QueryReply, QueryRequest } from './contactsWorker';

export const CONTACTS_WORKER = 'contactsWorker';

export function startContactsWorker(data: ContactsWorkerData, transferList: Transferable[] = []): Worker {
  // The import threads' live data is bounded (runs are cut at 60,000 rows or 24 MB, four batches in
  // flight); a cap on the heap makes V8 collect early instead of growing the process by garbage.
  const resourceLimits =
    data.role === 'import'
      ? { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 }
      : data.role === 'import-writer'
        ? { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 }
        : undefined;
  return startWorker(CONTACTS_WORKER, dirname(__filename), {
    workerData: data,
    transferList,
    ...(resourceLimits ? { resourceLimits } : {}),
  });
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };
type QueryInput = Omit<QueryRequest, 'id'>;

export class QueryWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly dbFile: string,
    private readonly log: Logger,
  ) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = startContactsWorker({ role: 'query', dbFile: this.dbFile });
    worker.on('message', (reply: QueryReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.message));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => {
      this.log.error('contacts: query worker failed', { error });
      fail(error);
    });
    worker.on('exit', (code) => fail(new Error(`The contacts query worker stopped (exit code ${code}).`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private call<T>(request: QueryInput): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The contacts service is closed.'));
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject });
      // Keep the process alive only while a reply is awaited; an idle worker must not hold up a quit.
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  }

  page(args: PageRequest): Promise<ContactsPage> {
    return this.call<ContactsPage>({ op: 'page', args });
  }

  facets(workspaceId: string): Promise<ContactFacets> {
    return this.call<ContactFacets>({ op: 'facets', args: { workspaceId } });
  }

  invalidate(workspaceId: string): void {
    if (!this.worker) return;
    this.call({ op: 'invalidate', args: { workspaceId } }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
