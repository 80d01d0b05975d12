// Keyword matching (modes, case, accents), the regex guard and contact placeholders.
import { describe, expect, it } from 'vitest';
import {
  analyzeRegex,
  keywordMatches,
  normalizeForMatch,
  placeholderProblems,
  regexMatches,
  renderPlaceholders,
  REGEX_INPUT_LIMITS,
} from '../../src-main/chatbots/chatbots.text';

const matches = (mode: 'exact' | 'contains' | 'starts_with', text: string, keyword: string): boolean =>
  keywordMatches(mode, normalizeForMatch(text), normalizeForMatch(keyword));

describe('normalizeForMatch', () => {
  it('folds case and strips accents through NFD, in precomposed and decomposed input alike', () => {
    expect(normalizeForMatch('CANCELACIÓN')).toBe('cancelacion');
    expect(normalizeForMatch('Ca\u0301fe\u0301')).toBe('cafe');
    expect(normalizeForMatch('Çà Ñandú São Paulo İstanbul')).toBe('ca nandu sao paulo istanbul');
    expect(normalizeForMatch('  hello \n\t world  ')).toBe('hello world');
  });
});

describe('keyword match modes', () => {
  it('exact: the whole message, ignoring case, accents and surrounding punctuation', () => {
    expect(matches('exact', 'Menu', 'menu')).toBe(true);
    expect(matches('exact', '  MENÚ!! ', 'menu')).toBe(true);
    expect(matches('exact', '¿menú?', 'Menú')).toBe(true);
    expect(matches('exact', 'the menu', 'menu')).toBe(false);
    expect(matches('exact', 'menus', 'menu')).toBe(false);
  });

  it('contains: a whole word or phrase anywhere, not a piece of a longer word', () => {
    expect(matches('contains', "What's the PRICE?", 'price')).toBe(true);
    expect(matches('contains', 'horário de atendimento?', 'Horario de Atendimento')).toBe(true);
    expect(matches('contains', 'hi there', 'hi')).toBe(true);
    expect(matches('contains', 'this is shipping', 'hi')).toBe(false);
    expect(matches('contains', 'pricey', 'price')).toBe(false);
    expect(matches('contains', 'price-list please', 'price')).toBe(true);
    // A second occurrence counts when the first is inside a word.
    expect(matches('contains', 'this, hi', 'hi')).toBe(true);
  });

  it('contains: scripts without spaces still match inside a run of letters', () => {
    expect(matches('contains', '你好吗', '你好')).toBe(true);
    expect(matches('contains', 'สวัสดีครับ', 'สวัสดี')).toBe(true);
  });

  it('starts_with: the message begins with the word or phrase', () => {
    expect(matches('starts_with', 'Order #123 status', 'order')).toBe(true);
    expect(matches('starts_with', 'ÓRDER 5', 'order')).toBe(true);
    expect(matches('starts_with', 'my order', 'order')).toBe(false);
    expect(matches('starts_with', 'orders', 'order')).toBe(false);
    expect(matches('starts_with', '...order now', 'order')).toBe(true);
  });

  it('a keyword that is only punctuation never matches', () => {
    expect(matches('exact', '!!!', '!!!')).toBe(false);
    expect(matches('contains', 'hello ?', '?')).toBe(false);
  });

  it('emoji keywords match', () => {
    expect(matches('exact', '👍', '👍')).toBe(true);
    expect(matches('contains', 'great 👍 thanks', '👍')).toBe(true);
  });
});

describe('regex keywords', () => {
  it('match case- and accent-insensitively, also when the pattern has accents', () => {
    expect(regexMatches('^pedido\\s*#?\\d+', normalizeForMatch('PEDIDO #123'))).toBe(true);
    expect(regexMatches('caf[eé]', normalizeForMatch('CAFÉ please'))).toBe(true);
    expect(regexMatches('café', normalizeForMatch('cafe'))).toBe(true);
    expect(regexMatches('\\bpre(ç|c)o\\b', normalizeForMatch('Qual o PREÇO?'))).toBe(true);
    expect(regexMatches('^\\d{5}$', normalizeForMatch('1234'))).toBe(false);
  });

  it('accepts ordinary patterns and says how much of the message each one reads', () => {
    expect(analyzeRegex('(foo|bar)')).toEqual({ ok: true, inputLimit: 1024 });
    expect(analyzeRegex('^(?:ab)+$')).toEqual({ ok: true, inputLimit: 1024 });
    expect(analyzeRegex('\\p{L}{2,}')).toEqual({ ok: true, inputLimit: 1024 });
    expect(analyzeRegex('(foo|bar){2}')).toEqual({ ok: true, inputLimit: 1024 });
    expect(analyzeRegex('[(+*]+x')).toEqual({ ok: true, inputLimit: 1024 });
    expect(analyzeRegex('\\d+-\\d+')).toEqual({ ok: true, inputLimit: REGEX_INPUT_LIMITS[2] });
    expect(analyzeRegex('order\\s*#?\\s*\\d+')).toEqual({ ok: true, inputLimit: REGEX_INPUT_LIMITS[3] });
  });

  it('refuses nested and alternated repetition with a clear message', () => {
    const nested =
      'repeats a group that itself contains a repetition or alternatives, like (a+)+ or (a|aa)*; such patterns ' +
      'can freeze the app on some messages. Rewrite it without the nesting, e.g. (a+)+ as a+.';
    for (const pattern of [
      '(a+)+',
      '(a*)*',
      '(\\w+\\s?)+$',
      '(a|aa)+',
      '(?:x+y?)*',
      '(a+){2}',
      '(a?){30}',
      '((a|b)c)+',
    ]) {
      expect(analyzeRegex(pattern)).toEqual({
        ok: false,
        problem: `Regular expression /${pattern}/ ${nested}`,
      });
    }
  });

  it('refuses backreferences, invalid syntax, empty and over-long patterns', () => {
    expect(analyzeRegex('(a)\\1')).toEqual({
      ok: false,
      problem:
        'Regular expression /(a)\\1/ uses a backreference (\\1); backreferences are not allowed in keyword rules.',
    });
    expect(analyzeRegex('(?<x>a)\\k<x>')).toEqual({
      ok: false,
      problem:
        'Regular expression /(?<x>a)\\k<x>/ uses a backreference (\\k); backreferences are not allowed in keyword rules.',
    });
    expect(analyzeRegex('(')).toEqual({
      ok: false,
      problem: 'Regular expression /(/ is not valid: /(/iu: Unterminated group.',
    });
    expect(analyzeRegex('')).toEqual({ ok: false, problem: 'Regular expression is empty.' });
    expect(analyzeRegex('a'.repeat(201))).toEqual({
      ok: false,
      problem: 'Regular expression must be at most 200 characters (got 201).',
    });
  });

  it('refuses more than 3 open-ended repetitions, which blow up polynomially', () => {
    expect(analyzeRegex('\\s*\\s*\\s*\\s*$')).toEqual({
      ok: false,
      problem:
        'Regular expression /\\s*\\s*\\s*\\s*$/ has 4 open-ended repetitions (*, + or {n,}); at most 3 are allowed, ' +
        'because each one multiplies the work on long messages. Drop the ones that are not needed: a pattern matches ' +
        'anywhere in the message, so a leading or trailing .* or \\s* adds nothing.',
    });
    expect(analyzeRegex('a{0,50}b{0,50}c{0,50}d{0,50}')).toMatchObject({ ok: false });
  });

  it('reads only the first characters of a long message, fewer the more open-ended the pattern', () => {
    const tail = (limit: number): string => `${'x'.repeat(limit)}needle`;
    expect(regexMatches('needle', tail(REGEX_INPUT_LIMITS[0] - 6))).toBe(true);
    expect(regexMatches('needle', tail(REGEX_INPUT_LIMITS[0]))).toBe(false);
    expect(regexMatches('x+y+needle', `xy${'z'.repeat(REGEX_INPUT_LIMITS[2])}needle`)).toBe(false);
    expect(regexMatches('x+y+needle', 'xyneedle')).toBe(true);
  });

  it('a pattern that would be refused never matches, even if it reached the engine', () => {
    expect(regexMatches('(a+)+$', 'aaaa')).toBe(false);
  });
});

describe('placeholders', () => {
  const contact = {
    name: 'Ana',
    phone: '+5511987654321',
    attributes: { city: 'Recife', vip: true, points: 120, empty: '  ', nested: { a: 1 } },
  };

  it('renders name, phone and attributes', () => {
    expect(renderPlaceholders('Hi {{name}} ({{phone}}) from {{attribute.city}}', contact)).toBe(
      'Hi Ana (+5511987654321) from Recife',
    );
    expect(renderPlaceholders('{{ attribute.points }} pts, vip={{attribute.vip}}', contact)).toBe(
      '120 pts, vip=true',
    );
  });

  it('uses the fallback when the value is missing, empty or not a plain value', () => {
    const nameless = { ...contact, name: null };
    expect(renderPlaceholders('Hi {{name | there}}!', nameless)).toBe('Hi there!');
    expect(renderPlaceholders('Hi {{name|}}!', nameless)).toBe('Hi !');
    expect(renderPlaceholders('Hi {{name}}!', nameless)).toBe('Hi !');
    expect(renderPlaceholders('{{attribute.empty | none}}', contact)).toBe('none');
    expect(renderPlaceholders('{{attribute.nested | n/a}}', contact)).toBe('n/a');
    expect(renderPlaceholders('{{attribute.missing | your city}}', contact)).toBe('your city');
    expect(renderPlaceholders('Hi {{name | there}}', contact)).toBe('Hi Ana');
  });

  it('reports unknown and unclosed placeholders', () => {
    expect(placeholderProblems('Hi {{name}} {{attribute.city | x}}')).toEqual([]);
    expect(placeholderProblems('Hi {{first_name}}')).toEqual([
      'Unknown placeholder {{first_name}}: use {{name}}, {{phone}} or {{attribute.<key>}}, optionally with a fallback like {{name | there}}.',
    ]);
    expect(placeholderProblems('Hi {{name')).toEqual([
      'A placeholder is not closed: write it as {{name}}, {{phone}} or {{attribute.<key>}}.',
    ]);
    expect(placeholderProblems('{{attribute.}}')).toHaveLength(1);
  });
});
