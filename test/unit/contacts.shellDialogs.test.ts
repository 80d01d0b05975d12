// The desktop shell's dialog options and drag icon (host/shellDialogs.ts), as Electron receives them.
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DRAG_ICON_DATA_URL,
  importFileDialogOptions,
  saveFileDialogOptions,
} from '../../src-main/host/shellDialogs';

describe('desktop shell dialogs', () => {
  it('opens one file, CSV-like first, any file allowed', () => {
    const options = importFileDialogOptions();
    expect(options.properties).toEqual(['openFile']);
    expect(options.filters[0]?.extensions).toEqual(['csv', 'tsv', 'txt']);
    expect(options.filters.at(-1)?.extensions).toEqual(['*']);
  });

  it('proposes the file’s own name in the given folder, with anything path-like made harmless', () => {
    const folder = join('home', 'ana', 'Downloads');
    expect(saveFileDialogOptions('contacts-ws1-20261128-101010-123-abcd1234.csv', folder)).toMatchObject({
      defaultPath: join(folder, 'contacts-ws1-20261128-101010-123-abcd1234.csv'),
      filters: [{ extensions: ['csv'] }],
    });
    const odd = saveFileDialogOptions('../x/..\\y:z?.csv', folder);
    expect(odd.defaultPath).toBe(join(folder, '.._x_.._y_z_.csv'));
    expect(odd.properties).toContain('showOverwriteConfirmation');
  });

  it('drags with a real 16×16 PNG (macOS refuses a drag without an image)', () => {
    const [head, base64] = DRAG_ICON_DATA_URL.split(',');
    expect(head).toBe('data:image/png;base64');
    const png = Buffer.from(base64 as string, 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.readUInt32BE(16)).toBe(16);
    expect(png.readUInt32BE(20)).toBe(16);
    // IDAT inflates to 16 rows of a filter byte plus 16 RGBA pixels.
    const idat = png.indexOf('IDAT');
    const length = png.readUInt32BE(idat - 4);
    expect(inflateSync(png.subarray(idat + 4, idat + 4 + length))).toHaveLength(16 * (1 + 16 * 4));
  });
});
