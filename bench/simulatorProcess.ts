// Child process for the sending benchmarks (bench:dispatch, bench:campaign): the simulator on its own
// event loop (as Meta is on its own machines), so the client's and the server's work do not queue behind
// each other in one loop. argv: the number's throughput in messages/s, then `campaign` to seed the
// campaign template. Talks to the parent over the IPC channel (bench/simulatorChild.ts): 'ready' with the
// connection details, then answers 'stats', 'cpu' (its CPU time so far, µs) and 'close'.
import { startSimulator } from '../src-main/simulator/simulator';
import { campaignTemplate } from '../test/helpers/campaignFixtures';

async function main(): Promise<void> {
  const mps = Number(process.argv[2]);
  const sim = await startSimulator({ throughputMps: mps, messagingLimit: 'TIER_UNLIMITED' });
  if (process.argv[3] === 'campaign') sim.control.seedTemplate(campaignTemplate);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      const accepted = sim.ledger.messages();
      process.send?.({
        type: 'stats',
        acceptedAt: accepted.map((e) => e.acceptedAt),
        recipients: accepted.map((e) => e.to),
        uniqueRecipients: new Set(accepted.map((e) => e.to)).size,
        throughputErrors: sim.ledger.errorCount(130429),
      });
    } else if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ type: 'cpu', cpuUs: usage.user + usage.system });
    } else if (message.type === 'close') {
      void sim.close().then(() => process.exit(0));
    }
  });
  process.send?.({
    type: 'ready',
    baseUrl: sim.baseUrl,
    accessToken: sim.accessToken,
    appSecret: sim.appSecret,
    verifyToken: sim.verifyToken,
    phoneNumberId: sim.phoneNumberId,
    wabaId: sim.wabaId,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
