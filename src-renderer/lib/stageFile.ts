// Sends a file the user picked to main in base64 chunks (media:upload-begin / media:upload-chunk), where
// it is staged until a send or an upload to Meta consumes it. Shared by the composer's attachments and
// the templates' header files.
import { UPLOAD_CHUNK_BYTES } from '../../src-preload/transferLimits';
import { base64Of } from '../stores/contacts';
import { api } from './api';

/** Resolves with the staged upload's id; `onProgress` gets the bytes received so far. */
export async function stageFile(file: File, onProgress?: (received: number) => void): Promise<string> {
  const begun = await api.invoke('media:upload-begin', {
    fileName: file.name,
    mimeType: file.type || 'application/octet-stream',
    size: file.size,
  });
  for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
    const data = await base64Of(file.slice(offset, Math.min(file.size, offset + UPLOAD_CHUNK_BYTES)));
    const state = await api.invoke('media:upload-chunk', { uploadId: begun.uploadId, offset, data });
    onProgress?.(state.received);
  }
  return begun.uploadId;
}
