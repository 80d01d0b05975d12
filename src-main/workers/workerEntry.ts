// Starts a worker thread from its entry file in both worlds: the built app (electron-vite emits each
// worker as out/main/<name>.js) and source runs under tsx or vitest (the .ts file, compiled on the fly
// by tsx's require hook inside the worker — execArgv loaders do not reach worker threads on Node 20).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * @param name the worker's file name without extension
 * @param callerDir `dirname(__filename)` of the calling module (a source folder, or a folder of the
 *   bundle); not `__dirname`, which tsx leaves wrong for modules it loads through its ESM hook
 */
export function startWorker(name: string, callerDir: string, options: WorkerOptions = {}): Worker {
  for (const dir of [callerDir, join(callerDir, '..')]) {
    const built = join(dir, `${name}.js`);
    if (existsSync(built)) return new Worker(built, options);
  }
  const source = join(callerDir, `${name}.ts`);
  if (!existsSync(source)) throw new Error(`Worker entry ${name} not found next to ${callerDir}.`);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { ...options, eval: true });
}
