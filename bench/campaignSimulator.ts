// Child process for bench/campaign.bench.ts: the simulator on its own event loop (as Meta is on its own
// machines), with the campaign template seeded. Answers 'stats' with when it accepted each message and
// how many 130429 it returned.
import { startSimulator } from '../src-main/simulator/simulator';
import { campaignTemplate } from '../test/helpers/campaignFixtures';

async function main(): Promise<void> {
  const mps = Number(process.argv[2]);
  const sim = await startSimulator({ throughputMps: mps, messagingLimit: 'TIER_UNLIMITED' });
  sim.control.seedTemplate(campaignTemplate);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      process.send?.({
        type: 'stats',
        acceptedAt: sim.ledger.messages().map((e) => e.acceptedAt),
        uniqueRecipients: new Set(sim.ledger.messages().map((e) => e.to)).size,
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
