// The renderer's only door to main: typed calls that unwrap Results into values or ApiErrors.
// The renderer code is the same in both hosts: Electron's preload provides window.api; in the browser
// host the WebSocket shim does.
import type { EventChannel, InvokeChannel } from '../../src-preload/channels';
import type { BellhopApi, ErrorCode, EventPayload, RequestOf, ResponseOf } from '../../src-preload/contract';
import { createWebSocketApi } from './wsBridge';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let bridge: BellhopApi | undefined;
/** Resolves once calls made so far are on their way to main (at once with Electron's preload). */
let bridgeOpened: Promise<void> = Promise.resolve();
function getBridge(): BellhopApi {
  if (!bridge) {
    if (window.api) {
      bridge = window.api;
    } else {
      const socket = createWebSocketApi();
      bridge = socket;
      bridgeOpened = socket.opened;
    }
  }
  return bridge;
}

/** The calls made so far have been handed to the host (the browser host's socket opened). */
export function callsSent(): Promise<void> {
  getBridge();
  return bridgeOpened;
}

export const api = {
  async invoke<C extends InvokeChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await getBridge().invoke(channel, payload);
    if (!result.ok) throw new ApiError(result.error.code, result.error.message);
    return result.value;
  },
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return getBridge().on(event, listener);
  },
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
