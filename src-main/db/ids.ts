// Row ids: TEXT (house style), time-ordered so inserts append to the end of each primary-key index
// instead of landing at random pages — it matters for the jobs table, which takes thousands per second.
import { randomBytes, randomUUID } from 'node:crypto';

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

const VARIANT_BITS = 0x80;

/**
 * `count` ids of newId's form made at once, for bulk inserts (an import batch of thousands): one clock
 * read and one draw of random bytes for all, where newId costs a randomUUID() each. Same layout: the
 * millisecond prefix, then 18 random hex digits and the RFC 9562 variant bits.
 */
export function newIds(count: number, now: number = Date.now()): string[] {
  const first = newId(now);
  const head = first.slice(0, 15);
  // 10 random bytes per id: hex digits 0-2, then 4-7 (digit 4 carries the variant), then 8-19.
  const bytes = randomBytes(count * 10);
  for (let i = 2; i < bytes.length; i += 10) bytes[i] = ((bytes[i] as number) & 0x3f) | VARIANT_BITS;
  const hex = bytes.toString('hex');
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const o = i * 20;
    ids[i] = head + hex.slice(o, o + 3) + '-' + hex.slice(o + 4, o + 8) + '-' + hex.slice(o + 8, o + 20);
  }
  return ids;
}
