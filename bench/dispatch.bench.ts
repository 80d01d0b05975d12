// `npm run bench:dispatch`: how close the WhatsAppClient, sending through its connection limiter, gets to
// a number's configured throughput without tripping Meta's limit. The simulator (in its own process) is
// set to 80 mps and then to 1,000 mps (whatsapp-cloud-api.md §4), and the client's rule matches it. Each
// run lasts BENCH_SECONDS (default 30); the achieved rate is counted from the simulator's ledger (what it
// accepted), and every 130429 the simulator returned is counted. BENCH_WORKERS sets how many sends are in
// flight at once; by default a quarter second's worth of the rate, at least 64 (Little's law: at 1,000/s
// with 64 in flight, any round trip over 64 ms — common on a busy 2-core machine — would cap the rate
// below the limiter's, and the figure would measure the caller instead of the client).
import { createRateLimiter } from '../src-main/ratelimit/limiter';
import { WhatsAppClient } from '../src-main/whatsapp/client';
import { reportFigure } from './report';
import { forkSimulator } from './simulatorChild';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const workersFor = (mps: number): number =>
  process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : Math.max(64, Math.ceil(mps / 4));

interface RunResult {
  mps: number;
  achievedPerSecond: number;
  throughputErrors: number;
  clientErrors: Record<string, number>;
}

async function run(mps: number): Promise<RunResult> {
  const workers = workersFor(mps);
  const simulator = await forkSimulator(mps);
  const sim = simulator.details;
  const limiter = createRateLimiter();
  const client = new WhatsAppClient({
    baseUrl: sim.baseUrl,
    apiVersion: 'v24.0',
    accessToken: sim.accessToken,
    phoneNumberId: sim.phoneNumberId,
    wabaId: sim.wabaId,
    limiter,
    rateLimit: { key: 'whatsapp_api_rate_limit:connection:bench', rule: { count: mps, periodMs: 1000 } },
    maxSockets: workers,
  });
  const clientErrors: Record<string, number> = {};
  let sequence = 0;
  // Half a second more than measured, so the measured window is full at both ends.
  const deadline = Date.now() + seconds * 1000 + 500;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < deadline) {
        const n = sequence++;
        // A new recipient each time, so the pair rate limit (1 per 6 s per user) plays no part.
        const result = await client.sendText(`+1${2_000_000_000 + n}`, `Message ${n}`, {
          bizOpaqueCallbackData: `bench:${n}`,
        });
        if (!result.ok) {
          const label = `${result.error.kind}:${String(result.error.code)}`;
          clientErrors[label] = (clientErrors[label] ?? 0) + 1;
        }
      }
    }),
  );
  const stats = await simulator.stats();
  simulator.close();
  client.close();
  limiter.close();
  const start = stats.acceptedAt[0] ?? 0;
  const inWindow = stats.acceptedAt.filter((t) => t >= start && t < start + seconds * 1000).length;
  return {
    mps,
    achievedPerSecond: inWindow / seconds,
    throughputErrors: stats.throughputErrors,
    clientErrors,
  };
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (const mps of [80, 1000]) {
    const r = await run(mps);
    results.push(r);
    process.stderr.write(
      `dispatch at ${mps} mps: ${r.achievedPerSecond.toFixed(1)}/s accepted over ${seconds} s, ` +
        `130429 returned: ${r.throughputErrors}, client errors: ${JSON.stringify(r.clientErrors)}\n`,
    );
  }
  for (const r of results)
    reportFigure(`dispatch_rate_ratio_${r.mps}`, r.achievedPerSecond / r.mps, 'ratio', '>=0.97');
  reportFigure(
    'dispatch_130429_errors',
    results.reduce((sum, r) => sum + r.throughputErrors, 0),
    'count',
    '0',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
