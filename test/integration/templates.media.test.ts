// Templates with a media header, end to end over IPC against the simulator: the sample file for a new
// template goes through the Resumable Upload API and its handle lets the create through (§5); the file
// for a send goes to POST /{pnid}/media and the template goes out with that media id in its header (§2).
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadState } from '../../src-preload/contacts.contract';
import type { MessageView, TemplateView } from '../../src-preload/messaging.contract';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { waitFor } from '../helpers/waitFor';

let h: MessagingHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.alloc(300_000, 9),
  Buffer.from([0xff, 0xd9]),
]);

async function stage(
  harness: MessagingHarness,
  fileName: string,
  mimeType: string,
  data: Buffer,
): Promise<string> {
  const begun = await harness.value<UploadState>('media:upload-begin', {
    fileName,
    mimeType,
    size: data.length,
  });
  const chunk = 128 * 1024;
  for (let offset = 0; offset < data.length; offset += chunk) {
    await harness.value('media:upload-chunk', {
      uploadId: begun.uploadId,
      offset,
      data: data.subarray(offset, offset + chunk).toString('base64'),
    });
  }
  return begun.uploadId;
}

const menuTemplate = (handle: string) => ({
  name: 'new_menu',
  language: 'en_US',
  category: 'MARKETING' as const,
  components: [
    { type: 'HEADER' as const, format: 'IMAGE' as const, example: { header_handle: [handle] } },
    { type: 'BODY' as const, text: 'Our new menu is here.' },
  ],
});

const menuPhoto = {
  name: 'menu_photo',
  language: 'en_US',
  category: 'MARKETING' as const,
  components: [
    { type: 'HEADER' as const, format: 'IMAGE' as const },
    { type: 'BODY' as const, text: 'Hi {{1}}, this week’s menu.' },
  ],
};

describe('templates with a media header', () => {
  it('a new template gets its sample through the Resumable Upload API and is submitted with the handle', async () => {
    h = await openMessagingHarness();
    const uploadId = await stage(h, 'menu.jpg', 'image/jpeg', jpeg);
    const { handle } = await h.value<{ handle: string }>('media:upload-template-example', {
      connectionId: h.connectionId,
      uploadId,
    });
    expect(handle).not.toBe('');
    const paths = h.sim.ledger.requests().map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('GET /app');
    expect(paths.some((p) => /^POST \/\d+\/uploads$/.test(p))).toBe(true);
    expect(paths.some((p) => /^POST \/upload:/.test(p))).toBe(true);

    const created = await h.value<TemplateView>('templates:create', {
      connectionId: h.connectionId,
      ...menuTemplate(handle),
    });
    expect(created.status).toBe('PENDING');
    // The staged file is consumed; a made-up handle is refused by Meta and nothing is stored.
    const reused = await h.call('media:upload-template-example', { connectionId: h.connectionId, uploadId });
    expect(reused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const madeUp = await h.call('templates:create', {
      connectionId: h.connectionId,
      ...menuTemplate('4::made-up'),
      name: 'new_menu_two',
    });
    expect(madeUp).toMatchObject({ ok: false });
    const list = await h.value<TemplateView[]>('templates:list', { connectionId: h.connectionId });
    expect(list.map((t) => t.name)).toEqual(['new_menu']);
  });

  it('a send uploads the header file to /media and the template goes out with that media id', async () => {
    h = await openMessagingHarness({ sim: { templates: [menuPhoto] } });
    const harness = h;
    await h.value('templates:sync', { connectionId: h.connectionId });
    const refused = await h.call('media:upload-template-header', {
      connectionId: h.connectionId,
      uploadId: await stage(h, 'song.ogg', 'audio/ogg', Buffer.from('OggS\0\x02 audio')),
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const header = await h.value<{ mediaId: string; kind: string; fileName: string }>(
      'media:upload-template-header',
      { connectionId: h.connectionId, uploadId: await stage(h, 'menu.jpg', 'image/jpeg', jpeg) },
    );
    expect(header).toMatchObject({ kind: 'image', fileName: 'menu.jpg' });
    await h.value('messages:send-template-to-number', {
      connectionId: h.connectionId,
      phone: '+14155550199',
      clientId: 'menu-photo-0001',
      template: {
        name: 'menu_photo',
        language: 'en_US',
        params: { header: { type: 'image', mediaId: header.mediaId }, body: ['Ana'] },
      },
    });
    await waitFor(() => harness.sim.ledger.messages({ type: 'template' }).length === 1, {
      what: 'the template sent',
    });
    const [sent] = h.sim.ledger.messages({ type: 'template' });
    const components = (sent?.payload.template as { components: { type: string; parameters: unknown[] }[] })
      .components;
    expect(components.find((c) => c.type === 'header')?.parameters).toEqual([
      { type: 'image', image: { id: header.mediaId } },
    ]);
  });

  it('a send whose header media no longer exists fails with 131053, the reason and advice to upload it again', async () => {
    h = await openMessagingHarness({ sim: { templates: [menuPhoto] } });
    const harness = h;
    await h.value('templates:sync', { connectionId: h.connectionId });
    const header = await h.value<{ mediaId: string }>('media:upload-template-header', {
      connectionId: h.connectionId,
      uploadId: await stage(h, 'menu.jpg', 'image/jpeg', jpeg),
    });
    // Gone before the send: deleted, or expired (uploaded media lasts 30 days, §8).
    const deleted = await h.connections.clientFor(h.connectionId).deleteMedia(header.mediaId);
    expect(deleted.ok).toBe(true);
    const sent = await h.value<{ message: MessageView; conversation: { id: string } }>(
      'messages:send-template-to-number',
      {
        connectionId: h.connectionId,
        phone: '+14155550199',
        clientId: 'menu-photo-gone-0001',
        template: {
          name: 'menu_photo',
          language: 'en_US',
          params: { header: { type: 'image', mediaId: header.mediaId }, body: ['Ana'] },
        },
      },
    );
    const failed = await waitFor(
      async () => {
        const thread = await harness.value<{ items: MessageView[] }>('conversations:thread', {
          conversationId: sent.conversation.id,
        });
        const message = thread.items.find((m) => m.id === sent.message.id);
        return message?.status === 'failed' ? message : null;
      },
      { timeoutMs: 30_000, what: 'the send to fail' },
    );
    expect(failed.errorCode).toBe(131053);
    expect(failed.errorMessage).toBe(
      `Media ${header.mediaId} does not exist or was uploaded on another phone number.`,
    );
    expect(failed.advice).toMatch(/upload it again/);
    expect(h.sim.ledger.messages({ type: 'template' })).toHaveLength(0);
  });
});
