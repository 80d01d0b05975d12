// A lean re-statement of libphonenumber-js's `parsePhoneNumberFromString(text, defaultCountry)` followed
// by `.isValid()`, for the input shapes that make up almost every spreadsheet cell: digits with the usual
// punctuation, optionally starting with '+'. Anything else (letters, extensions, IDD prefixes, other
// scripts' digits) returns undefined and the caller asks libphonenumber-js itself.
//
// Why: upstream compiles a RegExp on every pattern check and spends ~30 µs per number; the import must
// run at >= 120,000 rows/s. Each step below names the upstream function it mirrors (libphonenumber-js
// source/…); test/unit/contacts.fastE164.test.ts pins the two to the same answers on generated inputs
// for every country, so a libphonenumber-js upgrade that changes behaviour fails the tests, not users.
import {
  callingCodePlan,
  countriesForCallingCode,
  countryPlan,
  type NumberingPlan,
  type PhoneType,
} from './libphonenumberPlans';

export type FastParse =
  | { valid: true; e164: string; callingCode: string; nationalNumber: string }
  | { valid: false; callingCode?: string; nationalNumber?: string };

const MAX_FAST_INPUT = 64;
const MIN_FAST_DIGITS = 5;
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

const NON_FIXED_LINE_TYPES: readonly PhoneType[] = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];

/**
 * Canonical digits of `text` if it is made only of ASCII digits, one leading '+', and punctuation that
 * libphonenumber-js strips without meaning (space, NBSP, - . ( ) /). Otherwise undefined.
 */
function canonicalDigits(text: string): { plus: boolean; digits: string } | undefined {
  if (text.length > MAX_FAST_INPUT) return undefined;
  let digits = '';
  let plus = false;
  let started = false;
  // Start of the current run of digits (-1: none). Runs are sliced whole, not appended a character at a
  // time; a cell of digits only is the text itself.
  let run = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (run < 0) run = i;
      started = true;
      continue;
    }
    if (run >= 0) {
      digits += text.slice(run, i);
      run = -1;
    }
    if (c === 43 /* + */) {
      // upstream keeps a '+' only as the first character of the extracted number
      if (started) return undefined;
      plus = true;
      started = true;
    } else if (c !== 32 && c !== 0xa0 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 47) {
      return undefined;
    }
  }
  if (run >= 0) digits += run === 0 ? text : text.slice(run);
  if (digits.length < MIN_FAST_DIGITS) return undefined;
  return { plus, digits };
}

/** helpers/matchesEntirely.js with a precompiled ^(?:…)$ pattern. */
function isNumberTypeEqualTo(nationalNumber: string, type: PhoneType, plan: NumberingPlan): boolean {
  const definition = plan.types.get(type);
  if (!definition || !definition.pattern) return false;
  const lengths = definition.possibleLengths ?? plan.possibleLengths;
  if (lengths && lengths.indexOf(nationalNumber.length) < 0) return false;
  return definition.pattern.test(nationalNumber);
}

/** helpers/getNumberType.js: true when the number has any type in the plan. */
function numberHasType(nationalNumber: string, plan: NumberingPlan): boolean {
  if (!plan.nationalNumber.test(nationalNumber)) return false;
  if (isNumberTypeEqualTo(nationalNumber, 'FIXED_LINE', plan)) return true;
  for (const type of NON_FIXED_LINE_TYPES) {
    if (isNumberTypeEqualTo(nationalNumber, type, plan)) return true;
  }
  return false;
}

// The last answer of numberHasType. A number of a shared calling code (+1, +7, +44 …) is typed once to
// find its country and then again, with the same plan, to validate it; the second call gets this answer.
// Same inputs, same answer: the function is pure.
let lastTyped: { nationalNumber: string; plan: NumberingPlan; result: boolean } | undefined;

function hasNumberType(nationalNumber: string, plan: NumberingPlan): boolean {
  if (lastTyped && lastTyped.nationalNumber === nationalNumber && lastTyped.plan === plan)
    return lastTyped.result;
  const result = numberHasType(nationalNumber, plan);
  lastTyped = { nationalNumber, plan, result };
  return result;
}

/** helpers/getCountryByCallingCode.js + getCountryByNationalNumber.js */
function countryByCallingCode(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesForCallingCode(callingCode);
  if (!countries) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = countryPlan(country);
    if (plan.leadingDigits) {
      if (nationalNumber && plan.leadingDigits.test(nationalNumber)) return country;
    } else if (hasNumberType(nationalNumber, plan)) {
      return country;
    }
  }
  return undefined;
}

// The national-number lengths any plan that can validate a number of a calling code accepts: isValid
// (numberHasType below) types a number only at one of its type's possible lengths (or the plan's), so a
// number of another length is invalid whatever country the calling code's countries would assign it —
// which saves the search through them (+1 has 25) for numbers that cannot be valid anyway, such as a
// Brazilian number without '+' first read as a US one. null: some plan leaves the length open.
const validLengthsByCallingCode = new Map<string, ReadonlySet<number> | null>();

function collectValidLengths(callingCode: string): ReadonlySet<number> | null {
  const plans: NumberingPlan[] = [];
  const main = callingCodePlan(callingCode);
  if (main) plans.push(main);
  for (const country of countriesForCallingCode(callingCode) ?? []) plans.push(countryPlan(country));
  const lengths = new Set<number>();
  for (const plan of plans) {
    if (!plan.hasTypes) return null;
    for (const type of ['FIXED_LINE' as const, ...NON_FIXED_LINE_TYPES]) {
      const definition = plan.types.get(type);
      if (!definition || !definition.pattern) continue;
      const possible = definition.possibleLengths ?? plan.possibleLengths;
      if (!possible) return null;
      for (const length of possible) lengths.add(length);
    }
  }
  return lengths;
}

function validLengths(callingCode: string): ReadonlySet<number> | null {
  let lengths = validLengthsByCallingCode.get(callingCode);
  if (lengths === undefined) {
    lengths = collectValidLengths(callingCode);
    validLengthsByCallingCode.set(callingCode, lengths);
  }
  return lengths;
}

/** helpers/checkNumberLength.js (no type): only the outcomes extractNationalNumber cares about. */
function lengthVerdict(
  nationalNumber: string,
  plan: NumberingPlan,
): 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' {
  const lengths = plan.possibleLengths;
  if (!lengths || lengths.length === 0) return 'IS_POSSIBLE';
  const length = nationalNumber.length;
  const minimum = lengths[0] as number;
  if (minimum === length) return 'IS_POSSIBLE';
  if (minimum > length) return 'TOO_SHORT';
  if ((lengths[lengths.length - 1] as number) < length) return 'TOO_LONG';
  return lengths.indexOf(length, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** helpers/extractNationalNumberFromPossiblyIncompleteNumber.js (national number only). */
function stripNationalPrefix(number: string, plan: NumberingPlan): string {
  if (!number || !plan.prefixForParsing) return number;
  const match = plan.prefixForParsing.exec(number);
  if (!match) return number;
  const groups = match.length - 1;
  const hasCapturedGroups = groups > 0 && Boolean(match[groups]);
  if (plan.transformRule && hasCapturedGroups)
    return number.replace(plan.prefixForParsing, plan.transformRule);
  return number.slice(match[0].length);
}

/** helpers/extractNationalNumber.js */
function extractNationalNumber(number: string, plan: NumberingPlan): string {
  const nationalNumber = stripNationalPrefix(number, plan);
  if (nationalNumber === number) return number;
  // shouldHaveExtractedNationalPrefix
  if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(nationalNumber)) return number;
  if (plan.possibleLengths) {
    const country = countryByCallingCode(plan.callingCode, nationalNumber);
    const verdict = lengthVerdict(nationalNumber, country ? countryPlan(country) : plan);
    if (verdict === 'TOO_SHORT' || verdict === 'INVALID_LENGTH') return number;
  }
  return nationalNumber;
}

/** helpers/extractCountryCallingCodeFromInternationalNumberWithoutPlusSign.js */
function callingCodeWithoutPlus(digits: string, defaultCountry: string): string | undefined {
  const plan = countryPlan(defaultCountry);
  const callingCode = plan.callingCode;
  if (!digits.startsWith(callingCode)) return undefined;
  const shorter = extractNationalNumber(digits.slice(callingCode.length), plan);
  const full = extractNationalNumber(digits, plan);
  if (
    (!plan.nationalNumber.test(full) && plan.nationalNumber.test(shorter)) ||
    lengthVerdict(full, plan) === 'TOO_LONG'
  ) {
    return callingCode;
  }
  return undefined;
}

/**
 * Same answer as `parsePhoneNumberFromString(text, defaultCountry)?.isValid()` (and the same E.164),
 * or undefined when the input is outside the shapes this function re-states.
 * `defaultCountry` must be a supported ISO country or undefined.
 */
export function fastParseE164(text: string, defaultCountry: string | undefined): FastParse | undefined {
  const canonical = canonicalDigits(text);
  if (!canonical) return undefined;
  const { digits } = canonical;

  let callingCode: string | undefined;
  let number: string;
  let plan: NumberingPlan;
  let country: string | undefined;

  if (canonical.plus) {
    // helpers/extractCountryCallingCode.js, the '+' branch
    if (digits[0] === '0') return undefined;
    let found: NumberingPlan | undefined;
    for (let i = 1; i <= MAX_LENGTH_COUNTRY_CODE && i <= digits.length; i++) {
      found = callingCodePlan(digits.slice(0, i));
      if (found) {
        callingCode = digits.slice(0, i);
        break;
      }
    }
    if (!found || callingCode === undefined) return undefined;
    number = digits.slice(callingCode.length);
    plan = found;
  } else {
    if (!defaultCountry) return undefined;
    const defaultPlan = countryPlan(defaultCountry);
    // helpers/stripIddPrefix.js: numbers dialled with an international prefix go upstream
    if (defaultPlan.idd && defaultPlan.idd.test(digits)) return undefined;
    callingCode = callingCodeWithoutPlus(digits, defaultCountry);
    if (callingCode !== undefined) {
      number = digits.slice(callingCode.length);
      const selected = callingCodePlan(callingCode);
      if (!selected) return undefined;
      plan = selected;
    } else {
      country = defaultCountry;
      plan = defaultPlan;
      callingCode = defaultPlan.callingCode;
      number = digits;
    }
  }
  if (!number) return { valid: false, callingCode };

  // parse.js parsePhoneNumber(): national number, then the exact country for shared calling codes
  const nationalNumber = extractNationalNumber(number, plan);
  const lengths = validLengths(callingCode);
  if (lengths && !lengths.has(nationalNumber.length)) return { valid: false, callingCode, nationalNumber };
  const exactCountry = countryByCallingCode(callingCode, nationalNumber);
  if (exactCountry) country = exactCountry;
  if (nationalNumber.length < MIN_LENGTH_FOR_NSN || nationalNumber.length > MAX_LENGTH_FOR_NSN) {
    return { valid: false, callingCode, nationalNumber };
  }

  // isValid.js
  const validationPlan = country ? countryPlan(country) : callingCodePlan(callingCode);
  if (!validationPlan) return undefined;
  const valid = validationPlan.hasTypes
    ? hasNumberType(nationalNumber, validationPlan)
    : validationPlan.nationalNumber.test(nationalNumber);
  return valid
    ? { valid: true, e164: '+' + callingCode + nationalNumber, callingCode, nationalNumber }
    : { valid: false, callingCode, nationalNumber };
}
