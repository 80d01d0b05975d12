// Row ids: TEXT (house style), time-ordered so inserts append to the end of each primary-key index
// instead of landing at random pages — it matters for the jobs table, which takes thousands per second.
import { randomUUID } from 'node:crypto';

/** A UUID version 7 (RFC 9562): 48-bit millisecond timestamp, then random bits. */
export function newId(now: number = Date.now()): string {
  const time = Math.max(0, Math.trunc(now)).toString(16).padStart(12, '0').slice(-12);
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, the variant bits already set
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
