// Serves the contacts screen's downloads from the browser host's authenticated HTTP server: an export by
// its id, or an import's rejects file. The host mounts it under /downloads/contacts/ (paths in
// contactDownloadPaths, src-preload/contacts.contract.ts). Ids are checked by the service, so a request
// can only ever reach files in the contacts export and import folders.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContactsService } from './contacts.service';

const route = /^\/downloads\/contacts\/(exports|rejects)\/([^/]+)$/;

export function contactsDownloadHandler(
  contacts: Pick<ContactsService, 'downloadFile'>,
): (req: IncomingMessage, res: ServerResponse, url: URL) => void {
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const match = route.exec(url.pathname);
    let id = '';
    try {
      id = decodeURIComponent(match?.[2] ?? '');
    } catch {
      id = '';
    }
    const file =
      match && id ? contacts.downloadFile(match[1] === 'exports' ? 'export' : 'rejects', id) : undefined;
    if (!file) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('That file is no longer available.');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Length': String(statSync(file.path).size),
      'Content-Disposition': `attachment; filename="${file.fileName.replace(/["\\]/g, '_')}"`,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
