// The whole core in a child process for the campaign kill test: its cloud connections talk to the
// simulator the test process runs (which outlives every kill), and its webhook server listens on the
// fixed port the simulator posts to. Answers { id, channel, payload } IPC calls through the core's own
// router (exactly what the renderer reaches), and reports { ready } once listening.
import { createCore } from '../../src-main/core';
import { createLogger } from '../../src-main/log';

const [dataDir = '', graphBaseUrl = '', webhookPort = '0'] = process.argv.slice(2);

async function main(): Promise<void> {
  const core = await createCore({
    dataDir,
    hostKind: 'browser',
    // Warnings and errors reach the test's output (a failing run says why).
    log: createLogger(undefined, 'warn'),
    sandbox: false,
    graphBaseUrl,
    webhookPort: Number(webhookPort),
  });
  process.on('message', (message: { id: number; channel: string; payload: unknown }) => {
    void core.router
      .dispatch(message.channel, message.payload, { trusted: true, description: 'kill test' })
      .then((result) => process.send?.({ id: message.id, result }));
  });
  process.on('SIGTERM', () => void core.close().then(() => process.exit(0)));
  process.send?.({ ready: true, webhookBase: `${core.webhooks.server.localUrl}/webhooks/whatsapp` });
}

void main();
