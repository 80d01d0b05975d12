// window.api for the browser host: the same contract as the preload's, carried over a WebSocket to the
// page's own origin. The access cookie set by the host authenticates the socket; nothing else is needed.
import type { EventChannel, InvokeChannel } from '../../src-preload/channels';
import type { BellhopApi, EventPayload, RequestOf, ResponseOf, Result } from '../../src-preload/contract';

interface Pending {
  resolve: (result: Result<unknown>) => void;
}

/** The bridge, and when its socket first opened (the calls made before it have then been sent). */
export type WebSocketApi = BellhopApi & { readonly opened: Promise<void> };

export function createWebSocketApi(
  url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
): WebSocketApi {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let retryMs = 250;
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));

  const connect = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = 250;
      for (const frame of outbox.splice(0)) ws.send(frame);
      markOpened();
    });
    ws.addEventListener('message', (message: MessageEvent<string>) => {
      const data = JSON.parse(message.data) as {
        id?: number;
        result?: Result<unknown>;
        event?: string;
        payload?: unknown;
      };
      if (typeof data.id === 'number' && data.result) {
        pending.get(data.id)?.resolve(data.result);
        pending.delete(data.id);
      } else if (typeof data.event === 'string') {
        for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
      }
    });
    ws.addEventListener('close', () => {
      // Calls in flight may or may not have run; say so instead of guessing. Services are idempotent
      // where it matters (client ids), so the user can safely retry.
      for (const [id, call] of pending) {
        call.resolve({
          ok: false,
          error: { code: 'UNAVAILABLE', message: 'Lost the connection to Bellhop.' },
        });
        pending.delete(id);
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    });
  };
  connect();

  return {
    opened,
    invoke<C extends InvokeChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      const id = nextId++;
      const frame = JSON.stringify({ id, channel, payload });
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as (r: Result<unknown>) => void });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else outbox.push(frame);
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
  };
}
