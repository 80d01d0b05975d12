// The rejects file: one line per row that was not imported, with its spreadsheet row number, the line it
// starts on, the reason, and the original values under the original headers — so the user can fix the
// rows and import this very file again (the bellhop_* columns are ignored by the mapping suggestion).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvLine, escapeFormula, UTF8_BOM } from '../csv/csvWrite';

export const REJECT_COLUMNS = ['bellhop_row', 'bellhop_line', 'bellhop_reject_reason'] as const;

export interface RejectLine {
  row: number;
  line: number;
  message: string;
  values: readonly string[];
}

export class RejectsWriter {
  private stream: WriteStream | undefined;
  private headers: readonly string[] = [];
  written = 0;

  constructor(private readonly path: string) {}

  setHeaders(headers: readonly string[]): void {
    this.headers = headers;
  }

  async write(line: RejectLine): Promise<void> {
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { flags: 'w' });
      this.stream.write(UTF8_BOM + csvLine([...REJECT_COLUMNS, ...this.headers]));
    }
    const cells = [String(line.row), String(line.line), line.message, ...line.values.map(escapeFormula)];
    this.written++;
    if (!this.stream.write(csvLine(cells))) await once(this.stream, 'drain');
  }

  get hasFile(): boolean {
    return this.stream !== undefined;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    stream.end();
    await once(stream, 'close');
  }
}
