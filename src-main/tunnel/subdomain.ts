// The per-install tunnel subdomain. Whoever holds a public tunnel hostname receives the webhooks sent to
// it (whatsapp-cloud-api.md §12, privacy note), so the name must be unguessable; and Meta is pointed at it,
// so it must be the same on every start. Hence: drawn once from a CSPRNG, stored in settings, re-requested
// on every connect.
import { randomInt } from 'node:crypto';

export const subdomainSettingKey = 'tunnel.subdomain';

const letters = 'abcdefghijklmnopqrstuvwxyz';
/** RFC 4648 base32, lower-cased: DNS-safe and unambiguous when read aloud or copied. */
const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
const base32Length = 26;

/** One leading letter (hostnames read better that way) plus 26 base32 characters: log2(26) + 130 bits. */
export const subdomainLength = 1 + base32Length;
export const subdomainEntropyBits = Math.log2(letters.length) + base32Length * Math.log2(base32.length);

/** What localtunnel servers accept as a subdomain: a DNS label of 4–63 characters, lower case. */
const validSubdomain = /^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$/;

export function isValidSubdomain(value: unknown): value is string {
  return typeof value === 'string' && validSubdomain.test(value);
}

export function generateSubdomain(): string {
  let name = letters[randomInt(letters.length)] ?? 'a';
  for (let i = 0; i < base32Length; i++) name += base32[randomInt(base32.length)] ?? 'a';
  return name;
}

export interface SettingsAccessor {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/**
 * The install's subdomain, created on first use. A stored value that is not a valid subdomain (a damaged
 * or hand-edited setting) is replaced, since no server would accept it. After writing, the stored value is
 * read back, so a backing store that keeps the first writer's value wins over our fresh draw.
 */
export function getOrCreateSubdomain(settings: SettingsAccessor): string {
  const existing = settings.get(subdomainSettingKey);
  if (isValidSubdomain(existing)) return existing;
  const created = generateSubdomain();
  settings.set(subdomainSettingKey, created);
  const stored = settings.get(subdomainSettingKey);
  return isValidSubdomain(stored) ? stored : created;
}
