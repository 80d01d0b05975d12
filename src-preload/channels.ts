// The names of every IPC channel and push event. Kept apart from contract.ts so the sandboxed
// preload can bundle the allow-list without pulling in zod; contract.ts is checked against these
// lists by the compiler (`satisfies`), so the two cannot drift apart.

export const invokeChannels = [
  'app:info',
  'app:health',
  'tunnel:status',
  'tunnel:configure',
  'webhooks:diagnostics',
  'workspaces:list',
  'workspaces:create',
  'workspaces:rename',
  'workspaces:switch',
  'connections:list',
  'connections:create',
  'connections:update',
  'connections:remove',
  'connections:test',
  'sandbox:simulate-message',
  'contacts:list',
  'contacts:facets',
  'contacts:update',
  'contacts:set-opt-out',
  'contacts:delete',
  'contacts:upload-begin',
  'contacts:upload-chunk',
  'contacts:import-preview',
  'contacts:import-start',
  'contacts:import-cancel',
  'contacts:import-status',
  'contacts:export',
  'contacts:pick-import-file',
  'contacts:save-file',
  'contacts:drag-file',
  'templates:list',
  'templates:sync',
  'templates:create',
  'templates:delete',
  'messages:send',
  'messages:send-template-to-number',
  'conversations:list',
  'conversations:thread',
  'conversations:mark-read',
  'conversations:set-status',
  'conversations:set-bot-paused',
  'chatbots:list',
  'chatbots:get',
  'chatbots:create',
  'chatbots:rename',
  'chatbots:delete',
  'chatbots:set-enabled',
  'chatbots:set-rule-enabled',
  'chatbots:save-rules',
  'chatbots:reorder-rules',
  'chatbots:update-settings',
  'chatbots:test',
  'sandbox:phone-thread',
  'backups:list',
  'backups:create',
  'backups:restore',
  'backups:export',
  'diagnostics:get',
  'diagnostics:open-logs-folder',
  'campaigns:list',
  'campaigns:get',
  'campaigns:create',
  'campaigns:update',
  'campaigns:delete',
  'campaigns:preflight',
  'campaigns:start',
  'campaigns:schedule',
  'campaigns:pause',
  'campaigns:resume',
  'campaigns:cancel',
  'campaigns:recipients',
  'campaigns:resend-unconfirmed',
  'campaigns:export',
  'campaigns:retarget',
  'messages:search',
  'conversations:unread-summary',
  'quickReplies:list',
  'quickReplies:save',
  'quickReplies:delete',
  'media:upload-begin',
  'media:upload-chunk',
  'messages:send-media',
  'messages:media',
] as const;
export type InvokeChannel = (typeof invokeChannels)[number];

export const eventChannels = [
  'app:health-changed',
  'tunnel:changed',
  'messages:received',
  'messages:status-changed',
  'campaigns:counters-changed',
  'templates:status-changed',
  'connections:changed',
  'workspaces:changed',
  'contacts:import-progressed',
  'contacts:import-finished',
  'contacts:export-progressed',
  'contacts:changed',
  'messages:sent',
  'conversations:changed',
  'templates:synced',
  'chatbots:changed',
  'campaigns:changed',
] as const;
export type EventChannel = (typeof eventChannels)[number];

/** The single Electron IPC channel that carries `{ channel, payload }` invocations. */
export const IPC_INVOKE = 'bellhop:invoke';
/** The single Electron IPC channel that carries `{ event, payload }` pushes. */
export const IPC_EVENT = 'bellhop:event';

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (invokeChannels as readonly string[]).includes(value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (eventChannels as readonly string[]).includes(value);
}
