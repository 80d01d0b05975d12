// Building blocks every part of the IPC contract uses, so each is written once.
import { z } from 'zod';

/** Carries a response type through the contract without a runtime value. */
export function returns<T>(): T {
  return undefined as T;
}

/** A row id picked in the UI (connection, contact, campaign…), with the message a user understands. */
export const rowId = (what: string) =>
  z
    .string({ error: `Choose a ${what}.` })
    .min(1, `Choose a ${what}.`)
    .max(64, `That ${what} id is too long.`);
