// The browser host must refuse anything that is not our own page: no token, a foreign Origin (another
// web page the user has open), or a Host that is not loopback (DNS rebinding).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import NodeWebSocket from 'ws';
import { test, expect } from './fixtures';

function httpStatus(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOutcome(port: number, path: string, headers: Record<string, string>): Promise<string> {
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

test('HTTP: no token → 401, foreign Origin → 403, rebinding Host → 421; the token alone gets in', async ({
  host,
}) => {
  const own = { Host: `127.0.0.1:${host.port}` };
  expect(await httpStatus(host.port, '/', own)).toBe(401);
  expect(await httpStatus(host.port, '/assets/whatever.js', own)).toBe(401);
  expect(await httpStatus(host.port, '/?token=wrong', own)).toBe(401);
  expect(
    await httpStatus(host.port, `/?token=${host.token}`, { ...own, Origin: 'http://evil.example' }),
  ).toBe(403);
  expect(await httpStatus(host.port, `/?token=${host.token}`, { Host: `evil.example:${host.port}` })).toBe(
    421,
  );
  expect(await httpStatus(host.port, `/?token=${host.token}`, own)).toBe(303);
  const cookie = `bellhop_token_${host.port}=${host.token}`;
  expect(await httpStatus(host.port, '/', { ...own, Cookie: cookie })).toBe(200);
  expect(await httpStatus(host.port, '/', { Host: `rebind.example:${host.port}`, Cookie: cookie })).toBe(421);
});

test('WebSocket: refused without the token, with a foreign Origin or a rebinding Host', async ({ host }) => {
  const origin = `http://127.0.0.1:${host.port}`;
  const cookie = `bellhop_token_${host.port}=${host.token}`;
  expect(await wsOutcome(host.port, '/ws', { Origin: origin })).toBe('refused 401');
  expect(await wsOutcome(host.port, '/ws', { Origin: 'http://evil.example', Cookie: cookie })).toBe(
    'refused 403',
  );
  expect(
    await wsOutcome(host.port, '/ws', { Origin: origin, Cookie: cookie, Host: `evil.example:${host.port}` }),
  ).toBe('refused 421');
  // No Origin at all: not a browser page, refused even with the token.
  expect(await wsOutcome(host.port, '/ws', { Cookie: cookie })).toBe('refused 403');
  expect(await wsOutcome(host.port, '/ws', { Origin: origin, Cookie: cookie })).toBe('open');
});

test('a page on another origin cannot reach the bridge, even in the same browser after login', async ({
  app,
  page,
  host,
}) => {
  void app; // logged in: the browser now holds the access cookie
  const foreign: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  try {
    const foreignPort = (foreign.address() as AddressInfo).port;
    const other = await page.context().newPage();
    await other.goto(`http://127.0.0.1:${foreignPort}/`);
    const outcome = await other.evaluate(async (port) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      return new Promise<string>((resolve) => {
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
    }, host.port);
    expect(outcome).toBe('refused');
    const fetched = await other.evaluate(async (port) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { credentials: 'include' });
        return `status ${res.status}`;
      } catch {
        return 'blocked';
      }
    }, host.port);
    // Either the browser blocks the read (CORS) or the server refuses it; never a readable 200.
    expect(fetched === 'blocked' || fetched === 'status 403').toBe(true);
  } finally {
    foreign.close();
  }
});
