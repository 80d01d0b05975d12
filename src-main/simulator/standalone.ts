// `npm run simulator`: runs the Cloud API simulator on its own and prints what a connection needs.
// Options come from the environment: SIM_PORT, SIM_CALLBACK_URL, SIM_THROUGHPUT, SIM_SEED.
import { startSimulator } from './simulator';

const sampleTemplates = [
  {
    name: 'hello_world',
    language: 'en_US',
    category: 'UTILITY' as const,
    components: [{ type: 'BODY' as const, text: 'Hello {{1}}, welcome to our shop!' }],
  },
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY' as const,
    components: [
      { type: 'HEADER' as const, format: 'TEXT' as const, text: 'Order {{1}}' },
      { type: 'BODY' as const, text: 'Hi {{1}}, your order {{2}} is on its way.' },
      { type: 'BUTTONS' as const, buttons: [{ type: 'QUICK_REPLY' as const, text: 'Stop updates' }] },
    ],
  },
];

async function main(): Promise<void> {
  const seed = process.env.SIM_SEED;
  const throughput = process.env.SIM_THROUGHPUT;
  const simulator = await startSimulator({
    port: Number(process.env.SIM_PORT ?? 0),
    callbackUrl: process.env.SIM_CALLBACK_URL ?? null,
    templates: sampleTemplates,
    autoApproveTemplatesMs: 5_000,
    ...(throughput ? { throughputMps: Number(throughput) } : {}),
    ...(seed ? { faults: { seed: Number(seed) } } : {}),
  });
  const info = {
    baseUrl: simulator.baseUrl,
    apiVersion: 'v24.0',
    appSecret: simulator.appSecret,
    verifyToken: simulator.verifyToken,
    accessToken: simulator.accessToken,
    wabaId: simulator.wabaId,
    phoneNumberId: simulator.phoneNumberId,
    displayPhoneNumber: simulator.displayPhoneNumber,
  };
  process.stdout.write(`Cloud API simulator listening\n${JSON.stringify(info, null, 2)}\n`);
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
