// The start-up integrity check of a large store, on a thread of its own at a lowered priority: quick_check
// reads every page (33 s wall, 11.5 s of CPU for the 720 MB inbox benchmark store on a loaded 2-core
// machine), which must neither hold up the first paint nor take the main thread's core.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerWorkerThreadPriority } from '../workers/threadPriority';
import { checkDatabaseFile } from './integrity';

lowerWorkerThreadPriority();
parentPort!.postMessage(checkDatabaseFile((workerData as { file: string }).file));
