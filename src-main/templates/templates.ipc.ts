// Binds the templates channels of the contract to the service. Payloads are already validated by the
// router; expected failures (LOCKED "a sync is already running", RATE_LIMITED) are AppErrors.
import type { Handlers } from '../ipc/router';
import type { TemplatesService } from './templates.service';

export function bindTemplates(templates: TemplatesService): Partial<Handlers> {
  return {
    'templates:list': (request) => templates.list(request),
    'templates:sync': ({ connectionId }) => templates.sync(connectionId),
    'templates:create': (request) => templates.create(request),
    'templates:delete': ({ connectionId, name, language }) => templates.delete(connectionId, name, language),
  };
}
