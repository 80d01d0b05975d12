// Runs bench/webhookLoad.ts in its own process (the load must not share the server's CPU accounting or
// event loop) and resolves with what it printed. Used by bench:webhooks and the webhookTail diagnostic.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

export interface WebhookLoadOptions {
  url: string;
  secret: string;
  count: number;
  concurrency: number;
  tag: string;
  /** Where the load writes each request's send time and latency (WEBHOOK_LOAD_TIMELINE). */
  timelineFile?: string;
}

export function runWebhookLoadProcess(options: WebhookLoadOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(dirname(__filename), 'webhookLoad.ts'),
        options.url,
        options.secret,
        String(options.count),
        String(options.concurrency),
        options.tag,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: options.timelineFile
          ? { ...process.env, WEBHOOK_LOAD_TIMELINE: options.timelineFile }
          : process.env,
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`load exited ${code}`))));
  });
}
