// The webhook envelope check (whatsapp-cloud-api.md §5, §6): `object`, then `entry[]` each with an id
// and `changes[]` of { field, value }. Written by hand rather than with zod because it is all the
// intake writer thread (intakeWorker.ts) parses, and loading zod in that fresh thread took 200–300 ms
// on a busy machine — time the first customer message after every start waited for. The items inside
// a change are parsed with zod later, during processing (payload.ts). Unknown fields are dropped here
// and kept in the stored raw body (§10).

export interface Envelope {
  object: 'whatsapp_business_account';
  entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[];
}

export type EnvelopeResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };

const REASON_MAX = 300;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(path: (string | number)[], message: string): EnvelopeResult {
  const where = path.length ? ` at ${path.join('.')}` : '';
  return { ok: false, reason: `Not a WhatsApp webhook${where}: ${message}`.slice(0, REASON_MAX) };
}

/** Checks a signed body's envelope; ids may come as strings or numbers and are returned as strings. */
export function parseEnvelope(raw: Buffer): EnvelopeResult {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `Not valid JSON: ${(error as Error).message}`.slice(0, REASON_MAX) };
  }
  if (!isRecord(json)) return refuse([], 'expected an object');
  if (json.object !== 'whatsapp_business_account') {
    return refuse(['object'], 'expected "whatsapp_business_account"');
  }
  if (!Array.isArray(json.entry)) return refuse(['entry'], 'expected an array');
  if (json.entry.length === 0) return refuse(['entry'], 'expected at least one entry');
  const entries: Envelope['entry'] = [];
  for (const [i, entry] of (json.entry as unknown[]).entries()) {
    if (!isRecord(entry)) return refuse(['entry', i], 'expected an object');
    if (typeof entry.id !== 'string' && typeof entry.id !== 'number') {
      return refuse(['entry', i, 'id'], 'expected a string or a number');
    }
    if (!Array.isArray(entry.changes)) return refuse(['entry', i, 'changes'], 'expected an array');
    const changes: Envelope['entry'][number]['changes'] = [];
    for (const [j, change] of (entry.changes as unknown[]).entries()) {
      const at = ['entry', i, 'changes', j];
      if (!isRecord(change)) return refuse(at, 'expected an object');
      if (typeof change.field !== 'string' || change.field.length === 0) {
        return refuse([...at, 'field'], 'expected a non-empty string');
      }
      if (!isRecord(change.value)) return refuse([...at, 'value'], 'expected an object');
      changes.push({ field: change.field, value: change.value });
    }
    entries.push({ id: String(entry.id), changes });
  }
  return { ok: true, envelope: { object: 'whatsapp_business_account', entry: entries } };
}
