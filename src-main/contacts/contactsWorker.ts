// The contacts worker thread, in one of four roles (workerData.role):
//  - import: reads one file (import/importEngine.ts) and feeds the import-writer through a MessagePort;
//  - import-writer: upserts what the import reads, on its own write connection (import/importWriter.ts);
//  - query: the contacts screen's lists, counts and facets on a read-only connection (contacts.query.ts);
//  - export: one CSV export on a read-only connection (export/exportWriter.ts).
// One entry for all four keeps the build to one worker file (electron-vite input `contactsWorker`);
// static imports, because a dynamic import() inside a worker started from source (tsx's require hook)
// would not find the .ts modules. Started through workers/workerEntry.ts (built:
// out/main/contactsWorker.js; source runs: this file).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import { lowerWorkerThreadPriority } from '../workers/threadPriority';
import { createContactsRepo } from './contacts.repo';
import { ContactsQueries, type PageRequest } from './contacts.query';
import { runExportJob, type ExportJobInput } from './export/exportWriter';
import { runImportJob, type ImportJobInput } from './import/importEngine';
import {
  ImportWriter,
  WriterError,
  type ImportWriterInput,
  type WriterReply,
  type WriterRequest,
} from './import/importWriter';

export type ContactsWorkerData =
  | { role: 'import'; input: ImportJobInput; totalBytes: number }
  | { role: 'import-writer'; input: ImportWriterInput; port: MessagePort }
  | { role: 'export'; input: ExportJobInput }
  | { role: 'query'; dbFile: string };

export type QueryRequest =
  | { id: number; op: 'page'; args: PageRequest }
  | { id: number; op: 'facets'; args: { workspaceId: string } }
  | { id: number; op: 'invalidate'; args: { workspaceId: string } };

export type QueryReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('contactsWorker must run as a worker thread.');
const data = workerData as ContactsWorkerData;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function importRole(input: ImportJobInput, totalBytes: number): Promise<void> {
  await runImportJob(input, totalBytes, (message) => port?.postMessage(message));
  port?.close();
}

function writerRole(input: ImportWriterInput, writerPort: MessagePort): Promise<void> {
  let writer: ImportWriter | undefined;
  const reply = (message: WriterReply): void => writerPort.postMessage(message);
  writerPort.on('message', (request: WriterRequest) => {
    try {
      writer ??= new ImportWriter(input);
      if (request.type === 'rows') {
        reply(writer.write(request.seq, request.count, request.rowsJson));
      } else {
        writer.close();
        reply({ type: 'ended' });
        writerPort.close();
        port?.close();
      }
    } catch (error) {
      reply(
        error instanceof WriterError
          ? { type: 'failed', code: error.code, message: error.message }
          : { type: 'failed', code: 'INTERNAL', message: errorText(error) },
      );
    }
  });
  return Promise.resolve();
}

async function exportRole(input: ExportJobInput): Promise<void> {
  await runExportJob(input, (message) => port?.postMessage(message));
  port?.close();
}

function queryRole(dbFile: string): Promise<void> {
  const db = openDatabase(dbFile, { readonly: true });
  const queries = new ContactsQueries(createContactsRepo(db));
  port?.on('message', (request: QueryRequest) => {
    try {
      let value: unknown;
      switch (request.op) {
        case 'page':
          value = queries.page(request.args);
          break;
        case 'facets':
          value = queries.facetsOf(request.args.workspaceId);
          break;
        case 'invalidate':
          queries.invalidate(request.args.workspaceId);
          value = null;
          break;
      }
      port.postMessage({ id: request.id, ok: true, value } satisfies QueryReply);
    } catch (error) {
      port.postMessage({ id: request.id, ok: false, message: errorText(error) } satisfies QueryReply);
    }
  });
  port?.on('close', () => db.close());
  return Promise.resolve();
}

// Imports and exports are background work: they must not take a core from the main thread.
if (data.role !== 'query') lowerWorkerThreadPriority();

const started =
  data.role === 'import'
    ? importRole(data.input, data.totalBytes)
    : data.role === 'import-writer'
      ? writerRole(data.input, data.port)
      : data.role === 'export'
        ? exportRole(data.input)
        : queryRole(data.dbFile);

// A role that fails outside its own error handling ends the thread with the error, which main reports.
started.catch((error: unknown) => {
  throw error instanceof Error ? error : new Error(errorText(error));
});
