// Meta's Resumable Upload API, the way a template's media header gets its example (whatsapp-cloud-api.md
// §5: "Media headers need header_handle from the Resumable Upload API"):
//   POST /{app-id}/uploads?file_name&file_length&file_type  → { id: "upload:<session>" }
//   POST /upload:<session>  (header file_offset, body = the bytes from that offset) → { h: "<handle>" }
//   GET  /upload:<session>  → { id, file_offset }  (where to resume after a broken upload)
// The handle goes into the template's `example.header_handle[0]`; a template create naming a handle this
// simulator never issued is refused, as Meta refuses a made-up one.
import { randomBytes } from 'node:crypto';
import { invalidParam, type GraphError } from './graphErrors';

const MB = 1024 * 1024;
/** The types the upload API takes for template examples, with the §8 size of each kind. */
const maxBytesByType: Record<string, number> = {
  'image/jpeg': 5 * MB,
  'image/jpg': 5 * MB,
  'image/png': 5 * MB,
  'video/mp4': 16 * MB,
  'application/pdf': 100 * MB,
};
/** Largest body one append may carry (the biggest allowed file). */
export const maxUploadSessionBytes = 100 * MB;

interface Session {
  id: string;
  fileName: string;
  fileType: string;
  length: number;
  chunks: Buffer[];
  offset: number;
  handle: string | null;
}

export interface UploadedExample {
  handle: string;
  fileType: string;
  fileName: string;
  data: Buffer;
}

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly handles = new Map<string, UploadedExample>();

  create(query: URLSearchParams): { id: string } | GraphError {
    const fileName = query.get('file_name') ?? '';
    const fileType = query.get('file_type') ?? '';
    const length = Number(query.get('file_length'));
    if (fileName === '') return invalidParam('The parameter file_name is required.');
    const max = maxBytesByType[fileType];
    if (max === undefined) {
      return invalidParam(
        'Invalid parameter',
        `file_type must be one of ${Object.keys(maxBytesByType).join(', ')}; got "${fileType}".`,
      );
    }
    if (!Number.isInteger(length) || length <= 0) {
      return invalidParam('Invalid parameter', 'file_length must be a positive whole number of bytes.');
    }
    if (length > max)
      return invalidParam('Invalid parameter', `A ${fileType} example can be at most ${max} bytes.`);
    const id = `upload:${randomBytes(18).toString('base64url')}`;
    this.sessions.set(id, { id, fileName, fileType, length, chunks: [], offset: 0, handle: null });
    return { id };
  }

  status(id: string): { id: string; file_offset: number } | undefined {
    const session = this.sessions.get(id);
    return session ? { id: session.id, file_offset: session.offset } : undefined;
  }

  /** Appends the bytes sent at `fileOffset`; answers the handle once the declared length is complete. */
  append(id: string, fileOffset: number, data: Buffer): { h: string } | GraphError | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.handle !== null) return { h: session.handle };
    if (!Number.isInteger(fileOffset) || fileOffset !== session.offset) {
      return invalidParam(
        'Invalid parameter',
        `file_offset must be ${session.offset}, where this upload stands (GET the session to resume).`,
      );
    }
    if (session.offset + data.length > session.length) {
      return invalidParam(
        'Invalid parameter',
        `The upload is longer than its file_length ${session.length}.`,
      );
    }
    session.chunks.push(data);
    session.offset += data.length;
    if (session.offset < session.length) {
      return invalidParam(
        'Invalid parameter',
        `Received ${session.offset} of ${session.length} bytes; send the rest from file_offset ${session.offset}.`,
      );
    }
    const handle = `4::${Buffer.from(session.fileType).toString('base64url')}:${randomBytes(24).toString('base64url')}`;
    session.handle = handle;
    this.handles.set(handle, {
      handle,
      fileType: session.fileType,
      fileName: session.fileName,
      data: Buffer.concat(session.chunks),
    });
    session.chunks = [];
    return { h: handle };
  }

  example(handle: string): UploadedExample | undefined {
    return this.handles.get(handle);
  }
}

const mediaHeaderKinds: Record<string, (fileType: string) => boolean> = {
  IMAGE: (t) => t.startsWith('image/'),
  VIDEO: (t) => t === 'video/mp4',
  DOCUMENT: (t) => t === 'application/pdf',
};

/**
 * A template create whose header is IMAGE / VIDEO / DOCUMENT must carry `example.header_handle[0]`, a
 * handle from an upload session of the matching kind (§5). Returns the refusal, or null.
 */
export function mediaHeaderProblem(body: unknown, uploads: UploadSessions): GraphError | null {
  const components = (body as { components?: unknown } | null)?.components;
  if (!Array.isArray(components)) return null;
  for (const component of components as unknown[]) {
    const { type, format, example } = (component ?? {}) as {
      type?: unknown;
      format?: unknown;
      example?: unknown;
    };
    if (type !== 'HEADER' || typeof format !== 'string') continue;
    const matches = mediaHeaderKinds[format];
    if (!matches) continue;
    const handle = (example as { header_handle?: unknown } | undefined)?.header_handle;
    const first = Array.isArray(handle) ? (handle as unknown[])[0] : undefined;
    if (typeof first !== 'string' || first === '') {
      return invalidParam(
        'Invalid parameter',
        `A ${format} header needs example.header_handle: upload a sample file with the Resumable Upload API first.`,
      );
    }
    const uploaded = uploads.example(first);
    if (!uploaded)
      return invalidParam('Invalid parameter', 'example.header_handle is not a handle from an upload.');
    if (!matches(uploaded.fileType)) {
      return invalidParam(
        'Invalid parameter',
        `A ${format} header cannot use a ${uploaded.fileType} sample (example.header_handle).`,
      );
    }
  }
  return null;
}
