// The numbers already seen in a file and the row each first appeared on, for in-file dedupe (the first row
// wins). An open-addressing hash table over typed arrays: a million numbers take ~24 MB outside the JS
// heap, where a Map<string, number> would take ~80 MB of heap and a garbage collector's attention.
// E.164 digits (at most 15) are exact as doubles, and never 0, which marks an empty slot.

export class PhoneIndex {
  private keys: Float64Array;
  private rows: Uint32Array;
  private used = 0;

  constructor(capacity = 1 << 16) {
    this.keys = new Float64Array(capacity);
    this.rows = new Uint32Array(capacity);
  }

  get size(): number {
    return this.used;
  }

  /** The number's digits as a number: Number(e164.slice(1)), without the slice (a string per row). */
  private static keyOf(e164: string): number {
    // Past 15 digits the sum below could round differently from Number(); E.164 has at most 15.
    if (e164.length > 16) return Number(e164.slice(1));
    let key = 0;
    for (let i = 1; i < e164.length; i++) {
      const digit = e164.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number(e164.slice(1));
      key = key * 10 + digit;
    }
    return key;
  }

  private slot(keys: Float64Array, key: number): number {
    const mask = keys.length - 1;
    // Multiplicative hash of the low and high halves; numbers of one file share long prefixes.
    let h =
      (Math.imul((key % 4294967296) | 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) | 0, 0x85ebca6b)) >>> 0;
    for (;;) {
      const index = h & mask;
      const existing = keys[index] as number;
      if (existing === 0 || existing === key) return index;
      h = (h + 1) >>> 0;
    }
  }

  /** The row the number was first seen on, or records `row` for it and returns undefined. */
  firstRowOrAdd(e164: string, row: number): number | undefined {
    const key = PhoneIndex.keyOf(e164);
    const index = this.slot(this.keys, key);
    if (this.keys[index] === key) return this.rows[index];
    this.keys[index] = key;
    this.rows[index] = row;
    this.used++;
    if (this.used * 2 > this.keys.length) this.grow();
    return undefined;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldRows = this.rows;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.rows = new Uint32Array(oldKeys.length * 2);
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i] as number;
      if (key === 0) continue;
      const index = this.slot(this.keys, key);
      this.keys[index] = key;
      this.rows[index] = oldRows[i] as number;
    }
  }
}
