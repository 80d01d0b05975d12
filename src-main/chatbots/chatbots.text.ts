// Text handling for bot triggers and replies: the normal form keywords are compared in, the four keyword
// match modes, the guard that keeps a user's regex from freezing the main process, and the contact
// placeholders ({{name}}, {{phone}}, {{attribute.x}} with a `| fallback`). Pure: no I/O, no clock.

/**
 * Case- and accent-insensitive form (issue 9): Unicode NFD splits "é" into "e" + a combining mark, the
 * marks are dropped, then lower case; runs of whitespace become one space. "Ç", "ñ", "ã" and "İ" all reduce
 * to their base letter, so "Cancelación" and "cancelacion" compare equal.
 */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Punctuation and spaces around a whole message are noise for an exact match ("Menu!" is "menu"). */
export function stripOuterPunctuation(normalized: string): string {
  return normalized.replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
}

// Scripts written without spaces between words: there a keyword is found inside a run of letters, or
// "你好" could never match "你好吗".
const unspacedScript =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const letterOrDigit = /[\p{L}\p{N}]/u;

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && letterOrDigit.test(char) && !unspacedScript.test(char);
}

/**
 * True when `keyword` occurs in `text` at `index` as a whole word or phrase: a letter or digit on both
 * sides of an edge means it is part of a longer word ("hi" in "this", "price" in "pricey").
 */
function isWholeWordAt(text: string, keyword: string, index: number): boolean {
  const before = index > 0 ? text[index - 1] : undefined;
  const after = text[index + keyword.length];
  const first = keyword[0];
  const last = keyword[keyword.length - 1];
  return !(isWordChar(before) && isWordChar(first)) && !(isWordChar(after) && isWordChar(last));
}

export type KeywordMatchMode = 'exact' | 'contains' | 'starts_with' | 'regex';

/**
 * Why `contains` and `starts_with` match whole words: a business that adds the keyword "hi" expects
 * "hi there" to fire, not "this" or "shipping". Phrases ("opening hours") work the same way.
 * Both arguments are already in normal form (normalizeForMatch).
 */
export function keywordMatches(
  mode: Exclude<KeywordMatchMode, 'regex'>,
  normalizedText: string,
  normalizedKeyword: string,
): boolean {
  const text = stripOuterPunctuation(normalizedText);
  const keyword = stripOuterPunctuation(normalizedKeyword);
  if (keyword.length === 0) return false;
  switch (mode) {
    case 'exact':
      return text === keyword;
    case 'starts_with':
      return text.startsWith(keyword) && isWholeWordAt(text, keyword, 0);
    case 'contains': {
      for (let at = text.indexOf(keyword); at !== -1; at = text.indexOf(keyword, at + 1)) {
        if (isWholeWordAt(text, keyword, at)) return true;
      }
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Regex triggers. JavaScript cannot stop a running RegExp, so a pattern with catastrophic backtracking
// would freeze the main process (and every queue, webhook and window with it). No time budget is
// possible, so the danger is bounded when the pattern is saved:
// - exponential shapes are refused: a group holding a repetition or alternatives, repeated without bound
//   or many times, or holding an unbounded part itself: (a+)+, (a|aa)*, (a?){30}, (a+){2};
// - backreferences are refused;
// - polynomial shapes remain: each open-ended repetition (*, +, {n,}) that can overlap its neighbour
//   multiplies the work by the text length (measured: /\s*\s*\s*$/ on 300 spaces takes 12 s in V8). So a
//   pattern may hold at most 3 of them, and the more it holds the shorter the prefix of the message it
//   is run on (REGEX_INPUT_LIMITS), which keeps the worst case near 100 ms.

export const REGEX_MAX_PATTERN_LENGTH = 200;
/** Characters of the message a regex sees, by the number of open-ended repetitions in the pattern. */
export const REGEX_INPUT_LIMITS = [1024, 1024, 200, 80] as const;
const REGEX_MAX_OPEN_ENDED = REGEX_INPUT_LIMITS.length - 1;
/** A bounded repetition wider than this ({0,50}) costs like an open-ended one. */
const WIDE_BOUNDED_REPETITION = 10;
/** An ambiguous group, (foo|bar) or (a?), may repeat at most this many times: the work grows as 2^n. */
const MAX_AMBIGUOUS_GROUP_REPEATS = 3;

/** Flags every keyword regex runs with: `i` for case, `u` for strict syntax and Unicode case folding. */
export const REGEX_FLAGS = 'iu';

/** Accents are stripped from the pattern as they are from the text, so "café" matches "cafe" and "CAFÉ". */
export function normalizePattern(pattern: string): string {
  return pattern.normalize('NFD').replace(/\p{M}+/gu, '');
}

interface Frame {
  /** The group holds a quantifier with a variable count, or an alternation (|), at any depth. */
  ambiguous: boolean;
  /** The group holds an open-ended quantifier at any depth. */
  openEnded: boolean;
}

interface Quantifier {
  length: number;
  /** Lets the atom repeat more than once (*, +, {2}, {1,}, {0,5}). */
  repeats: boolean;
  /** The count is not fixed (*, +, ?, {1,3}). */
  variable: boolean;
  /** No useful upper bound: *, +, {n,} or a wide {n,m}. */
  openEnded: boolean;
  max: number;
}

function readQuantifier(source: string, at: number): Quantifier | null {
  const char = source[at];
  let length: number;
  let min: number;
  let max: number;
  if (char === '*' || char === '+' || char === '?') {
    length = 1;
    min = char === '+' ? 1 : 0;
    max = char === '?' ? 1 : Infinity;
  } else if (char === '{') {
    const braced = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
    if (!braced) return null;
    length = braced[0].length;
    min = Number(braced[1]);
    max = braced[2] === undefined ? min : braced[3] === '' ? Infinity : Number(braced[3]);
  } else {
    return null;
  }
  if (source[at + length] === '?') length += 1; // lazy: same backtracking risk
  return {
    length,
    repeats: max > 1,
    variable: min !== max,
    openEnded: max - min > WIDE_BOUNDED_REPETITION,
    max,
  };
}

export type RegexAnalysis = { ok: true; inputLimit: number } | { ok: false; problem: string };

/**
 * Checks a keyword pattern before it is saved. It must compile with REGEX_FLAGS, stay under
 * REGEX_MAX_PATTERN_LENGTH, and avoid the shapes above. Some harmless patterns such as (\d+,)* are refused
 * too: the message says how to rewrite them.
 */
export function analyzeRegex(pattern: string): RegexAnalysis {
  const refuse = (problem: string): RegexAnalysis => ({ ok: false, problem });
  if (pattern.length === 0) return refuse('Regular expression is empty.');
  if (pattern.length > REGEX_MAX_PATTERN_LENGTH) {
    return refuse(
      `Regular expression must be at most ${REGEX_MAX_PATTERN_LENGTH} characters (got ${pattern.length}).`,
    );
  }
  const source = normalizePattern(pattern);
  try {
    new RegExp(source, REGEX_FLAGS);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
    return refuse(`Regular expression /${pattern}/ is not valid: ${detail}.`);
  }

  const stack: Frame[] = [{ ambiguous: false, openEnded: false }];
  let lastGroup: Frame | null = null;
  let openEnded = 0;
  for (let i = 0; i < source.length;) {
    const char = source[i]!;
    const top = stack[stack.length - 1]!;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) {
        return refuse(
          `Regular expression /${pattern}/ uses a backreference (\\${next}); backreferences are not allowed in keyword rules.`,
        );
      }
      // \p{…} and \u{…}: their braces are not a quantifier.
      i += /[pPu]/.test(next) && source[i + 2] === '{' ? source.indexOf('}', i) + 1 - i : 2;
      lastGroup = null;
    } else if (char === '[') {
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
      lastGroup = null;
    } else if (char === '(') {
      stack.push({ ambiguous: false, openEnded: false });
      const named = /^\(\?<(?![=!])[^>]*>/.exec(source.slice(i));
      const special = /^\(\?(?::|=|!|<=|<!)/.exec(source.slice(i));
      i += named ? named[0].length : special ? special[0].length : 1;
      lastGroup = null;
    } else if (char === ')') {
      const closed = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      if (closed.ambiguous) parent.ambiguous = true;
      if (closed.openEnded) parent.openEnded = true;
      lastGroup = closed;
      i += 1;
    } else if (char === '|') {
      top.ambiguous = true;
      lastGroup = null;
      i += 1;
    } else {
      const quantifier = readQuantifier(source, i);
      if (quantifier) {
        // (foo|bar){2} is harmless: a few repeats of alternatives. Exponential work needs an ambiguous
        // group repeated many times or without bound, or holding an unbounded part: (a|aa)+, (a?){30},
        // (a+){2}.
        const unbounded =
          quantifier.openEnded ||
          quantifier.max > MAX_AMBIGUOUS_GROUP_REPEATS ||
          lastGroup?.openEnded === true;
        if (lastGroup?.ambiguous && quantifier.repeats && unbounded) {
          return refuse(
            `Regular expression /${pattern}/ repeats a group that itself contains a repetition or alternatives, ` +
              'like (a+)+ or (a|aa)*; such patterns can freeze the app on some messages. ' +
              'Rewrite it without the nesting, e.g. (a+)+ as a+.',
          );
        }
        if (quantifier.variable) top.ambiguous = true;
        if (quantifier.openEnded) {
          openEnded += 1;
          top.openEnded = true;
        }
        i += quantifier.length;
      } else {
        i += 1;
      }
      lastGroup = null;
    }
  }
  if (openEnded > REGEX_MAX_OPEN_ENDED) {
    return refuse(
      `Regular expression /${pattern}/ has ${openEnded} open-ended repetitions (*, + or {n,}); at most ` +
        `${REGEX_MAX_OPEN_ENDED} are allowed, because each one multiplies the work on long messages. ` +
        'Drop the ones that are not needed: a pattern matches anywhere in the message, so a leading or trailing .* or \\s* adds nothing.',
    );
  }
  return { ok: true, inputLimit: REGEX_INPUT_LIMITS[openEnded]! };
}

const compiled = new Map<string, { regex: RegExp; inputLimit: number }>();

/**
 * Runs a pattern against normalized text, on at most the pattern's input limit. A pattern that fails the
 * analysis never matches (it cannot have been saved; this guards rows written by other means).
 */
export function regexMatches(pattern: string, normalizedText: string): boolean {
  let entry = compiled.get(pattern);
  if (!entry) {
    const analysis = analyzeRegex(pattern);
    if (!analysis.ok) return false;
    entry = { regex: new RegExp(normalizePattern(pattern), REGEX_FLAGS), inputLimit: analysis.inputLimit };
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry.regex.test(normalizedText.slice(0, entry.inputLimit));
}

// ---------------------------------------------------------------------------------------------------
// Placeholders: {{name}}, {{phone}}, {{attribute.city}}, each with an optional fallback after a bar:
// {{name | there}}. A missing or empty value renders the fallback (or nothing).

const placeholderPattern = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

export interface PlaceholderContact {
  name: string | null;
  phone: string;
  attributes: Readonly<Record<string, unknown>>;
}

type PlaceholderRef = { kind: 'name' } | { kind: 'phone' } | { kind: 'attribute'; key: string };

function parseRef(token: string): PlaceholderRef | null {
  if (token === 'name') return { kind: 'name' };
  if (token === 'phone') return { kind: 'phone' };
  if (token.startsWith('attribute.') && token.length > 'attribute.'.length) {
    return { kind: 'attribute', key: token.slice('attribute.'.length) };
  }
  return null;
}

/** Problems with the placeholders in `text` (unknown names, braces left open), for save-time errors. */
export function placeholderProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(placeholderPattern)) {
    if (!parseRef(match[1]!)) {
      problems.push(
        `Unknown placeholder ${match[0]}: use {{name}}, {{phone}} or {{attribute.<key>}}, optionally with a fallback like {{name | there}}.`,
      );
    }
  }
  const rest = text.replace(placeholderPattern, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    problems.push('A placeholder is not closed: write it as {{name}}, {{phone}} or {{attribute.<key>}}.');
  }
  return problems;
}

function valueOf(ref: PlaceholderRef, contact: PlaceholderContact): string {
  switch (ref.kind) {
    case 'name':
      return contact.name?.trim() ?? '';
    case 'phone':
      return contact.phone;
    case 'attribute': {
      const value = contact.attributes[ref.key];
      if (typeof value === 'string') return value.trim();
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return '';
    }
  }
}

/** Fills the placeholders of an already validated text. */
export function renderPlaceholders(text: string, contact: PlaceholderContact): string {
  return text.replace(placeholderPattern, (whole, token: string, fallback: string | undefined) => {
    const ref = parseRef(token);
    if (!ref) return whole;
    const value = valueOf(ref, contact);
    return value !== '' ? value : (fallback ?? '');
  });
}
