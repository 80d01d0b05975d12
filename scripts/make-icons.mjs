// Draws the Bellhop icon (build/icon.svg: a hotel service bell on a green tile) into the PNGs
// electron-builder packages: build/icon.png (1024 px; electron-builder derives the macOS .icns and the
// Windows .ico from it) and build/icons/<N>x<N>.png for Linux. No image tool is needed (none is
// installed here): the shapes are rasterised in plain JS with 4x4 supersampling and written as PNG with
// node:zlib. Run `node scripts/make-icons.mjs` after changing the design and commit the PNGs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const build = join(dirname(fileURLToPath(import.meta.url)), '..', 'build');
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const brass = hex('#f5c542');
const dark = hex('#8a6a08');
const shine = hex('#fffbe8');
const base = hex('#0b5e32');
const tileTop = hex('#2fd07a');
const tileBottom = hex('#128c4b');

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
const inEllipse = (x, y, cx, cy, rx, ry) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

/** The colour at a point of the 1024-unit design, or null for transparent. Later shapes paint over earlier. */
function colourAt(x, y) {
  let colour = null;
  if (inRoundRect(x, y, 64, 64, 960, 960, 200)) {
    const t = (y - 64) / 896;
    colour = tileTop.map((c, i) => Math.round(c + (tileBottom[i] - c) * t));
  }
  if (x >= 482 && x <= 542 && y >= 250 && y <= 320) colour = dark;
  if (inEllipse(x, y, 512, 240, 45, 45)) colour = inEllipse(x, y, 512, 240, 35, 35) ? brass : dark;
  if (y <= 650 && inEllipse(x, y, 512, 650, 287, 327)) {
    colour = inEllipse(x, y, 512, 650, 273, 313) ? brass : dark;
    // The highlight: a band of a smaller ellipse on the upper left of the dome.
    const angle = Math.atan2(y - 650, x - 512);
    if (
      !inEllipse(x, y, 512, 650, 200, 240) &&
      inEllipse(x, y, 512, 650, 224, 264) &&
      angle > -2.6 &&
      angle < -2.0
    )
      colour = shine;
  }
  if (inRoundRect(x, y, 183, 633, 841, 703, 35))
    colour = inRoundRect(x, y, 197, 647, 827, 689, 21) ? brass : dark;
  if (inRoundRect(x, y, 250, 708, 774, 778, 20)) colour = base;
  return colour;
}

function render(size) {
  const samples = 4;
  const scale = 1024 / size;
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    rows[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      const o = row + 1 + px * 4;
      // Colour averaged over covered samples (no dark fringes), coverage as alpha.
      rows[o] = a ? Math.round(r / a) : 0;
      rows[o + 1] = a ? Math.round(g / a) : 0;
      rows[o + 2] = a ? Math.round(b / a) : 0;
      rows[o + 3] = Math.round((255 * a) / (samples * samples));
    }
  }
  return png(size, size, rows);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(width, height, rows) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(join(build, 'icons'), { recursive: true });
for (const size of sizes) writeFileSync(join(build, 'icons', `${size}x${size}.png`), render(size));
writeFileSync(join(build, 'icon.png'), render(1024));
process.stdout.write(`Rendered ${sizes.length + 1} icons into ${build}\n`);
