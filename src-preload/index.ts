// The preload: CommonJS, sandboxed, imports only 'electron'. It exposes one object, window.api, that
// forwards only channels named in the contract; main validates every payload again (never trust the page).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, isEventChannel, isInvokeChannel } from './channels';

const api = {
  invoke(channel: unknown, payload: unknown): Promise<unknown> {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'BAD_REQUEST', message: `Unknown channel: ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(IPC_INVOKE, channel, payload);
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventChannel(event) || typeof listener !== 'function') return () => undefined;
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', Object.freeze(api));
