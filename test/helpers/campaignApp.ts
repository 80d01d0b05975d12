// The core in a child process (campaignCoreProcess.ts) for the campaign tests that SIGKILL it: started
// against a simulator the test process runs (it outlives every kill, as Meta does), with its webhook
// server on a fixed port the simulator posts to, and driven through the core's own IPC router.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Simulator } from '../../src-main/simulator/simulator';

export interface CampaignApp {
  child: ChildProcess;
  call<T>(channel: string, payload: unknown): Promise<T>;
}

/** A port free now, for the webhook server of every restart of the app. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Forks the core (with `forkTs` from useChildren) and resolves once it reports it is ready. */
export async function startCampaignApp(
  forkTs: (helper: string, args: string[]) => ChildProcess,
  dataDir: string,
  sim: Simulator,
  port: number,
): Promise<CampaignApp> {
  const child = forkTs('campaignCoreProcess.ts', [dataDir, sim.baseUrl, String(port)]);
  const pending = new Map<
    number,
    (result: { ok: boolean; value?: unknown; error?: { message: string } }) => void
  >();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the app exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: { ready?: boolean; id?: number; result?: never }) => {
      if (message.ready) {
        child.off('exit', onExit);
        resolve();
      } else if (message.id !== undefined) {
        pending.get(message.id)?.(message.result as never);
        pending.delete(message.id);
      }
    });
  });
  return {
    child,
    call<T>(channel: string, payload: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, (result) =>
          result.ok ? resolve(result.value as T) : reject(new Error(`${channel}: ${result.error?.message}`)),
        );
        child.send({ id, channel, payload });
      });
    },
  };
}
