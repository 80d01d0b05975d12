// File downloads in the browser host (contact exports, import rejects): served behind the same token,
// Host and Origin checks as everything else, as attachments, only for ids the contacts service knows.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EXPORTS_FOLDER } from '../backup/exportArchive';
import type { Core } from '../core';
import type { BrowserHost } from './browser';

const pattern = /^\/downloads\/contacts\/(exports|rejects)\/([^/]+)$/;
const archivePattern = /^\/downloads\/archives\/([^/]+)$/;
/** Only names the export writes: no path of the caller's choosing reaches the file system. */
const archiveName = /^bellhop-export-\d{8}T\d{9}Z\.tar\.gz$/;
const campaignPattern = /^\/downloads\/campaigns\/exports\/([^/]+)$/;

function serveArchive(req: IncomingMessage, res: ServerResponse, dir: string | null, name: string): void {
  const file = dir && archiveName.test(name) ? join(dir, name) : null;
  const size = file && existsSync(file) ? statSync(file).size : null;
  if (req.method !== 'GET' || !file || size === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('No such file.');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/gzip',
    'Content-Length': size,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(file).pipe(res);
}

/** `core` is read per request: a restore replaces the core under the same host. */
export function mountDownloads(host: BrowserHost, currentCore: () => Core | null): void {
  host.mount('/downloads/', (req, res, url) => {
    const core = currentCore();
    const archive = archivePattern.exec(url.pathname)?.[1];
    if (archive) {
      serveArchive(req, res, core ? join(core.dataDir, EXPORTS_FOLDER) : null, decodeURIComponent(archive));
      return;
    }
    const match = pattern.exec(url.pathname);
    const kind = match?.[1] === 'exports' ? 'export' : match?.[1] === 'rejects' ? 'rejects' : undefined;
    const campaignMatch = campaignPattern.exec(url.pathname);
    const file = !core
      ? undefined
      : campaignMatch?.[1]
        ? core.campaigns.service.downloadFile(decodeURIComponent(campaignMatch[1]))
        : kind && match?.[2]
          ? core.contacts.downloadFile(kind, decodeURIComponent(match[2]))
          : undefined;
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('No such file.');
      return;
    }
    const size = statSync(file.path).size;
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Length': size,
      // RFC 6266: an ASCII fallback plus the exact UTF-8 name.
      'Content-Disposition': `attachment; filename="${file.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(file.path).pipe(res);
  });
}
