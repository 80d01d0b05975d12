// Row ids: TEXT (house style), time-ordered so inserts append to the end of each primary-key index
// instead of landing at random pages — it matters for the jobs table, which takes thousands per second.
import { randomUUID } from 'node:crypto';

let prefixMs = -1;
let prefix = '';

/** A UUID version 7 (RFC 9562): 48-bit millisecond timestamp, then random bits. */
export function newId(now: number = Date.now()): string {
  const ms = Math.max(0, Math.trunc(now));
  if (ms !== prefixMs) {
    // Formatting the time is most of the cost; ids made in the same millisecond share it.
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixMs = ms;
  }
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep the random part after the version digit (variant bits set).
  return prefix + randomUUID().slice(15);
}
