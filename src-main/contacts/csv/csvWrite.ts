// Writing CSV cells. Values that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) are
// written with a leading apostrophe: names and attributes can come from strangers (a WhatsApp profile
// name), and opening an export must never execute them (CSV injection, OWASP). The import strips exactly
// that apostrophe again (unescapeFormula), so export → import changes nothing.

const formulaStart = /^'*[=+\-@\t\r]/;
const escapedFormulaStart = /^'+[=+\-@\t\r]/;

export function escapeFormula(value: string): string {
  return formulaStart.test(value) ? "'" + value : value;
}

export function unescapeFormula(value: string): string {
  return escapedFormulaStart.test(value) ? value.slice(1) : value;
}

const needsQuotes = /[",\r\n;\t|]|^\s|\s$/;

/** One cell, quoted when it must be (RFC 4180: "" inside quotes). */
export function csvCell(value: string): string {
  return needsQuotes.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

/** One line (CRLF, as Excel writes and expects). */
export function csvLine(cells: readonly string[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ',';
    out += csvCell(cells[i] as string);
  }
  return out + '\r\n';
}

/** UTF-8 byte-order mark: Excel reads a BOM-less CSV as the system's legacy code page. */
export const UTF8_BOM = '\uFEFF';
