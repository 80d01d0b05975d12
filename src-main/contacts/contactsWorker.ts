// The contacts worker thread, in one of three roles (workerData.role):
//  - import: one file's whole import (import/importEngine.ts), with its own write connection;
//  - query: the contacts screen's lists, counts and facets on a read-only connection (contacts.query.ts);
//  - export: one CSV export on a read-only connection (export/exportWriter.ts).
// Started through workers/workerEntry.ts (built: out/main/contactsWorker.js; source runs: this file).
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import { createContactsRepo } from './contacts.repo';
import { ContactsQueries, type PageRequest } from './contacts.query';
import { runExportJob, type ExportJobInput } from './export/exportWriter';
import { runImportJob, type ImportJobInput } from './import/importEngine';

export type ContactsWorkerData =
  | { role: 'import'; input: ImportJobInput; totalBytes: number }
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

switch (data.role) {
  case 'import':
    void runImportJob(data.input, data.totalBytes, (message) => port.postMessage(message)).finally(() =>
      port.close(),
    );
    break;
  case 'export':
    void runExportJob(data.input, (message) => port.postMessage(message)).finally(() => port.close());
    break;
  case 'query': {
    const db = openDatabase(data.dbFile, { readonly: true });
    const queries = new ContactsQueries(createContactsRepo(db));
    port.on('message', (request: QueryRequest) => {
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
        port.postMessage({
          id: request.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        } satisfies QueryReply);
      }
    });
    port.on('close', () => db.close());
    break;
  }
}
