import type { EventChannel } from '../src-preload/channels';
import type { EventPayload } from '../src-preload/contract';

export type PushListener = <E extends EventChannel>(event: E, payload: EventPayload<E>) => void;

/** Push events from services to every connected renderer (Electron window or browser tab). */
export interface EventBus {
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
  subscribe(listener: PushListener): () => void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<PushListener>();
  return {
    emit(event, payload) {
      for (const listener of listeners) listener(event, payload);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
