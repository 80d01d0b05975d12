// Picks the field delimiter from the first lines of a file: the candidate that appears the same number
// of times (outside quotes) on the most lines. Excel writes ';' where the decimal mark is ',', and tab
// for "Unicode text"; a single-column file has none, and then ',' is as good as any.

export const delimiters = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof delimiters)[number];

export function isDelimiter(value: string): value is Delimiter {
  return (delimiters as readonly string[]).includes(value);
}

/** Counts of each candidate per line, outside double quotes, over at most `maxLines` lines. */
function countsPerLine(text: string, maxLines: number): Map<Delimiter, number[]> {
  const counts = new Map<Delimiter, number[]>(delimiters.map((d) => [d, []]));
  let current = new Map<Delimiter, number>(delimiters.map((d) => [d, 0]));
  let inQuotes = false;
  let lines = 0;
  const flush = (): void => {
    for (const d of delimiters) counts.get(d)?.push(current.get(d) ?? 0);
    current = new Map<Delimiter, number>(delimiters.map((d) => [d, 0]));
    lines++;
  };
  for (let i = 0; i < text.length && lines < maxLines; i++) {
    const c = text[i] as string;
    if (c === '"') {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (c === '\n' || c === '\r')) {
      if (c === '\r' && text[i + 1] === '\n') i++;
      flush();
    } else if (!inQuotes && isDelimiter(c)) {
      current.set(c, (current.get(c) ?? 0) + 1);
    }
  }
  // The last line counts only if it is complete or the sample is the whole file; callers pass whole lines.
  if (lines < maxLines && [...current.values()].some((n) => n > 0)) flush();
  return counts;
}

export function detectDelimiter(sample: string, maxLines = 50): Delimiter {
  const counts = countsPerLine(sample, maxLines);
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const d of delimiters) {
    const perLine = counts.get(d) ?? [];
    if (perLine.length === 0) continue;
    const frequency = new Map<number, number>();
    for (const n of perLine) if (n > 0) frequency.set(n, (frequency.get(n) ?? 0) + 1);
    let modeLines = 0;
    for (const lines of frequency.values()) modeLines = Math.max(modeLines, lines);
    // Consistency first (lines agreeing on a non-zero count), then how often the character occurs at all.
    const total = perLine.reduce((a, b) => a + b, 0);
    const score = modeLines * 1_000_000 + total;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}
