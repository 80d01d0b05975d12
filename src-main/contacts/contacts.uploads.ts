// Files dropped on the window reach main as base64 chunks over IPC (the browser host's page cannot hand
// over a path, and the Electron renderer should not be trusted with one): each chunk is appended in order
// to a file in the data folder, which the preview and the import then read as a stream.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { UPLOAD_CHUNK_BYTES, type UploadState } from '../../src-preload/contacts.contract';
import { AppError } from '../ipc/errors';

interface Session extends UploadState {
  path: string;
  createdAt: number;
  handle: FileHandle | undefined;
  /** Chunks of one upload are written one at a time, in order. */
  tail: Promise<unknown>;
}

const MAX_OPEN_UPLOADS = 20;
const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class UploadStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly dir: string,
    private readonly now: () => number,
  ) {
    mkdirSync(dir, { recursive: true });
    // Uploads of an earlier run that were never imported.
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      try {
        if (this.now() - statSync(path).mtimeMs > UPLOAD_TTL_MS)
          rmSync(path, { force: true, recursive: true });
      } catch {
        // gone already
      }
    }
  }

  private view(s: Session): UploadState {
    return {
      uploadId: s.uploadId,
      fileName: s.fileName,
      size: s.size,
      received: s.received,
      complete: s.complete,
    };
  }

  async begin(fileName: string, size: number): Promise<UploadState> {
    await this.expire();
    if (this.sessions.size >= MAX_OPEN_UPLOADS) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many files are being uploaded at once; wait for one to finish.',
      );
    }
    const uploadId = randomUUID();
    const path = join(this.dir, `${uploadId}.csv`);
    const handle = await open(path, 'wx');
    const session: Session = {
      uploadId,
      fileName: fileName.replace(/[\\/]/g, '_'),
      size,
      received: 0,
      complete: false,
      path,
      createdAt: this.now(),
      handle,
      tail: Promise.resolve(),
    };
    this.sessions.set(uploadId, session);
    return this.view(session);
  }

  chunk(uploadId: string, offset: number, data: string): Promise<UploadState> {
    const session = this.sessions.get(uploadId);
    if (!session)
      return Promise.reject(
        new AppError('NOT_FOUND', 'That upload is unknown or has expired; drop the file again.'),
      );
    const run = session.tail.then(async () => {
      if (session.complete) throw new AppError('CONFLICT', 'That upload is already complete.');
      if (offset !== session.received) {
        throw new AppError(
          'CONFLICT',
          `The upload expected the chunk at byte ${session.received}, not ${offset}.`,
        );
      }
      if (!base64.test(data)) throw new AppError('BAD_REQUEST', 'The chunk is not valid base64.');
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length === 0 || bytes.length > UPLOAD_CHUNK_BYTES) {
        throw new AppError('BAD_REQUEST', `A chunk holds 1 to ${UPLOAD_CHUNK_BYTES} bytes.`);
      }
      if (session.received + bytes.length > session.size) {
        throw new AppError('BAD_REQUEST', 'The upload is larger than the size it announced.');
      }
      const handle = session.handle as FileHandle;
      await handle.write(bytes, 0, bytes.length, session.received);
      session.received += bytes.length;
      if (session.received === session.size) {
        session.complete = true;
        session.handle = undefined;
        await handle.close();
      }
      return this.view(session);
    });
    session.tail = run.catch(() => undefined);
    return run;
  }

  /** A completed upload's file, or an error the user can act on. */
  completed(uploadId: string): Session {
    const session = this.sessions.get(uploadId);
    if (!session)
      throw new AppError('NOT_FOUND', 'That upload is unknown or has expired; drop the file again.');
    if (!session.complete) {
      throw new AppError(
        'BAD_REQUEST',
        `The upload is not complete yet (${session.received} of ${session.size} bytes).`,
      );
    }
    return session;
  }

  /** Registers a file already on disk (Electron's open dialog) as a completed upload. */
  async adopt(path: string, fileName: string, size: number): Promise<UploadState> {
    const state = await this.begin(fileName, size);
    const session = this.sessions.get(state.uploadId) as Session;
    await session.handle?.close();
    await rm(session.path, { force: true });
    session.handle = undefined;
    session.path = path;
    session.received = size;
    session.complete = true;
    return this.view(session);
  }

  async discard(uploadId: string): Promise<void> {
    const session = this.sessions.get(uploadId);
    if (!session) return;
    this.sessions.delete(uploadId);
    await session.handle?.close().catch(() => undefined);
    if (session.path.startsWith(this.dir)) await rm(session.path, { force: true });
  }

  private async expire(): Promise<void> {
    const now = this.now();
    for (const session of [...this.sessions.values()]) {
      if (now - session.createdAt > UPLOAD_TTL_MS) await this.discard(session.uploadId);
    }
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) await session.handle?.close().catch(() => undefined);
  }
}
