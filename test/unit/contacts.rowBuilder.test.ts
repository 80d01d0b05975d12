// The name a row gives its contact: one name column as it is, several joined by a space (empty cells
// left out), and a name over the contact limit rejected with its length, never cut short.
import { describe, expect, it } from 'vitest';
import { CONTACT_LIMITS, type ImportSettings } from '../../src-preload/contacts.contract';
import { buildRow, planRows, type BuiltRow } from '../../src-main/contacts/import/rowBuilder';

function plan(columns: ImportSettings['columns']) {
  const settings: ImportSettings = {
    delimiter: ',',
    hasHeader: true,
    columns,
    defaultCountry: 'US',
    mode: 'add-and-update',
  };
  return planRows(
    settings,
    columns.map((_, i) => `column ${i + 1}`),
  );
}

const nameOf = (built: BuiltRow): string | null | undefined =>
  built.kind === 'contact' ? built.contact.name : undefined;
const rejectOf = (built: BuiltRow): { code: string; message: string } | undefined =>
  built.kind === 'reject' ? { code: built.reject.code, message: built.reject.message } : undefined;

describe('buildRow: names', () => {
  const phone = '+1 650 555 1234';

  it('takes one name column as it is', () => {
    const rows = plan([{ kind: 'phone' }, { kind: 'name' }]);
    expect(nameOf(buildRow([phone, 'Ana Lima'], `${phone},Ana Lima`, 1, 2, rows))).toBe('Ana Lima');
    expect(nameOf(buildRow([phone, ''], `${phone},`, 1, 2, rows))).toBeNull();
  });

  it('joins several name columns, leaving empty cells out', () => {
    const rows = plan([{ kind: 'name' }, { kind: 'phone' }, { kind: 'name' }]);
    expect(nameOf(buildRow(['Ana', phone, 'Lima'], '', 1, 2, rows))).toBe('Ana Lima');
    expect(nameOf(buildRow(['', phone, 'Lima'], '', 1, 2, rows))).toBe('Lima');
    expect(nameOf(buildRow(['', phone, ''], '', 1, 2, rows))).toBeNull();
  });

  it('rejects a name over the limit, one column or joined, with its length', () => {
    const max = CONTACT_LIMITS.name;
    const one = plan([{ kind: 'phone' }, { kind: 'name' }]);
    expect(rejectOf(buildRow([phone, 'x'.repeat(max + 1)], '', 1, 2, one))).toEqual({
      code: 'NAME_TOO_LONG',
      message: `The name is ${max + 1} characters long; at most ${max} are allowed`,
    });
    expect(nameOf(buildRow([phone, 'x'.repeat(max)], '', 1, 2, one))).toBe('x'.repeat(max));

    const two = plan([{ kind: 'phone' }, { kind: 'name' }, { kind: 'name' }]);
    const half = 'y'.repeat(max / 2);
    expect(nameOf(buildRow([phone, half, half.slice(1)], '', 1, 2, two))).toHaveLength(max);
    expect(rejectOf(buildRow([phone, half, half], '', 1, 2, two))).toEqual({
      code: 'NAME_TOO_LONG',
      message: `The name is ${max + 1} characters long; at most ${max} are allowed`,
    });
  });
});
