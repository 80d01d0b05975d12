// libphonenumber-js's numbering plans, read once through its own Metadata class and held with their
// regular expressions compiled once. libphonenumber-js builds `new RegExp(pattern)` on every check
// (helpers/matchesEntirely.js), which is most of its ~30 µs per parse; fastE164.ts re-states its parse
// and isValid steps over these plans so a million-row import does not pay that per row.
//
// libphonenumber-js loads on the first phone number, not with the app: its ~100 module files and the
// max metadata cost the host's start-up about 50 ms of CPU that no first paint needs.
import { createRequire } from 'node:module';
import type * as LibphonenumberCore from 'libphonenumber-js/core';
import type { MetadataJson } from 'libphonenumber-js/core';

// dirname(__filename)-style: __filename, not import.meta, so the same code runs bundled (CJS) and in tsx.
const requireHere = createRequire(__filename);
let core: typeof LibphonenumberCore | undefined;
let metadataJson: MetadataJson | undefined;

/** libphonenumber-js/core, loaded on first use. */
export function libphonenumber(): typeof LibphonenumberCore {
  return (core ??= requireHere('libphonenumber-js/core') as typeof LibphonenumberCore);
}

/** The max metadata (every number type, needed for isValid() and the type checks), loaded on first use. */
export function maxMetadata(): MetadataJson {
  return (metadataJson ??= requireHere('libphonenumber-js/metadata.max.json') as MetadataJson);
}

/** The accessors of libphonenumber-js's Metadata class this module relies on (typed loosely upstream). */
interface LpType {
  pattern(): string | undefined;
  possibleLengths(): number[] | undefined;
}
interface LpNumberingPlan {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(type: PhoneType): LpType | undefined;
}
interface LpMetadata {
  numberingPlan: LpNumberingPlan | undefined;
  selectNumberingPlan(countryOrCallingCode: string): LpMetadata;
  hasCountry(country: string): boolean;
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  getCountries(): string[];
}

export type PhoneType =
  | 'FIXED_LINE'
  | 'MOBILE'
  | 'TOLL_FREE'
  | 'PREMIUM_RATE'
  | 'PERSONAL_NUMBER'
  | 'VOICEMAIL'
  | 'UAN'
  | 'PAGER'
  | 'VOIP'
  | 'SHARED_COST';

export interface TypePlan {
  /** undefined when the metadata gives the type an empty pattern. */
  pattern: RegExp | undefined;
  patternIsEmpty: boolean;
  possibleLengths: readonly number[] | undefined;
}

export interface NumberingPlan {
  callingCode: string;
  /** ^(?:IDD)$-free: anchored at the start only, as `number.search(IDD) === 0` upstream. */
  idd: RegExp | undefined;
  /** ^(?:national number pattern)$ */
  nationalNumber: RegExp;
  possibleLengths: readonly number[] | undefined;
  /** ^(?:national prefix for parsing), unanchored at the end as upstream. */
  prefixForParsing: RegExp | undefined;
  transformRule: string | undefined;
  /** ^(?:leading digits): upstream tests `search(...) === 0`, which is a match at position 0. */
  leadingDigits: RegExp | undefined;
  hasTypes: boolean;
  types: ReadonlyMap<PhoneType, TypePlan>;
}

const allTypes: readonly PhoneType[] = [
  'FIXED_LINE',
  'MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'PERSONAL_NUMBER',
  'VOICEMAIL',
  'UAN',
  'PAGER',
  'VOIP',
  'SHARED_COST',
];

let metadataOrUndefined: LpMetadata | undefined;
function metadata(): LpMetadata {
  return (metadataOrUndefined ??= new (libphonenumber().Metadata)(maxMetadata()) as unknown as LpMetadata);
}

function compile(plan: LpNumberingPlan): NumberingPlan {
  const types = new Map<PhoneType, TypePlan>();
  if (plan.hasTypes()) {
    for (const type of allTypes) {
      const definition = plan.type(type);
      if (!definition) continue;
      const pattern = definition.pattern() ?? '';
      types.set(type, {
        pattern: pattern ? new RegExp('^(?:' + pattern + ')$') : undefined,
        patternIsEmpty: pattern === '',
        possibleLengths: definition.possibleLengths(),
      });
    }
  }
  const idd = plan.IDDPrefix();
  const prefixForParsing = plan.nationalPrefixForParsing();
  const leadingDigits = plan.leadingDigits();
  return {
    callingCode: plan.callingCode(),
    idd: idd ? new RegExp('^(?:' + idd + ')') : undefined,
    nationalNumber: new RegExp('^(?:' + plan.nationalNumberPattern() + ')$'),
    possibleLengths: plan.possibleLengths(),
    prefixForParsing: prefixForParsing ? new RegExp('^(?:' + prefixForParsing + ')') : undefined,
    transformRule: plan.nationalPrefixTransformRule(),
    leadingDigits: leadingDigits ? new RegExp('^(?:' + leadingDigits + ')') : undefined,
    hasTypes: plan.hasTypes(),
    types,
  };
}

const byCountry = new Map<string, NumberingPlan>();
const byCallingCode = new Map<string, NumberingPlan | null>();
const countriesByCallingCode = new Map<string, readonly string[] | null>();

export function isSupportedCountry(country: string): boolean {
  return metadata().hasCountry(country);
}

export function supportedCountries(): string[] {
  return metadata().getCountries();
}

// The last country asked for: one parse asks for its default country's plan several times, and an
// import has one default country.
let lastCountry = '';
let lastCountryPlan: NumberingPlan | undefined;

/** The plan of an ISO country (throws for an unknown one: callers validate the country first). */
export function countryPlan(country: string): NumberingPlan {
  if (country === lastCountry && lastCountryPlan) return lastCountryPlan;
  let plan = byCountry.get(country);
  if (!plan) {
    const selected = metadata().selectNumberingPlan(country).numberingPlan;
    if (!selected) throw new Error(`Unknown country: ${country}`);
    plan = compile(selected);
    byCountry.set(country, plan);
  }
  lastCountry = country;
  lastCountryPlan = plan;
  return plan;
}

/** The plan libphonenumber-js selects for a calling code (its main country, or a non-geographic plan). */
export function callingCodePlan(callingCode: string): NumberingPlan | undefined {
  let plan = byCallingCode.get(callingCode);
  if (plan === undefined) {
    plan = metadata().hasCallingCode(callingCode)
      ? compile(metadata().selectNumberingPlan(callingCode).numberingPlan as LpNumberingPlan)
      : null;
    byCallingCode.set(callingCode, plan);
  }
  return plan ?? undefined;
}

export function countriesForCallingCode(callingCode: string): readonly string[] | undefined {
  let countries = countriesByCallingCode.get(callingCode);
  if (countries === undefined) {
    countries = metadata().getCountryCodesForCallingCode(callingCode) ?? null;
    countriesByCallingCode.set(callingCode, countries);
  }
  return countries ?? undefined;
}
