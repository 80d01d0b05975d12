// File downloads in the browser host (contact exports, import rejects): served behind the same token,
// Host and Origin checks as everything else, as attachments, only for ids the contacts service knows.
import { createReadStream, statSync } from 'node:fs';
import type { Core } from '../core';
import type { BrowserHost } from './browser';

const pattern = /^\/downloads\/contacts\/(exports|rejects)\/([^/]+)$/;
const campaignPattern = /^\/downloads\/campaigns\/exports\/([^/]+)$/;

export function mountDownloads(host: BrowserHost, core: Core): void {
  host.mount('/downloads/', (req, res, url) => {
    const match = pattern.exec(url.pathname);
    const kind = match?.[1] === 'exports' ? 'export' : match?.[1] === 'rejects' ? 'rejects' : undefined;
    const campaignMatch = campaignPattern.exec(url.pathname);
    const file = campaignMatch?.[1]
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
