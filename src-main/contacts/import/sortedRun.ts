// A run of good rows waiting to go to the writer in phone order (importEngine.ts), held without an object
// per row: each row is its tuple text in one array and numbers in typed arrays. A run holds up to 60,000
// rows for a second or more, so whatever a row keeps alive outlives a young-generation collection or two
// and gets copied and promoted; an object per row (and its phone string) made that garbage collection
// about a sixth of the reader's time.
// Phone order is the order of the E.164 strings (what SQLite compares for the (workspace, phone) index).
// Sorting compares numbers that keep that order (phoneSortKey), not strings.

/** Rows of the run in phone order; positions into the run's arrays. */
export type RunOrder = Uint32Array;

const MAX_KEY_DIGITS = 15;

/**
 * A number whose order is the string order of E.164 numbers ('+' and at most 15 digits): each digit d
 * is written as d + 1 in base 11 and the number is padded on the right with 0, so a number that is a
 * prefix of another sorts first, as the shorter string does. 11^15 < 2^53: exact as a double.
 * NaN when `e164` is not '+' and 1–15 digits (the run then sorts by the strings themselves).
 */
export function phoneSortKey(e164: string): number {
  const n = e164.length;
  if (n < 2 || n > MAX_KEY_DIGITS + 1 || e164.charCodeAt(0) !== 43) return NaN;
  let key = 0;
  for (let i = 1; i <= MAX_KEY_DIGITS; i++) {
    let digit = 0;
    if (i < n) {
      const c = e164.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      digit = c + 1;
    }
    key = key * 11 + digit;
  }
  return key;
}

/** SortedRun.phoneIdAt's value for a phone. */
export function phoneId(e164: string): number | string {
  const key = phoneSortKey(e164);
  return Number.isNaN(key) ? e164 : key;
}

const DIGIT_BITS = 13;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;
const HALF = 2 ** (2 * DIGIT_BITS);

/**
 * Positions 0..n-1 ordered by keys[position] (integers below 2^52, as phoneSortKey's), by a stable LSD
 * radix sort in four 13-bit passes: O(n) on typed arrays, where a comparison sort of a 60,000-row run
 * called its comparator about a million times.
 */
export function radixOrder(keys: Float64Array, n: number): RunOrder {
  const low = new Uint32Array(n);
  const high = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i] as number;
    const h = Math.floor(key / HALF);
    high[i] = h;
    low[i] = key - h * HALF;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(1 << DIGIT_BITS);
  for (let pass = 0; pass < 4; pass++) {
    const half = pass < 2 ? low : high;
    const shift = pass % 2 === 0 ? 0 : DIGIT_BITS;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((half[order[i] as number] as number) >>> shift) & DIGIT_MASK;
      counts[digit] = (counts[digit] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const position = order[i] as number;
      const digit = ((half[position] as number) >>> shift) & DIGIT_MASK;
      const at = counts[digit] as number;
      next[at] = position;
      counts[digit] = at + 1;
    }
    const swap = order;
    order = next;
    next = swap;
  }
  return order;
}

export class SortedRun {
  /** Each row's ImportRowTuple JSON without its id (`"+1…",…]`); emptied once the row is sent. */
  readonly json: string[] = [];
  /** Each row's text as written, for the rejects file should the writer skip it (only when kept). */
  readonly raw: string[] = [];
  keys: Float64Array;
  rows: Uint32Array;
  lines: Uint32Array;
  /**
   * Phones outside phoneSortKey's range (none in practice: E.164 has at most 15 digits), by position; with
   * any, the run sorts by the tuple text, which starts with the quoted phone.
   */
  private readonly unkeyed = new Map<number, string>();
  /** Rough heap cost of the rows held (2 bytes a character plus some overhead a row). */
  bytes = 0;

  constructor(
    private readonly keepRaw: boolean,
    capacity = 2048,
  ) {
    this.keys = new Float64Array(capacity);
    this.rows = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
  }

  get length(): number {
    return this.json.length;
  }

  add(phone: string, json: string, row: number, line: number, raw: string): void {
    const i = this.json.length;
    if (i === this.keys.length) this.grow();
    const key = phoneSortKey(phone);
    if (Number.isNaN(key)) this.unkeyed.set(i, phone);
    this.keys[i] = key;
    this.rows[i] = row;
    this.lines[i] = line;
    this.json.push(json);
    if (this.keepRaw) this.raw.push(raw);
    this.bytes += (json.length + (this.keepRaw ? raw.length : 0)) * 2 + 100;
  }

  /** The rows' positions in phone order. Phones are distinct within an import (in-file dedupe). */
  sortedOrder(): RunOrder {
    const n = this.json.length;
    if (this.unkeyed.size > 0) {
      const order: number[] = new Array<number>(n);
      for (let i = 0; i < n; i++) order[i] = i;
      // `"+1…",`: the quote after a phone sorts before any digit, so a prefix still sorts first.
      const json = this.json;
      order.sort((a, b) => {
        const x = json[a] as string;
        const y = json[b] as string;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      return Uint32Array.from(order);
    }
    return radixOrder(this.keys, n);
  }

  /** What identifies the row's phone in the run: its phoneSortKey, or the phone itself outside its range. */
  phoneIdAt(index: number): number | string {
    return this.unkeyed.get(index) ?? (this.keys[index] as number);
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const keys = new Float64Array(size);
    keys.set(this.keys);
    this.keys = keys;
    const rows = new Uint32Array(size);
    rows.set(this.rows);
    this.rows = rows;
    const lines = new Uint32Array(size);
    lines.set(this.lines);
    this.lines = lines;
  }
}
