// The load side of bench:webhooks, run as its own process so the server's event loop is measured
// alone: sends `count` signed inbound-message webhooks with `concurrency` requests in flight over
// keep-alive connections, and prints one JSON line with throughput and latency.
import { Agent, request } from 'node:http';
import { signBody } from '../src-main/webhooks/verify';
import { inboundText, metaSerialize } from '../test/helpers/metaWebhooks';
import { percentile } from './report';

const [url = '', secret = '', countArg = '20000', concurrencyArg = '128', tag = 'run'] =
  process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const bodies = Array.from({ length: count }, (_, i) => {
  const raw = metaSerialize(
    inboundText(
      `1650555${String(i % 5000).padStart(4, '0')}`,
      `wamid.${tag}.${i}`,
      `Olá ${i}`,
      1_750_000_000 + i,
    ),
  );
  return { raw: Buffer.from(raw), signature: signBody(raw, secret) };
});

function post(body: { raw: Buffer; signature: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.raw.length,
          'X-Hub-Signature-256': body.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body.raw);
  });
}

async function main(): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t = performance.now();
        const status = await post(body);
        latencies.push(performance.now() - t);
        if (status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      acked: count - failures,
      failures,
      perSecond: (count - failures) / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    }) + '\n',
  );
  agent.destroy();
}

void main();
