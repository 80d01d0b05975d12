import type { ErrorCode } from '../../src-preload/contract';

/**
 * An error a service raises on purpose, with a code the UI can switch on and a message meant for the
 * user. Anything else thrown inside a handler is treated as a bug: logged in main, surfaced as INTERNAL.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
