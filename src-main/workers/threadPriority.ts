// Background worker threads (an import's reader and writer, an export) yield the CPU to the main thread.
// On a 2-core machine an import keeps both cores busy; at equal priority the main thread then waits for a
// core like any other thread, and IPC, webhooks and the queue stall for tens of milliseconds at a time
// (the import benchmark's busy baseline shows ~275 ms with two spinning threads). A raised nice value
// costs the import nothing when the main thread is idle, and gives the main thread the core when it
// needs one. Linux only: there a thread has its own nice value, set through its thread id (setpriority
// on a TID, man 2 setpriority, "BUGS"). Elsewhere the id would name a process, so nothing is done.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

export const BACKGROUND_NICENESS = 5;

/** Lowers the calling worker thread's priority; false where that is not possible (never the main thread). */
export function lowerWorkerThreadPriority(niceness = BACKGROUND_NICENESS): boolean {
  if (process.platform !== 'linux' || isMainThread) return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // The main thread's id is the process id; renicing it would slow the app, not the worker.
    if (!Number.isSafeInteger(tid) || tid <= 0 || tid === process.pid) return false;
    if (getPriority(tid) < niceness) setPriority(tid, niceness);
    return true;
  } catch {
    return false;
  }
}
