// The one wrapper every IPC call passes through, in both hosts: check the sender, look the channel up
// in the contract, validate the payload with its zod schema, call the handler, wrap the outcome as a
// Result. Invalid input never reaches a handler.
import { isInvokeChannel, type InvokeChannel } from '../../src-preload/channels';
import { contract, type RequestOf, type ResponseOf, type Result } from '../../src-preload/contract';
import type { Logger } from '../log';
import { AppError } from './errors';

export type Handler<C extends InvokeChannel> = (
  request: RequestOf<C>,
) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in InvokeChannel]: Handler<C> };

/** Who is calling, as judged by the host (Electron frame URL check, or an authenticated WebSocket). */
export interface Sender {
  trusted: boolean;
  description: string;
}

export interface IpcRouter {
  dispatch(channel: unknown, payload: unknown, sender: Sender): Promise<Result<unknown>>;
}

export function createIpcRouter(handlers: Partial<Handlers>, log: Logger): IpcRouter {
  return {
    async dispatch(channel, payload, sender) {
      if (!sender.trusted) {
        log.warn('ipc: refused call from untrusted sender', { sender: sender.description });
        return fail('FORBIDDEN', 'This caller is not allowed to use the app.');
      }
      if (!isInvokeChannel(channel)) {
        return fail(
          'BAD_REQUEST',
          `Unknown channel: ${typeof channel === 'string' ? channel : typeof channel}`,
        );
      }
      const parsed = contract[channel].request.safeParse(payload ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        return fail('BAD_REQUEST', `Invalid request for ${channel}${where}: ${issue?.message ?? 'invalid'}`);
      }
      // The zod schema just proved the payload is this channel's request type.
      const handler = handlers[channel] as ((request: unknown) => unknown) | undefined;
      if (!handler) return fail('UNAVAILABLE', `${channel} is not available in this build.`);
      try {
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        if (error instanceof AppError) return fail(error.code, error.message);
        log.error('ipc: handler failed', { channel, error });
        return fail('INTERNAL', 'Something went wrong inside the app. Details are in the log.');
      }
    },
  };
}

function fail(code: AppError['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
