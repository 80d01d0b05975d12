// The parent side of bench/simulatorProcess.ts: forks the simulator, waits for its details, and asks it
// for the ledger's figures at the end of a run.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

export interface SimulatorDetails {
  baseUrl: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  wabaId: string;
}

export interface SimulatorStats {
  /** When the simulator accepted each message (epoch ms), in ledger order. */
  acceptedAt: number[];
  /** The `to` of each accepted message, in ledger order. */
  recipients: string[];
  uniqueRecipients: number;
  throughputErrors: number;
}

export interface SimulatorChild {
  details: SimulatorDetails;
  stats(): Promise<SimulatorStats>;
  /** The simulator process's CPU time so far (user + system, µs): the server's own cost per request. */
  cpuUs(): Promise<number>;
  close(): void;
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`simulator exited with ${String(code)}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function forkSimulator(
  mps: number,
  options: { seedCampaignTemplate?: boolean } = {},
): Promise<SimulatorChild> {
  // dirname(__filename): tsx leaves __dirname wrong for modules loaded through its ESM hook.
  const child = fork(
    join(dirname(__filename), 'simulatorProcess.ts'),
    [String(mps), ...(options.seedCampaignTemplate ? ['campaign'] : [])],
    {
      execArgv: [
        '--import',
        'tsx',
        // bench:campaign's BENCH_CPU_PROFILE profiles the simulator too (its whole life).
        ...(process.env.BENCH_CPU_PROFILE
          ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROFILE, 'simulator')}`]
          : []),
      ],
    },
  );
  const details = await nextMessage<SimulatorDetails>(child, 'ready');
  return {
    details,
    stats() {
      const stats = nextMessage<SimulatorStats>(child, 'stats');
      child.send({ type: 'stats' });
      return stats;
    },
    async cpuUs() {
      const reply = nextMessage<{ cpuUs: number }>(child, 'cpu');
      child.send({ type: 'cpu' });
      return (await reply).cpuUs;
    },
    close() {
      child.send({ type: 'close' });
    },
  };
}
