// Media (whatsapp-cloud-api.md §8): uploads keyed by a numeric id and tied to the phone number they were
// uploaded on, `GET /{media-id}` issuing a download URL that expires after 5 minutes, and the download
// itself, which needs the same Bearer token. IDs from uploads live 30 days, IDs from webhooks 7 days.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { graphError, type GraphError, invalidParam, unknownObject } from './graphErrors';

export const mediaUrlLifetimeMs = 5 * 60 * 1000;
const uploadLifetimeMs = 30 * 24 * 60 * 60 * 1000;
export const inboundMediaLifetimeMs = 7 * 24 * 60 * 60 * 1000;

const MB = 1024 * 1024;
/** §8 types and maximum sizes. */
const limitsByMime: Record<string, number> = {
  'image/jpeg': 5 * MB,
  'image/png': 5 * MB,
  'video/mp4': 16 * MB,
  'video/3gpp': 16 * MB,
  'audio/aac': 16 * MB,
  'audio/amr': 16 * MB,
  'audio/mpeg': 16 * MB,
  'audio/mp4': 16 * MB,
  'audio/ogg': 16 * MB,
  'text/plain': 100 * MB,
  'application/pdf': 100 * MB,
  'application/msword': 100 * MB,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 * MB,
  'application/vnd.ms-excel': 100 * MB,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 * MB,
  'application/vnd.ms-powerpoint': 100 * MB,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 * MB,
  // §8: stickers are 100 KB static / 500 KB animated; the simulator cannot tell them apart, so 500 KB.
  'image/webp': 500 * 1024,
};
/** Upper bound on an upload body: the largest type plus multipart overhead. */
export const maxUploadBytes = 100 * MB + 64 * 1024;

/** File signatures for the types that have one, to catch §8's most common error: a MIME type that lies. */
function contentMatches(mime: string, data: Buffer): boolean {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  const ascii = (offset: number, text: string) =>
    data.subarray(offset, offset + text.length).toString('latin1') === text;
  switch (mime) {
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/webp':
      return ascii(0, 'RIFF') && ascii(8, 'WEBP');
    case 'application/pdf':
      return ascii(0, '%PDF');
    case 'audio/ogg':
      return ascii(0, 'OggS');
    case 'video/mp4':
    case 'audio/mp4':
      return ascii(4, 'ftyp');
    default:
      return true;
  }
}

export interface MediaRecord {
  id: string;
  phoneNumberId: string;
  data: Buffer;
  mimeType: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  filename?: string;
  expiresAt: number;
}

export class MediaStore {
  private readonly items = new Map<string, MediaRecord>();
  /** Fault: this many next URLs are issued already expired (as if the download came too late). */
  expireNextUrls = 0;
  /** Signs download URLs so they cannot be forged or extended by editing the query string. */
  private readonly urlKey = randomBytes(32);

  constructor(
    private readonly now: () => number,
    private readonly publicBaseUrl: () => string,
  ) {}

  private newId(): string {
    let id: string;
    do {
      id = String(1_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`));
    } while (this.items.has(id));
    return id;
  }

  /** Stores bytes received from a customer (webhook media), downloadable for 7 days. */
  addInbound(phoneNumberId: string, data: Buffer, mimeType: string, filename?: string): MediaRecord {
    return this.store(phoneNumberId, data, mimeType, filename, inboundMediaLifetimeMs);
  }

  private store(
    phoneNumberId: string,
    data: Buffer,
    mimeType: string,
    filename: string | undefined,
    lifetimeMs: number,
  ): MediaRecord {
    const record: MediaRecord = {
      id: this.newId(),
      phoneNumberId,
      data,
      mimeType,
      sha256: createHash('sha256').update(data).digest('hex'),
      ...(filename !== undefined ? { filename } : {}),
      expiresAt: this.now() + lifetimeMs,
    };
    this.items.set(record.id, record);
    return record;
  }

  /** `POST /{pnid}/media` from a parsed multipart form. */
  async upload(phoneNumberId: string, form: FormData): Promise<MediaRecord | GraphError> {
    const product = form.get('messaging_product');
    if (product !== 'whatsapp') return invalidParam('The parameter messaging_product is required.');
    const file = form.get('file');
    if (file === null || typeof file === 'string')
      return graphError(131008, 'The parameter file is required.');
    const declared = form.get('type');
    const type = typeof declared === 'string' && declared !== '' ? declared : file.type;
    if (!type) return graphError(131008, 'The parameter type is required.');
    const limit = limitsByMime[type];
    if (limit === undefined) return graphError(131053, `Unsupported media type ${type}.`);
    // The part's own Content-Type must agree with the declared type (§8: 131053 on a mismatch).
    if (file.type !== '' && file.type !== type) {
      return graphError(131053, `The file's type ${file.type} does not match the declared type ${type}.`);
    }
    const data = Buffer.from(await file.arrayBuffer());
    if (data.length === 0) return graphError(131053, 'The file is empty.');
    if (data.length > limit)
      return graphError(131053, `The file is ${data.length} bytes; ${type} allows ${limit}.`);
    if (!contentMatches(type, data)) return graphError(131053, `The file content is not ${type}.`);
    return this.store(phoneNumberId, data, type, file.name || undefined, uploadLifetimeMs);
  }

  /** A live media record, or the Graph error for an unknown / expired / foreign id. */
  lookup(id: string, method: string, phoneNumberId?: string): MediaRecord | GraphError {
    const record = this.items.get(id);
    if (!record || record.expiresAt <= this.now()) return unknownObject(id, method);
    if (phoneNumberId !== undefined && record.phoneNumberId !== phoneNumberId)
      return unknownObject(id, method);
    return record;
  }

  has(id: string, phoneNumberId: string): boolean {
    const record = this.items.get(id);
    return record !== undefined && record.expiresAt > this.now() && record.phoneNumberId === phoneNumberId;
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.urlKey).update(`${id}:${expires}`).digest('hex').slice(0, 32);
  }

  /** `GET /{media-id}` body: a URL valid for 5 minutes (§8). */
  describe(record: MediaRecord): Record<string, unknown> {
    let expires = this.now() + mediaUrlLifetimeMs;
    if (this.expireNextUrls > 0) {
      this.expireNextUrls -= 1;
      expires = this.now();
    }
    const url = `${this.publicBaseUrl()}/whatsapp_business/attachments/?mid=${record.id}&ext=${expires}&hash=${this.sign(record.id, expires)}`;
    return {
      messaging_product: 'whatsapp',
      url,
      mime_type: record.mimeType,
      sha256: record.sha256,
      file_size: record.data.length,
      id: record.id,
    };
  }

  /** Resolves a download URL's query; null when forged, expired or deleted (Meta answers 404). */
  resolveDownload(query: URLSearchParams): MediaRecord | null {
    const id = query.get('mid') ?? '';
    const expires = Number(query.get('ext'));
    const hash = query.get('hash') ?? '';
    if (!Number.isFinite(expires) || hash !== this.sign(id, expires)) return null;
    if (this.now() >= expires) return null;
    const record = this.items.get(id);
    return record && record.expiresAt > this.now() ? record : null;
  }
}
