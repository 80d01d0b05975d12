// Talks to a running browser host's IPC bridge from Node, as the page does: a WebSocket to /ws with the
// token and the host's own Origin. For tests that set data up or drive the core without the UI.
import NodeWebSocket from 'ws';
import type { Result } from '../../src-preload/contract';

export interface HostIpc {
  invoke<T = unknown>(channel: string, payload?: unknown): Promise<Result<T>>;
  /** Like invoke, but throws on an error result. */
  call<T = unknown>(channel: string, payload?: unknown): Promise<T>;
  close(): void;
}

export async function connectHostIpc(host: {
  port: number;
  token: string;
  origin: string;
}): Promise<HostIpc> {
  const ws = new NodeWebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
    headers: { Origin: host.origin },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { id?: number; result?: Result<unknown> };
    if (typeof frame.id !== 'number' || !frame.result) return; // a push event
    pending.get(frame.id)?.(frame.result);
    pending.delete(frame.id);
  });
  const invoke = <T>(channel: string, payload: unknown = {}): Promise<Result<T>> => {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve as (result: Result<unknown>) => void);
      ws.send(JSON.stringify({ id, channel, payload }));
    });
  };
  return {
    invoke,
    async call<T>(channel: string, payload: unknown = {}) {
      const result = await invoke<T>(channel, payload);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    close: () => ws.close(),
  };
}
