// A message's picture, video, audio or document, read from the copy the app keeps in its data folder
// (inbound media is downloaded in the background, §8; sent attachments are kept when sent). Images and
// stickers show as thumbnails; everything can be downloaded. Blob URLs only (the CSP allows blob: for
// images and media), released when the bubble goes away.
import { useEffect, useState } from 'react';
import type { MessageView } from '../../../src-preload/messaging.contract';
import { api, errorMessage } from '../../lib/api';
import { field, str } from './MessageContent';

interface Loaded {
  url: string;
  fileName: string;
  mimeType: string;
}

function toBlobUrl(data: string, mimeType: string): string {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: mimeType }));
}

export function MediaAttachment({ message }: { message: MessageView }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const visual = message.type === 'image' || message.type === 'sticker';
  const fileName =
    str(field(message.body, message.type, 'filename')) ||
    `${message.type[0]?.toUpperCase()}${message.type.slice(1)}`;

  const fetchMedia = (): Promise<Loaded | null> =>
    api.invoke('messages:media', { messageId: message.id }).then(
      (media) => {
        const next = {
          url: toBlobUrl(media.data, media.mimeType),
          fileName: media.fileName,
          mimeType: media.mimeType,
        };
        setLoaded(next);
        setError(null);
        return next;
      },
      (failure: unknown) => {
        setError(errorMessage(failure));
        return null;
      },
    );
  const load = (): Promise<Loaded | null> => (loaded ? Promise.resolve(loaded) : fetchMedia());

  // Thumbnails load by themselves once the file is in the data folder.
  const wantsThumbnail = visual && message.mediaPath !== null;
  useEffect(() => {
    if (!wantsThumbnail) return;
    let current = true;
    api.invoke('messages:media', { messageId: message.id }).then(
      (media) => {
        if (!current) return;
        setLoaded({
          url: toBlobUrl(media.data, media.mimeType),
          fileName: media.fileName,
          mimeType: media.mimeType,
        });
      },
      (failure: unknown) => {
        if (current) setError(errorMessage(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [wantsThumbnail, message.id]);

  useEffect(
    () => () => {
      if (loaded) URL.revokeObjectURL(loaded.url);
    },
    [loaded],
  );

  const download = async (): Promise<void> => {
    const file = await load();
    if (!file) return;
    const link = document.createElement('a');
    link.href = file.url;
    link.download = file.fileName;
    link.click();
  };

  return (
    <div className={`msg-attachment msg-attachment-${message.type}`}>
      {visual && loaded ? (
        <img
          src={loaded.url}
          alt={str(field(message.body, message.type, 'caption')) || `${message.type} from the chat`}
        />
      ) : message.type === 'audio' && loaded ? (
        <audio controls src={loaded.url} />
      ) : message.type === 'video' && loaded ? (
        <video controls src={loaded.url} />
      ) : (
        <div className="msg-attachment-placeholder">
          <span aria-hidden="true">
            {visual ? '🖼' : message.type === 'audio' ? '🎵' : message.type === 'video' ? '🎬' : '📄'}{' '}
          </span>
          {fileName}
        </div>
      )}
      {message.mediaPath !== null ? (
        <div className="msg-attachment-actions">
          {(message.type === 'audio' || message.type === 'video') && !loaded ? (
            <button type="button" onClick={() => void load()}>
              Play
            </button>
          ) : null}
          <button type="button" onClick={() => void download()} aria-label={`Download ${fileName}`}>
            Download
          </button>
        </div>
      ) : (
        <div className="muted msg-attachment-pending">
          {message.direction === 'inbound' ? 'Downloading from WhatsApp…' : 'Sent by media id'}
        </div>
      )}
      {error ? (
        <div role="alert" className="error-text">
          {error}
        </div>
      ) : null}
    </div>
  );
}
