// Main validates every request (zod, src-preload/connections.contract.ts) and answers BAD_REQUEST with
// "Invalid request for <channel> at <field>: <message>". The form shows <message> next to <field>.
import { ApiError, errorMessage } from '../../lib/api';

export interface FieldError {
  field?: string;
  message: string;
}

const prefix = /^Invalid request for [\w:-]+(?: at ([\w.]+))?: /;

export function fieldErrorOf(error: unknown): FieldError {
  const message = errorMessage(error);
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return { message };
  const match = prefix.exec(message);
  if (!match) return { message };
  const field = match[1]?.split('.')[0];
  return { ...(field !== undefined ? { field } : {}), message: message.slice(match[0].length) };
}
