// The browser host serves the renderer's files from memory (read once, kept while unchanged): what a
// page gets is always the file as it is on disk, a rebuilt file included, and nothing outside the
// renderer folder is ever served.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser';
import { createPendingApp } from '../../src-main/host/pendingApp';
import { makeTempDir } from '../helpers/tempDir';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let host: BrowserHost;
const temp = makeTempDir();
const rendererDir = join(temp.path, 'renderer');

function get(path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        method,
        path,
        headers: { Cookie: `bellhop_token_${host.port}=${host.token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Bellhop</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("first build")');
  writeFileSync(join(temp.path, 'secret.txt'), 'not for the page');
  // The files only: no app behind the host is needed to serve them.
  host = await startBrowserHost({ core: createPendingApp().app, port: 0, rendererDir });
});

afterAll(async () => {
  await host.close();
  temp.cleanup();
});

describe('browser host static files', () => {
  it('serves a file with its length and type, the same on every request', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await get('/assets/app.js');
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('console.log("first build")');
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
      expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    }
  });

  it('serves a rebuilt file as it is now, not as it was first read', async () => {
    expect((await get('/assets/app.js')).body).toBe('console.log("first build")');
    // Same length, later modification time: only the time tells the two apart.
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("later build")');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(rendererDir, 'assets', 'app.js'), later, later);
    expect((await get('/assets/app.js')).body).toBe('console.log("later build")');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("a longer third build")');
    expect((await get('/assets/app.js')).body).toBe('console.log("a longer third build")');
  });

  it('answers HEAD with the headers only, and routes without an extension with the page', async () => {
    const head = await get('/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    const page = await get('/inbox');
    expect(page.body).toBe('<!doctype html><title>Bellhop</title>');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('never serves a file outside the renderer folder, nor a missing one', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const answer = await get(path);
      expect(answer.body).not.toContain('not for the page');
    }
    expect((await get('/assets/missing.js')).status).toBe(404);
  });
});
