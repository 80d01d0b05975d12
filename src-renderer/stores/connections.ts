// Workspaces, connections and the Sandbox for the renderer: fed by api calls and kept fresh by the
// `connections:changed` and `workspaces:changed` push events (another window, a refused token, the
// Sandbox starting). Actions throw ApiError; the components show its message where the user acted.
import { create } from 'zustand';
import type {
  ConnectionRemoved,
  ConnectionTestResult,
  ConnectionView,
  CreateConnectionInput,
  SimulateMessageInput,
  UpdateConnectionInput,
  WorkspaceView,
} from '../../src-preload/connections.contract';
import { api, errorMessage } from '../lib/api';

export interface ConnectionTestState {
  running: boolean;
  result?: ConnectionTestResult;
  /** The call itself failed (not the test). */
  error?: string;
}

interface ConnectionsState {
  workspaces: WorkspaceView[];
  currentWorkspaceId: string | null;
  connections: ConnectionView[];
  loaded: boolean;
  loadError?: string;
  tests: Record<string, ConnectionTestState>;
  load(): Promise<void>;
  createWorkspace(name: string): Promise<WorkspaceView>;
  renameWorkspace(workspaceId: string, name: string): Promise<void>;
  switchWorkspace(workspaceId: string): Promise<void>;
  createConnection(input: CreateConnectionInput): Promise<ConnectionView>;
  updateConnection(input: UpdateConnectionInput): Promise<ConnectionView>;
  removeConnection(connectionId: string): Promise<ConnectionRemoved>;
  testConnection(connectionId: string): Promise<void>;
  simulateMessage(input: SimulateMessageInput): Promise<{ wamid: string; from: string }>;
}

/** Ignores answers to a load that a newer load has overtaken (two quick push events). */
let loadGeneration = 0;

export const useConnectionsStore = create<ConnectionsState>((set, get) => ({
  workspaces: [],
  currentWorkspaceId: null,
  connections: [],
  loaded: false,
  tests: {},

  async load() {
    const generation = ++loadGeneration;
    try {
      const [list, connections] = await Promise.all([
        api.invoke('workspaces:list', {}),
        api.invoke('connections:list', {}),
      ]);
      if (generation !== loadGeneration) return;
      set({
        workspaces: list.workspaces,
        currentWorkspaceId: list.currentId,
        connections,
        loaded: true,
        loadError: undefined,
      });
    } catch (error) {
      if (generation === loadGeneration) set({ loadError: errorMessage(error), loaded: true });
    }
  },

  async createWorkspace(name) {
    const workspace = await api.invoke('workspaces:create', { name });
    await api.invoke('workspaces:switch', { workspaceId: workspace.id });
    await get().load();
    return workspace;
  },

  async renameWorkspace(workspaceId, name) {
    await api.invoke('workspaces:rename', { workspaceId, name });
    await get().load();
  },

  async switchWorkspace(workspaceId) {
    await api.invoke('workspaces:switch', { workspaceId });
    set({ tests: {} });
    await get().load();
  },

  async createConnection(input) {
    const created = await api.invoke('connections:create', input);
    await get().load();
    return created;
  },

  async updateConnection(input) {
    const updated = await api.invoke('connections:update', input);
    // An old result would describe the settings before the edit.
    set((state) => ({ tests: withoutKey(state.tests, updated.id) }));
    await get().load();
    return updated;
  },

  async removeConnection(connectionId) {
    const removed = await api.invoke('connections:remove', { connectionId });
    set((state) => ({ tests: withoutKey(state.tests, connectionId) }));
    await get().load();
    return removed;
  },

  async testConnection(connectionId) {
    set((state) => ({ tests: { ...state.tests, [connectionId]: { running: true } } }));
    try {
      const result = await api.invoke('connections:test', { connectionId });
      set((state) => ({ tests: { ...state.tests, [connectionId]: { running: false, result } } }));
    } catch (error) {
      set((state) => ({
        tests: { ...state.tests, [connectionId]: { running: false, error: errorMessage(error) } },
      }));
    }
    // A test can change the status (needs_reauth or back to active) and the display number.
    await get().load();
  },

  simulateMessage(input) {
    return api.invoke('sandbox:simulate-message', input);
  },
}));

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

const reload = (): void => {
  void useConnectionsStore.getState().load();
};
api.on('connections:changed', reload);
api.on('workspaces:changed', reload);
