// Cuts decoded CSV text into records (rows) before csv-parse sees them, so that:
//  - every record carries its spreadsheet row number (header = row 1) and the line it starts on, even
//    when quoted fields hold line breaks;
//  - a record can never grow without bound: past `maxRecordChars` it is dropped (a short preview kept)
//    and reported, so a 10 MB line costs a few hundred KB of memory, never 10 MB (or a crash);
//  - a stray opening quote that is never closed does not swallow the rest of the file: the row it opened
//    on is reported and reading resumes on the next line.
// Quote rules are RFC 4180's: a quote opens a quoted field only at the start of a field; inside one,
// "" is a literal quote. csv-parse then splits each record into fields (fields.ts).

const QUOTE = 34;
const LF = 10;
const CR = 13;

export interface SplitLimits {
  /** Longest record kept, in UTF-16 code units. */
  maxRecordChars: number;
  /** How much of a dropped record is kept for the rejects file. */
  previewChars: number;
}

export type SplitEvent =
  | { kind: 'record'; row: number; line: number; text: string }
  | { kind: 'too-long'; row: number; line: number; chars: number; preview: string }
  | { kind: 'unclosed-quote'; row: number; line: number; text: string };

export class RecordSplitter {
  private readonly delimiter: number;
  private row = 0;
  /** Line number of the scanning position (1-based). */
  private line = 1;
  private recordLine = 1;
  private parts: string[] = [];
  private partsLength = 0;
  private inQuotes = false;
  private fieldStart = true;
  private pendingQuote = false;
  private prevCR = false;
  /**
   * Offset (in the record's text) of the first line-break character (CR or LF) inside the open quoted
   * field, -1 when none yet. Where it starts, not where it ends: a CRLF can be cut by a chunk boundary or
   * by the size limit between its two characters, and where the break ends must not depend on that.
   */
  private quoteBreakOffset = -1;
  /** Whether that line break starts with CR (its LF, if one follows, is the same break). */
  private quoteBreakIsCR = false;
  private quoteBreakLine = 0;
  private overflow: { chars: number; preview: string } | undefined;

  constructor(
    delimiter: string,
    private readonly limits: SplitLimits,
  ) {
    if (delimiter.length !== 1) throw new Error('The delimiter must be one character.');
    this.delimiter = delimiter.charCodeAt(0);
  }

  /**
   * Whether the splitter is between records with nothing pending, so a caller may take the next line as a
   * record itself (takeLine), as the fast path of scan() below does.
   */
  get atRecordStart(): boolean {
    return this.parts.length === 0 && !this.prevCR && !this.inQuotes && !this.pendingQuote && !this.overflow;
  }

  /** The line the next record starts on. */
  get nextRecordLine(): number {
    return this.recordLine;
  }

  /**
   * Counts a record the caller read itself, at atRecordStart: text up to an LF, with no CR, no longer
   * than maxRecordChars, whose quotes (if any) all close before the LF. Returns its row number; its line
   * was nextRecordLine.
   */
  takeLine(): number {
    this.line++;
    this.recordLine = this.line;
    return ++this.row;
  }

  push(chunk: string, out: SplitEvent[]): void {
    let rest = chunk;
    while (rest.length > 0) rest = this.scan(rest, out);
  }

  end(out: SplitEvent[]): void {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.inQuotes = false;
    }
    if (this.overflow) {
      this.emitTooLong(out);
      return;
    }
    if (this.inQuotes) {
      const text = this.parts.join('');
      if (this.quoteBreakOffset >= 0) {
        const restart = this.recoverFromStrayQuote(text, out);
        this.push(restart, out);
        this.end(out);
        return;
      }
      this.resetRecord();
      out.push({ kind: 'unclosed-quote', row: ++this.row, line: this.recordLine, text });
      return;
    }
    if (this.parts.length > 0) {
      const text = this.parts.join('');
      this.resetRecord();
      if (text.length > 0) out.push({ kind: 'record', row: ++this.row, line: this.recordLine, text });
    }
  }

  private resetRecord(): void {
    this.parts = [];
    this.partsLength = 0;
    this.fieldStart = true;
    this.inQuotes = false;
    this.quoteBreakOffset = -1;
  }

  private emitTooLong(out: SplitEvent[]): void {
    const overflow = this.overflow as { chars: number; preview: string };
    out.push({
      kind: 'too-long',
      row: ++this.row,
      line: this.recordLine,
      chars: overflow.chars,
      preview: overflow.preview,
    });
    this.overflow = undefined;
    this.resetRecord();
  }

  /**
   * Reports the row a stray quote opened on; returns the text after its first line break, to be read
   * again. `text` is the record from its start to at least that line break's first character.
   */
  private recoverFromStrayQuote(text: string, out: SplitEvent[]): string {
    out.push({
      kind: 'unclosed-quote',
      row: ++this.row,
      line: this.recordLine,
      text: text.slice(0, this.quoteBreakOffset),
    });
    const restart = text.slice(this.quoteBreakOffset + 1);
    this.line = this.quoteBreakLine;
    this.recordLine = this.line;
    // A CR that ended the stray line may be followed by the LF of the same CRLF, here or in a later chunk:
    // the scan skips an LF right after a CR.
    this.prevCR = this.quoteBreakIsCR;
    this.resetRecord();
    return restart;
  }

  /** Scans `s`; returns text that must be scanned again (after a stray-quote recovery) or ''. */
  private scan(s: string, out: SplitEvent[]): string {
    const max = this.limits.maxRecordChars;
    const delimiter = this.delimiter;
    let segStart = 0;
    const n = s.length;
    // Where the next LF, quote and CR are (n: none left; -1: not looked up yet), for the fast path below.
    // Each is looked up again only once scanning has passed it, so a chunk is searched a bounded number
    // of times whatever its line endings.
    let nextLF = -1;
    let nextQuote = -1;
    let nextCR = -1;
    for (let i = 0; i < n; i++) {
      // Fast path: a record that starts here and ends at an LF with no quote and no CR before it (most
      // rows of most files) is one slice; the loop below would reach the same record char by char.
      if (i === segStart && this.parts.length === 0 && !this.prevCR && !this.inQuotes && !this.overflow) {
        if (nextLF < i) {
          nextLF = s.indexOf('\n', i);
          if (nextLF < 0) nextLF = n;
        }
        const lf = nextLF;
        if (lf < n && lf - i <= max) {
          if (nextQuote < i) {
            nextQuote = s.indexOf('"', i);
            if (nextQuote < 0) nextQuote = n;
          }
          if (nextCR < i) {
            nextCR = s.indexOf('\r', i);
            if (nextCR < 0) nextCR = n;
          }
          if (lf < nextQuote && lf < nextCR) {
            out.push({ kind: 'record', row: ++this.row, line: this.recordLine, text: s.slice(i, lf) });
            this.fieldStart = true;
            this.line++;
            this.recordLine = this.line;
            segStart = lf + 1;
            i = lf;
            continue;
          }
        }
      }
      const c = s.charCodeAt(i);
      const afterCR = this.prevCR;
      this.prevCR = c === CR;

      if (this.overflow) {
        // A dropped record ends at the next physical line break; quotes no longer count.
        if (c === LF || c === CR) {
          this.overflow.chars += i - segStart;
          this.emitTooLong(out);
          this.line++;
          this.recordLine = this.line;
          segStart = i + 1;
          if (c === CR && i + 1 < n && s.charCodeAt(i + 1) === LF) {
            i++;
            segStart = i + 1;
            this.prevCR = false;
          }
        }
        continue;
      }

      if (this.inQuotes) {
        if (this.pendingQuote) {
          this.pendingQuote = false;
          if (c === QUOTE) continue; // "" split across chunks
          this.inQuotes = false;
          // the quote closed the field; `c` is read as unquoted text below
        } else if (c === QUOTE) {
          if (i + 1 < n) {
            if (s.charCodeAt(i + 1) === QUOTE) {
              i++;
              this.prevCR = false;
              continue;
            }
            this.inQuotes = false;
          } else {
            this.pendingQuote = true;
          }
          continue;
        } else {
          if (c === CR || (c === LF && !afterCR)) {
            this.line++;
            if (this.quoteBreakOffset < 0) {
              this.quoteBreakOffset = this.partsLength + (i - segStart);
              this.quoteBreakIsCR = c === CR;
              this.quoteBreakLine = this.line;
            }
          }
          if (this.partsLength + (i - segStart) > max) {
            const restart = this.overflowInQuotes(s, segStart, i, out);
            if (restart !== undefined) return restart;
            segStart = i;
          }
          continue;
        }
      }

      if (c === QUOTE) {
        if (this.fieldStart) {
          this.inQuotes = true;
          this.quoteBreakOffset = -1;
        }
        this.fieldStart = false;
        continue;
      }
      if (c === delimiter) {
        this.fieldStart = true;
        continue;
      }
      if (c === LF || c === CR) {
        if (c === LF && afterCR) {
          // second half of CRLF: the record was emitted at the CR
          segStart = i + 1;
          continue;
        }
        const piece = s.slice(segStart, i);
        const text = this.parts.length === 0 ? piece : this.parts.join('') + piece;
        out.push({ kind: 'record', row: ++this.row, line: this.recordLine, text });
        this.resetRecord();
        this.line++;
        this.recordLine = this.line;
        segStart = i + 1;
        continue;
      }
      this.fieldStart = false;
      if (this.partsLength + (i - segStart) > max) {
        this.startOverflow(s.slice(segStart, i));
        segStart = i;
      }
    }
    if (this.overflow) {
      this.overflow.chars += n - segStart;
    } else if (segStart < n) {
      const piece = s.slice(segStart);
      this.parts.push(piece);
      this.partsLength += piece.length;
    }
    return '';
  }

  private startOverflow(lastPiece: string): void {
    const text = this.parts.join('') + lastPiece;
    this.overflow = { chars: text.length, preview: text.slice(0, this.limits.previewChars) };
    this.parts = [];
    this.partsLength = 0;
    this.inQuotes = false;
    this.pendingQuote = false;
  }

  /**
   * A quoted field ran past the size limit. If it spans lines, its opening quote was most likely stray:
   * report that row and read again from the line after it. Otherwise drop the rest of the line.
   */
  private overflowInQuotes(s: string, segStart: number, i: number, out: SplitEvent[]): string | undefined {
    if (this.quoteBreakOffset >= 0) {
      // The record up to the end of this chunk: the line break may be the character at `i` itself.
      return this.recoverFromStrayQuote(this.parts.join('') + s.slice(segStart), out);
    }
    this.startOverflow(s.slice(segStart, i));
    return undefined;
  }
}
