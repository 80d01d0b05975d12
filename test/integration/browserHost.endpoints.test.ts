// No endpoint of the browser host answers without the token: every path it serves or mounts (the page,
// assets, the WebSocket bridge, contact downloads, export archives, unknown paths) under every method,
// and WebSocket upgrades on any path. With the token, the same requests get past the gate.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import NodeWebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppRuntime, type AppRuntime } from '../../src-main/backup/appRuntime';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser';
import { mountDownloads } from '../../src-main/host/downloads';
import { createMemoryLogger } from '../../src-main/log';
import { makeTempDir } from '../helpers/tempDir';

const paths = [
  '/',
  '/index.html',
  '/assets/index.js',
  '/favicon.ico',
  '/ws',
  '/downloads/contacts/exports/x.csv',
  '/downloads/contacts/rejects/x.csv',
  '/downloads/archives/bellhop-export-20261128T150405123Z.tar.gz',
  '/api',
  '/webhooks/whatsapp/abc',
  '/../../etc/passwd',
  '/%2e%2e/secrets.key',
];
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function status(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    // A body only where HTTP frames one by default (Node sends DELETE/OPTIONS bodies unframed).
    req.end(['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined);
  });
}

function upgrade(port: number, path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new NodeWebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('error', () => resolve('error'));
  });
}

let runtime: AppRuntime;
let host: BrowserHost;
const temp = makeTempDir();

beforeAll(async () => {
  const rendererDir = join(temp.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Bellhop</title>');
  writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log(1)');
  runtime = await startAppRuntime({
    dataDir: join(temp.path, 'data'),
    hostKind: 'browser',
    sandbox: false,
    dailyBackups: false,
    log: createMemoryLogger(),
  });
  host = await startBrowserHost({ core: runtime, port: 0, rendererDir });
  mountDownloads(host, () => runtime.core());
}, 60_000);

afterAll(async () => {
  await host.close();
  await runtime.close();
  temp.cleanup();
});

describe('browser host without the token', () => {
  it('answers 401 to every path and method', async () => {
    const own = { Host: `127.0.0.1:${host.port}` };
    const wrongCookie = { ...own, Cookie: `bellhop_token_${host.port}=${'A'.repeat(host.token.length)}` };
    for (const path of paths)
      for (const method of methods) {
        expect(await status(host.port, method, path, own), `${method} ${path}`).toBe(401);
        expect(await status(host.port, method, path, wrongCookie), `${method} ${path} (wrong cookie)`).toBe(
          401,
        );
        expect(
          await status(host.port, method, `${path}?token=wrong`, own),
          `${method} ${path}?token=wrong`,
        ).toBe(401);
      }
  }, 120_000);

  it('refuses WebSocket upgrades on every path', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    for (const path of paths)
      expect(await upgrade(host.port, path, { Origin: origin }), path).toBe('refused 401');
  });

  it('lets the same requests past the gate with the token (so the 401s above are the gate, not a dead server)', async () => {
    const cookie = { Host: `127.0.0.1:${host.port}`, Cookie: `bellhop_token_${host.port}=${host.token}` };
    expect(await status(host.port, 'GET', '/', cookie)).toBe(200);
    expect(await status(host.port, 'GET', '/assets/index.js', cookie)).toBe(200);
    expect(
      await status(host.port, 'GET', '/downloads/archives/bellhop-export-20261128T150405123Z.tar.gz', cookie),
    ).toBe(404);
    expect(await status(host.port, 'GET', '/%2e%2e/secrets.key', cookie)).toBe(404);
    expect(
      await upgrade(host.port, '/ws', { Origin: `http://127.0.0.1:${host.port}`, Cookie: cookie.Cookie }),
    ).toBe('open');
    expect(
      await upgrade(host.port, '/other', { Origin: `http://127.0.0.1:${host.port}`, Cookie: cookie.Cookie }),
    ).toBe('refused 403');
  });
});
