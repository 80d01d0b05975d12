// Starts the built browser host (out/main/browser.js) as a real child process with its own data
// folder, and resolves once it printed its address. Used by the e2e suite and the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface RunningHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// dirname(__filename), not __dirname: tsx leaves __dirname wrong for modules loaded through its ESM hook.
export const repoRoot = resolve(dirname(__filename), '../..');
export const browserEntry = join(repoRoot, 'out/main/browser.js');

export interface HostProcessOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /**
   * 'ready' (default): resolve once the app behind the address is up, so a test can use the data folder
   * and every service at once. 'listening': as soon as the address is printed, while the core still
   * starts, as a user opening it at once would (the start-up benchmarks time that path).
   */
  until?: 'listening' | 'ready';
}

export async function startHostProcess(options: HostProcessOptions = {}): Promise<RunningHost> {
  if (!existsSync(browserEntry))
    throw new Error('out/main/browser.js is missing: run `npm run build` first.');
  // Under the e2e run's folder when there is one, so the run's log scan finds every host's logs.
  const dataDir =
    options.dataDir ?? mkdtempSync(join(process.env.BELLHOP_E2E_RUN_DIR ?? tmpdir(), 'bellhop-e2e-'));
  const child = spawn(process.execPath, [browserEntry], {
    env: { ...process.env, BELLHOP_PORT: '0', BELLHOP_DATA_DIR: dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Bellhop is running at (\S+)/.exec(output);
      if (match?.[1] && (options.until === 'listening' || /^Bellhop is ready$/m.test(output))) res(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      rej(new Error(`browser host exited with ${code} before it was ready:\n${output}`)),
    );
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
