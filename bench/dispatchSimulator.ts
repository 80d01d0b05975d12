// Child process for bench/dispatch.bench.ts: runs the simulator on its own event loop (as Meta is on its
// own machines), so the client's and the server's work do not queue behind each other in one loop.
// Talks to the parent over the IPC channel: 'ready' with the connection details, then answers 'stats'.
import { startSimulator } from '../src-main/simulator/simulator';

async function main(): Promise<void> {
  const mps = Number(process.argv[2]);
  const sim = await startSimulator({ throughputMps: mps, messagingLimit: 'TIER_UNLIMITED' });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      process.send?.({
        type: 'stats',
        acceptedAt: sim.ledger.messages().map((e) => e.acceptedAt),
        throughputErrors: sim.ledger.errorCount(130429),
      });
    } else if (message.type === 'close') {
      void sim.close().then(() => process.exit(0));
    }
  });
  process.send?.({
    type: 'ready',
    baseUrl: sim.baseUrl,
    accessToken: sim.accessToken,
    phoneNumberId: sim.phoneNumberId,
    wabaId: sim.wabaId,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
