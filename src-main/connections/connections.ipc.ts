// Binds the workspaces, connections and Sandbox channels of the contract to the module. The router has
// already validated each payload against its zod schema; expected failures are AppErrors.
import type { Handlers } from '../ipc/router';
import type { ConnectionsModule } from './connections.module';

export function bindConnections(
  module: Pick<ConnectionsModule, 'service' | 'simulateCustomerMessage' | 'sandboxPhoneThread'>,
): Partial<Handlers> {
  const { service } = module;
  return {
    'workspaces:list': () => service.listWorkspaces(),
    'workspaces:create': (request) => service.createWorkspace(request),
    'workspaces:rename': (request) => service.renameWorkspace(request),
    'workspaces:switch': (request) => service.switchWorkspace(request),
    'connections:list': (request) => service.listConnections(request),
    'connections:create': (request) => service.createConnection(request),
    'connections:update': (request) => service.updateConnection(request),
    'connections:remove': (request) => service.removeConnection(request),
    'connections:test': (request) => service.testConnection(request),
    'sandbox:simulate-message': (request) => module.simulateCustomerMessage(request),
    'sandbox:phone-thread': (request) => module.sandboxPhoneThread(request),
  };
}
