// While the app's modules load, a page that is opening goes first. Loading a module blocks the event
// loop for tens of ms; the page's HTML, script and styles cost the host a few ms, and once it has them
// the browser spends hundreds parsing and running the script without needing the host. So between two
// module loads the host waits while a page response is still being sent, and from the page's HTML until
// its script and styles have been sent too (bounded: a page that never asks for them holds nothing up).
// A connection just accepted counts too: its request is read an event-loop turn after the accept, and a
// module load started in between would keep it waiting (bounded: browsers open spare connections).
import { extname } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Longest an opening page holds up the app's start. */
export const PAGE_FIRST_MAX_WAIT_MS = 1_000;
/** Longest a new connection that sends nothing (a browser's spare one) counts as a page coming. */
export const SILENT_CONNECTION_MS = 150;

export interface PageFirst {
  /** Pass as the browser host's observeStatic. */
  observe(pathname: string, res: ServerResponse): void;
  /** Pass as the browser host's observeConnection. */
  observeConnection(socket: Socket): void;
  /** Resolves once no page is opening (or it waited PAGE_FIRST_MAX_WAIT_MS). */
  settled(): Promise<void>;
}

export function createPageFirst(
  maxWaitMs = PAGE_FIRST_MAX_WAIT_MS,
  silentConnectionMs = SILENT_CONNECTION_MS,
): PageFirst {
  let inFlight = 0;
  /** Accepted, no request read yet. */
  const silent = new Set<Socket>();
  /** Set from a page's HTML until its script and styles were sent. */
  let opening: { script: boolean; style: boolean } | null = null;
  let waiters: (() => void)[] = [];

  const busy = (): boolean =>
    inFlight > 0 || silent.size > 0 || (opening !== null && !(opening.script && opening.style));
  const wake = (): void => {
    if (busy()) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  return {
    observe(pathname, res) {
      const ext = extname(pathname);
      inFlight++;
      silent.delete(res.socket as Socket);
      res.once('close', () => {
        inFlight--;
        if (ext === '' || ext === '.html') opening ??= { script: false, style: false };
        else if (opening && ext === '.js') opening.script = true;
        else if (opening && ext === '.css') opening.style = true;
        wake();
      });
    },
    observeConnection(socket) {
      silent.add(socket);
      const forget = (): void => {
        clearTimeout(timer);
        if (silent.delete(socket)) wake();
      };
      const timer = setTimeout(forget, silentConnectionMs);
      timer.unref();
      socket.once('close', forget);
    },
    settled() {
      if (!busy()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }, maxWaitMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
      });
    },
  };
}
