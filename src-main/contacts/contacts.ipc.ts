// Binds the contacts channels of the contract to the service. The router has already validated each
// payload against its zod schema; expected failures are AppErrors with a code the screen switches on.
import type { Handlers } from '../ipc/router';
import type { ContactsService } from './contacts.service';

export function bindContacts(contacts: ContactsService): Partial<Handlers> {
  return {
    'contacts:list': (request) => contacts.list(request),
    'contacts:facets': (request) => contacts.facets(request.workspaceId),
    'contacts:update': ({ workspaceId, contactId, ...patch }) =>
      contacts.update(workspaceId, contactId, patch),
    'contacts:set-opt-out': ({ workspaceId, contactId, optedOut, reason }) =>
      contacts.setOptOut(workspaceId, contactId, optedOut, reason),
    'contacts:delete': ({ workspaceId, contactIds }) => contacts.delete(workspaceId, contactIds),
    'contacts:upload-begin': ({ fileName, size }) => contacts.uploadBegin(fileName, size),
    'contacts:upload-chunk': ({ uploadId, offset, data }) => contacts.uploadChunk(uploadId, offset, data),
    'contacts:import-preview': ({ uploadId, ...options }) => contacts.preview(uploadId, options),
    'contacts:import-start': ({ workspaceId, uploadId, settings, rememberContacts }) =>
      contacts.startImport(workspaceId, uploadId, settings, { rememberContacts }),
    'contacts:import-cancel': ({ importId }) => contacts.cancelImport(importId),
    'contacts:import-status': ({ workspaceId }) => contacts.importStatus(workspaceId),
    'contacts:export': (request) => contacts.export(request),
  };
}
