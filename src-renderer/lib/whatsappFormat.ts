// WhatsApp's text formatting (*bold*, _italic_, ~strike~, ```mono```) parsed into a tree that React
// renders as elements, so customer and template text is never turned into HTML. The rules follow
// WhatsApp's own: a marker opens only at the start or after a non-word character and must be followed by
// a non-space; it closes only after a non-space and before the end or a non-word character. Monospace
// content is literal (no formatting inside it).

export type FormatKind = 'bold' | 'italic' | 'strike' | 'mono';

export type FormatNode = string | { kind: FormatKind; children: FormatNode[] };

const markers: { marker: string; kind: FormatKind }[] = [
  { marker: '```', kind: 'mono' },
  { marker: '*', kind: 'bold' },
  { marker: '_', kind: 'italic' },
  { marker: '~', kind: 'strike' },
];

const wordChar = /[\p{L}\p{N}]/u;

function isBoundary(char: string | undefined): boolean {
  return char === undefined || !wordChar.test(char);
}

function isSpace(char: string | undefined): boolean {
  return char === undefined || /\s/.test(char);
}

/** The index of the closing marker for an opener at `start`, or -1. */
function findClose(text: string, start: number, marker: string): number {
  const contentStart = start + marker.length;
  if (isSpace(text[contentStart])) return -1;
  let at = text.indexOf(marker, contentStart + 1);
  while (at !== -1) {
    if (!isSpace(text[at - 1]) && isBoundary(text[at + marker.length])) return at;
    at = text.indexOf(marker, at + 1);
  }
  return -1;
}

export function parseWhatsAppFormatting(text: string): FormatNode[] {
  const nodes: FormatNode[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const found = isBoundary(text[i - 1])
      ? markers.find(({ marker }) => text.startsWith(marker, i))
      : undefined;
    const close = found ? findClose(text, i, found.marker) : -1;
    if (!found || close === -1) {
      plain += text[i] ?? '';
      i += 1;
      continue;
    }
    if (plain) nodes.push(plain);
    plain = '';
    const inner = text.slice(i + found.marker.length, close);
    nodes.push({
      kind: found.kind,
      children: found.kind === 'mono' ? [inner] : parseWhatsAppFormatting(inner),
    });
    i = close + found.marker.length;
  }
  if (plain) nodes.push(plain);
  return nodes;
}
