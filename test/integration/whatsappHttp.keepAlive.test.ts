// A keep-alive socket the server has already closed must never carry a send: the request would be
// written into a dead connection, fail with "socket hang up" after it left this process, and so be
// reported as UNKNOWN_OUTCOME (http.ts) — a campaign recipient left "unconfirmed" although Meta never saw
// the message (a loaded 20,000-recipient bench run once ended with 19,999 recipients in the ledger).
// Node's agent only honours the server's `Keep-Alive: timeout=N` hint when the agent has a timeout of its
// own; without one, an idle socket lives until the server's FIN is read, which a busy event loop reads
// late. The server runs in another process so that it closes the socket on time while this one is busy.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkHttpRequest, createBulkAgent } from '../../src-main/whatsapp/bulkHttp';
import { createAgents, destroyAgents, httpRequest, type HttpRequest } from '../../src-main/whatsapp/http';

const SERVER_KEEP_ALIVE_MS = 2_500;

const serverSource = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = ${SERVER_KEEP_ALIVE_MS};
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

let child: ChildProcess;
let port = 0;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bellhop-keepalive-'));
  const file = join(dir, 'server.cjs');
  writeFileSync(file, serverSource);
  child = fork(file, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  port = await new Promise<number>((resolve) =>
    child.once('message', (message: { port: number }) => resolve(message.port)),
  );
});

afterAll(() => {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
});

function busyWaitUntil(at: number): void {
  while (Date.now() < at) {
    // Simulates a loaded event loop: the server's FIN arrives meanwhile and is not read.
  }
}

const request = (): HttpRequest => ({
  method: 'POST',
  url: new URL(`http://127.0.0.1:${port}/v24.0/1/messages`),
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
  timeoutMs: 10_000,
  maxResponseBytes: 1024,
});

/** One request, an idle pause past the server's keep-alive (the loop busy at its end), another request. */
async function idleThenBusy(send: () => Promise<{ kind: string }>): Promise<unknown> {
  const first = await send();
  expect(first.kind).toBe('response');
  const answeredAt = Date.now();
  // The agent's own timer (the hint less a second) may run while the loop is free; the server cannot
  // have closed the socket yet.
  await new Promise((resolve) => setTimeout(resolve, SERVER_KEEP_ALIVE_MS - 300));
  // Then the loop is busy while the server closes the idle connection.
  busyWaitUntil(answeredAt + SERVER_KEEP_ALIVE_MS + 2_000);
  return send();
}

describe('keep-alive sockets', () => {
  it('does not send on a socket idle past the server’s keep-alive hint', async () => {
    const agents = createAgents(4);
    try {
      const second = await idleThenBusy(() => httpRequest(agents, request()));
      expect(second).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      destroyAgents(agents);
    }
  }, 30_000);

  it('neither does the bulk transport (campaign sends)', async () => {
    const agent = createBulkAgent(4);
    try {
      const second = await idleThenBusy(() => bulkHttpRequest(agent, request()));
      expect(second).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
