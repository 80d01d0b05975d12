// The load side of bench:webhooks, run as its own process so the server's event loop is measured
// alone: sends `count` signed inbound-message webhooks over `connections` keep-alive connections, one
// request in flight on each (as Meta and the tunnel deliver them: no pipelining), and prints one JSON
// line with throughput, latency and this process's own CPU time per request.
//
// Every request is built, signed and serialized into its bytes before the clock starts, and the client
// is a plain socket that writes those bytes and reads back status line, headers and body (by
// Content-Length, or chunked). Against a server that answers at once, on this shared 2-core machine
// under load, node:http's client (keep-alive agent) took 260 µs of CPU per request and peaked at
// 1,400 requests/s; this one takes 60 µs and offers 3,900/s. The load process shares the two cores
// with the server it measures, so its own cost caps what any server, ours or the bare one, can show.
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { signBody } from '../src-main/webhooks/verify';
import { inboundText, metaSerialize } from '../test/helpers/metaWebhooks';
import { percentile } from './report';

const [url = '', secret = '', countArg = '20000', connectionsArg = '128', tag = 'run'] =
  process.argv.slice(2);
const count = Number(countArg);
const connections = Math.max(1, Math.min(Number(connectionsArg), count));
const target = new URL(url);

const requests = Array.from({ length: count }, (_, i) => {
  const raw = Buffer.from(
    metaSerialize(
      inboundText(
        `1650555${String(i % 5000).padStart(4, '0')}`,
        `wamid.${tag}.${i}`,
        `Olá ${i}`,
        1_750_000_000 + i,
      ),
    ),
  );
  const head =
    `POST ${target.pathname} HTTP/1.1\r\n` +
    `Host: ${target.host}\r\n` +
    `Content-Type: application/json\r\n` +
    `Content-Length: ${raw.length}\r\n` +
    `X-Hub-Signature-256: ${signBody(raw, secret)}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), raw]);
});

const headerEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\r\n');
const contentLengthPattern = /\r\ncontent-length:\s*(\d+)/i;
const chunkedPattern = /\r\ntransfer-encoding:\s*chunked/i;

/** Where a chunked body that starts at `from` ends (after its last, empty chunk), or -1 if not all here. */
function chunkedEnd(buffer: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const eol = buffer.indexOf(lineEnd, at);
    if (eol < 0) return -1;
    const size = parseInt(buffer.toString('latin1', at, eol), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    const next = eol + 2 + size + 2;
    if (next > buffer.length) return -1;
    if (size === 0) return next;
    at = next;
  }
}

/** Parses as many complete responses as `buffer` holds; returns their status codes and the bytes used. */
function parseResponses(buffer: Buffer): { statuses: number[]; used: number } {
  const statuses: number[] = [];
  let used = 0;
  for (;;) {
    const end = buffer.indexOf(headerEnd, used);
    if (end < 0) break;
    const head = buffer.toString('latin1', used, end);
    if (!head.startsWith('HTTP/1.1 ')) throw new Error(`unexpected response: ${JSON.stringify(head)}`);
    let next: number;
    if (chunkedPattern.test(head)) {
      next = chunkedEnd(buffer, end + 4);
      if (next < 0) break;
    } else {
      const length = Number(contentLengthPattern.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) throw new Error(`a response without a length: ${JSON.stringify(head)}`);
      next = end + 4 + length;
      if (next > buffer.length) break;
    }
    statuses.push(Number(head.slice(9, 12)));
    used = next;
  }
  return { statuses, used };
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: connections }, open));
  const latencies: number[] = [];
  /** Epoch ms at which each answered request was sent, in the order of `latencies` (for a timeline). */
  const sentTimes: number[] = [];
  let next = 0;
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          let pending: Buffer = Buffer.alloc(0);
          let sentAt = 0;
          const send = (): void => {
            if (next >= requests.length) {
              socket.end();
              resolve();
              return;
            }
            const request = requests[next++]!;
            sentAt = performance.now();
            socket.write(request);
          };
          socket.on('data', (chunk: Buffer) => {
            pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
            let parsed: { statuses: number[]; used: number };
            try {
              parsed = parseResponses(pending);
            } catch (error) {
              socket.destroy();
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            pending = pending.subarray(parsed.used);
            for (const status of parsed.statuses) {
              latencies.push(performance.now() - sentAt);
              sentTimes.push(performance.timeOrigin + sentAt);
              if (status !== 200) failures++;
              send();
            }
          });
          socket.on('error', reject);
          socket.on('close', () => reject(new Error('the server closed a connection mid-run')));
          send();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const socket of sockets) socket.destroy();
  // Diagnostics (bench/webhookTail.ts): every request's send time and latency, for a timeline.
  const timelineFile = process.env.WEBHOOK_LOAD_TIMELINE;
  if (timelineFile) writeFileSync(timelineFile, JSON.stringify({ sentAt: sentTimes, latencyMs: latencies }));
  process.stdout.write(
    JSON.stringify({
      acked: count - failures,
      failures,
      perSecond: (count - failures) / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      loadCpuUsPerRequest: (cpu.user + cpu.system) / count,
    }) + '\n',
  );
}

void main();
