// The import's fast path for the common row: one line of plain or regularly quoted fields, every value
// already trimmed, a valid number, nothing to reject. Such a line is read straight from the decoded text
// into the row's tuple JSON (importEngine.ts), without the record, field array, item and contact objects
// the general path (records.ts → fields.ts → rowBuilder.ts) makes for every row; at a million rows those
// and their garbage collection were most of the reader thread's time.
// It never decides anything the general path would decide differently: a line it does not take whole
// (split returns false) goes to the RecordSplitter as before, and a row it cannot build without a doubt
// (build returns false: any value to trim or unescape, any check that fails, a duplicate) is handed to
// the general row builder with the same fields. test/integration/contacts.importFastPath.test.ts
// imports the fuzz corpus and generated files both ways and compares rows, counts and rejects files.
import { CONTACT_LIMITS } from '../../../src-preload/contacts.contract';
import { emailPattern, splitTags, type RowPlan } from './rowBuilder';

const QUOTE = 34;
const CR = 13;
const APOSTROPHE = 39;
const tagSeparator = /[,;|]/;
const COMMA = 44;
const SEMICOLON = 59;
const BAR = 124;
/** Keys JSON.stringify would not write in insertion order (array indexes come first) or at all. */
const indexLike = /^(?:0|[1-9]\d*)$/;

/** The characters String.prototype.trim removes (WhiteSpace and LineTerminator). */
function isTrimmed(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whether the attribute keys can be written as JSON text in column order (see plainAttributeKeys). */
function plainAttributeKeys(keys: readonly string[]): boolean {
  return (
    new Set(keys).size === keys.length &&
    keys.every((key) => key !== '__proto__' && !(indexLike.test(key) && Number(key) < 2 ** 32 - 1))
  );
}

export class FastRows {
  /** Field boundaries of the last line split: values without their quotes. */
  private starts: Int32Array = new Int32Array(64);
  private ends: Int32Array = new Int32Array(64);
  private count = 0;
  private readonly delimiter: number;
  private readonly attributeKeyJson: string[];
  private readonly plainAttributes: boolean;
  private readonly parts: string[] = new Array<string>(11).fill('');
  /** Where the next U+FFFD of the current chunk is (-1: none; chunk identity in `chunk`). */
  private nextReplacement = -1;
  private chunk = -1;
  /** The last row built: its E.164 number and its tuple JSON without the id (importEngine.ts). */
  phone = '';
  json = '';

  constructor(
    private readonly plan: RowPlan,
    delimiter: string,
    private readonly maxRecordChars: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.attributeKeyJson = plan.attributes.map(({ key }) => JSON.stringify(key) + ':');
    this.plainAttributes = plainAttributeKeys(plan.attributes.map(({ key }) => key));
  }

  /** Starts a new chunk of text (its number, so that per-chunk lookups are made again). */
  startChunk(chunkNumber: number, text: string): void {
    this.chunk = chunkNumber;
    this.nextReplacement = text.indexOf('\uFFFD');
  }

  get chunkNumber(): number {
    return this.chunk;
  }

  /**
   * Splits s[start, end) (end: the index of its LF) into fields, as fields.ts would split the record the
   * RecordSplitter would cut there. False when the line is not such a record on its own or not split
   * that simply: empty, too long, a CR, a quote that does not open and close a field on this line, "".
   */
  split(s: string, start: number, end: number): boolean {
    if (end <= start || end - start > this.maxRecordChars) return false;
    const d = this.delimiter;
    let count = 0;
    let i = start;
    for (;;) {
      if (count === this.starts.length) this.grow();
      if (i < end && s.charCodeAt(i) === QUOTE) {
        const close = s.indexOf('"', i + 1);
        if (close < 0 || close >= end) return false;
        const after = close + 1;
        if (after < end && s.charCodeAt(after) !== d) return false; // "" or text after the closing quote
        for (let k = i + 1; k < close; k++) if (s.charCodeAt(k) === CR) return false;
        this.starts[count] = i + 1;
        this.ends[count] = close;
        count++;
        if (after === end) break;
        i = after + 1;
      } else {
        let j = i;
        while (j < end) {
          const c = s.charCodeAt(j);
          if (c === d) break;
          if (c === QUOTE || c === CR) return false;
          j++;
        }
        this.starts[count] = i;
        this.ends[count] = j;
        count++;
        if (j === end) break;
        i = j + 1;
      }
    }
    this.count = count;
    return true;
  }

  /** The fields of the last line split, as the general path gets them. */
  fields(s: string): string[] {
    const out = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) out[k] = s.slice(this.starts[k], this.ends[k]);
    return out;
  }

  private cell(s: string, index: number): string {
    return index >= 0 && index < this.count ? s.slice(this.starts[index], this.ends[index]) : '';
  }

  /**
   * Builds the row of the last line split (s[start, end)) into `phone` and `json`, exactly as
   * rowBuilder.ts buildRow + importEngine.ts tupleTextWithoutId would; false when buildRow would have
   * anything to trim, unescape or reject (the caller then hands the row to it).
   */
  build(s: string, start: number, end: number): boolean {
    const plan = this.plan;
    const n = this.count;
    if (n > plan.columnCount) return false;
    let anyValue = false;
    for (let k = 0; k < n; k++) {
      const a = this.starts[k] as number;
      const b = this.ends[k] as number;
      if (a === b) continue;
      anyValue = true;
      const first = s.charCodeAt(a);
      if (first === APOSTROPHE || isTrimmed(first) || isTrimmed(s.charCodeAt(b - 1))) return false;
    }
    if (!anyValue) return false;
    if (this.nextReplacement >= 0 && this.nextReplacement < end) {
      if (this.nextReplacement >= start) return false;
      this.nextReplacement = s.indexOf('\uFFFD', start);
      if (this.nextReplacement >= 0 && this.nextReplacement < end) return false;
    }

    const phoneCell = this.cell(s, plan.phone);
    if (!phoneCell) return false;
    const phone = plan.normalisePhone(phoneCell);
    if (!phone.ok) return false;

    let nameJson = 'null';
    if (plan.names.length > 0) {
      let full: string;
      if (plan.names.length === 1) full = this.cell(s, plan.names[0] as number);
      else {
        const parts: string[] = [];
        for (const index of plan.names) {
          const part = this.cell(s, index);
          if (part) parts.push(part);
        }
        full = parts.join(' ');
      }
      if (full.length > CONTACT_LIMITS.name) return false;
      if (full) nameJson = JSON.stringify(full);
    }

    let emailJson = 'null';
    if (plan.email >= 0) {
      const cell = this.cell(s, plan.email);
      if (cell) {
        if (cell.length > CONTACT_LIMITS.email || !emailPattern.test(cell)) return false;
        emailJson = JSON.stringify(cell);
      }
    }

    const tagsJson = this.tagsJson(s);
    if (tagsJson === undefined) return false;
    const attributesJson = this.attributesJson(s);
    if (attributesJson === undefined) return false;

    const p = this.parts;
    p[0] = '"';
    p[1] = phone.e164;
    p[2] = '",';
    p[3] = nameJson;
    p[4] = ',';
    p[5] = emailJson;
    p[6] = ',';
    p[7] = tagsJson;
    p[8] = ',';
    p[9] = attributesJson;
    p[10] = ']';
    // join: one flat string, which a sorted run holds for a while (see importEngine.ts tupleTextWithoutId).
    this.json = p.join('');
    this.phone = phone.e164;
    return true;
  }

  /** buildRow's tags as JSON text, or undefined when it would reject them. */
  private tagsJson(s: string): string | undefined {
    const columns = this.plan.tags;
    if (columns.length === 0) return '[]';
    if (columns.length === 1) {
      const cell = this.cell(s, columns[0] as number);
      if (!cell) return '[]';
      if (!tagSeparator.test(cell)) {
        // One tag, already trimmed (build checked the cell's ends).
        return cell.length > CONTACT_LIMITS.tag ? undefined : '[' + JSON.stringify(cell) + ']';
      }
      // splitTags without its regular expression split and list of parts: the distinct trimmed tags.
      const tags: string[] = [];
      let from = 0;
      for (let i = 0; i <= cell.length; i++) {
        const c = i < cell.length ? cell.charCodeAt(i) : COMMA;
        if (c !== COMMA && c !== SEMICOLON && c !== BAR) continue;
        const tag = cell.slice(from, i).trim();
        from = i + 1;
        if (!tag || tags.includes(tag)) continue;
        if (tag.length > CONTACT_LIMITS.tag) return undefined;
        tags.push(tag);
      }
      return tags.length > CONTACT_LIMITS.tagsPerContact ? undefined : JSON.stringify(tags);
    }
    const tags: string[] = [];
    for (const index of columns) {
      for (const tag of splitTags(this.cell(s, index))) {
        if (tag.length > CONTACT_LIMITS.tag) return undefined;
        if (!tags.includes(tag)) tags.push(tag);
      }
    }
    return tags.length > CONTACT_LIMITS.tagsPerContact ? undefined : JSON.stringify(tags);
  }

  /** buildRow's attributes as JSON text, or undefined when it would reject them. */
  private attributesJson(s: string): string | undefined {
    const attributes = this.plan.attributes;
    if (!this.plainAttributes) {
      const object: Record<string, string> = {};
      for (const { index, key } of attributes) {
        const value = this.cell(s, index);
        if (!value) continue;
        if (value.length > CONTACT_LIMITS.attributeValue) return undefined;
        object[key] = value;
      }
      return JSON.stringify(object);
    }
    let text = '{';
    for (let k = 0; k < attributes.length; k++) {
      const value = this.cell(s, (attributes[k] as { index: number }).index);
      if (!value) continue;
      if (value.length > CONTACT_LIMITS.attributeValue) return undefined;
      text += (text.length > 1 ? ',' : '') + (this.attributeKeyJson[k] as string) + JSON.stringify(value);
    }
    return text + '}';
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.ends = ends;
  }
}
