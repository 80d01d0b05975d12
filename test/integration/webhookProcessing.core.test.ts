// Issue 5, processing side, in the composed core: customer messages the Sandbox's simulator delivers by
// signed webhook go through intake, the queue and the real processor. Every §6 inbound type is stored
// (unknown types raw, previewed as unsupported), the contact is created with source 'inbound' and its
// wa_id, media is downloaded in the background into the data folder (a transient failure retried, a
// 131052 dead-lettered with its reason), and the webhook server listens on loopback only.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { createMemoryLogger } from '../../src-main/log';
import type { InboundSpec } from '../../src-main/simulator/simulator';
import { mediaDownloadJobType } from '../../src-main/webhooks/mediaDownload.jobs';
import { signBody } from '../../src-main/webhooks/verify';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
let core: Core;
let dataDir: string;

beforeAll(async () => {
  dataDir = temp.dir();
  core = await createCore({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
  // Sync on connect makes the only other simulator requests; let it finish so an injected error hits
  // the media download it is meant for.
  await waitFor(
    () =>
      (core.db.prepare('SELECT count(*) FROM templates').pluck().get() as number) > 0 &&
      (core.db
        .prepare(`SELECT count(*) FROM jobs WHERE type LIKE 'templates.%' AND state <> 'queued'`)
        .pluck()
        .get() as number) === 0,
    { what: 'the on-connect template sync', timeoutMs: 30_000 },
  );
}, 60_000);

afterAll(async () => {
  await core?.close();
});

function sandbox() {
  if (!core.sandbox) throw new Error('the Sandbox did not start');
  return core.sandbox;
}

interface StoredInbound {
  id: string;
  type: string;
  body: string;
  media_path: string | null;
  preview: string | null;
  source: string;
  contact_source: string;
  wa_id: string | null;
  phone_e164: string;
}

function storedInbound(wamid: string): StoredInbound | undefined {
  return core.db
    .prepare(
      `SELECT m.id, m.type, m.body, m.media_path, c.last_message_preview AS preview, c.source,
              ct.source AS contact_source, ct.wa_id, ct.phone_e164
       FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
       WHERE m.wamid = ? AND m.direction = 'inbound'`,
    )
    .get(wamid) as StoredInbound | undefined;
}

async function deliver(spec: InboundSpec): Promise<StoredInbound & { sent: Record<string, unknown> }> {
  const { wamid, message } = sandbox().simulator.control.injectInbound(spec);
  let row: StoredInbound | undefined;
  await waitFor(() => (row = storedInbound(wamid)) !== undefined, {
    what: `inbound ${spec.type} ${wamid} stored`,
    timeoutMs: 20_000,
  });
  return { ...row!, sent: message };
}

function storedBodyOfType(type: string): string {
  return core.db
    .prepare(`SELECT body FROM messages WHERE type = ? AND direction = 'inbound' LIMIT 1`)
    .pluck()
    .get(type) as string;
}

let nextCustomer = 0;
/** A fresh customer per message, so each conversation's preview is that message's. */
const customer = (): string => `1650555${String(3000 + nextCustomer++)}`;

function mediaJobs(messageId: string): { state: string; attempts: number; last_error: string | null }[] {
  return core.db
    .prepare(
      `SELECT state, attempts, last_error FROM jobs WHERE type = ? AND json_extract(payload, '$.messageId') = ?`,
    )
    .all(mediaDownloadJobType, messageId) as { state: string; attempts: number; last_error: string | null }[];
}

describe('webhook processing in the core', () => {
  it('stores every §6 inbound type with its preview; an unknown type is kept raw and reads as unsupported', async () => {
    const cases: { spec: InboundSpec; preview: string }[] = [
      {
        spec: {
          from: customer(),
          type: 'location',
          location: { latitude: 38.72, longitude: -9.14, name: 'Cafe Lisboa', address: 'Rua 1' },
        },
        preview: '[location] Cafe Lisboa',
      },
      {
        spec: {
          from: customer(),
          type: 'contacts',
          contacts: [{ name: { formatted_name: 'Ana Lima' }, phones: [{ phone: '+351912345678' }] }],
        },
        preview: '[contact card]',
      },
      {
        spec: { from: customer(), type: 'sticker', sticker: { animated: false } },
        preview: '[sticker]',
      },
      {
        spec: { from: customer(), type: 'audio', audio: { voice: true } },
        preview: '[audio]',
      },
      {
        spec: { from: customer(), type: 'video', video: { caption: 'the leak' } },
        preview: '[video] the leak',
      },
      {
        spec: {
          from: customer(),
          type: 'document',
          document: { filename: 'invoice.pdf', caption: 'Invoice' },
        },
        preview: '[document] Invoice',
      },
      {
        spec: { from: customer(), type: 'reaction', reaction: { message_id: 'wamid.earlier', emoji: '👍' } },
        preview: '[reaction] 👍',
      },
      {
        spec: {
          from: customer(),
          type: 'interactive',
          interactive: { type: 'list_reply', list_reply: { id: 'slot-2', title: 'Tuesday 10:00' } },
        },
        preview: 'Tuesday 10:00',
      },
      {
        spec: {
          from: customer(),
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, confirm' } },
        },
        preview: 'Yes, confirm',
      },
      {
        spec: {
          from: customer(),
          type: 'order',
          order: {
            catalog_id: 'cat-1',
            text: 'two please',
            product_items: [{ product_retailer_id: 'sku-9', quantity: 2, item_price: 5, currency: 'EUR' }],
          },
        },
        preview: '[order]',
      },
      {
        spec: { from: customer(), type: 'unsupported' },
        preview: '[unsupported message]',
      },
    ];
    for (const c of cases) {
      const row = await deliver(c.spec);
      expect(row.type, c.spec.type).toBe(c.spec.type);
      expect(row.preview, c.spec.type).toBe(c.preview);
      // The stored body is the message as Meta sent it, type-specific content (media ids, reply ids,
      // product items, an unknown type's errors) included; only the timestamp is read as a number.
      expect(JSON.parse(row.body), c.spec.type).toEqual({
        ...row.sent,
        timestamp: Number(row.sent.timestamp),
      });
    }
    expect(
      (JSON.parse(storedBodyOfType('unsupported')) as { errors?: unknown }).errors,
      'an unsupported message keeps the reason Meta gave',
    ).toEqual([expect.objectContaining({ code: 131051 })]);
  }, 120_000);

  it('keeps a type the app has never heard of raw, and shows it as unsupported', async () => {
    const from = customer();
    const { wamid } = sandbox().simulator.control.injectInbound({ from, type: 'text', text: { body: 'x' } });
    await waitFor(() => storedInbound(wamid) !== undefined, {
      what: 'warm-up text stored',
      timeoutMs: 20_000,
    });
    // Meta adds types over time (§6): one the processor has no case for is stored whole.
    const hologram = {
      from,
      id: `${wamid}.holo`,
      timestamp: String(Math.floor(Date.now() / 1000) + 5),
      type: 'hologram',
      hologram: { frames: 3, colour: 'teal' },
    };
    const raw = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: 'x' },
                contacts: [{ profile: { name: 'Holo' }, wa_id: from }],
                messages: [hologram],
              },
            },
          ],
        },
      ],
    });
    const response = await fetch(core.webhooks.webhookUrlFor(sandbox().connectionId), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signBody(raw, sandbox().simulator.appSecret),
      },
      body: raw,
    });
    expect(response.status).toBe(200);
    let row: StoredInbound | undefined;
    await waitFor(() => (row = storedInbound(hologram.id)) !== undefined, {
      what: 'hologram stored',
      timeoutMs: 20_000,
    });
    expect(row!.type).toBe('hologram');
    expect(JSON.parse(row!.body)).toEqual({ ...hologram, timestamp: Number(hologram.timestamp) });
    expect(row!.preview).toBe('[unsupported message]');
  }, 60_000);

  it('creates the contact of a new customer with source inbound and their wa_id', async () => {
    const from = customer();
    const row = await deliver({
      from: `+${from}`,
      profileName: 'Nadia',
      type: 'text',
      text: { body: 'Olá' },
    });
    expect(row.contact_source).toBe('inbound');
    expect(row.wa_id).toBe(from);
    expect(row.phone_e164).toBe(`+${from}`);
    expect(row.source).toBe('inbound');
  }, 60_000);

  it('downloads inbound media into the data folder in the background and sets media_path', async () => {
    const data = Buffer.from('%PDF-1.4\n% a quote for the kitchen\n%%EOF\n');
    const row = await deliver({
      from: customer(),
      type: 'document',
      document: { mime_type: 'application/pdf', data, filename: 'quote.pdf' },
    });
    let path: string | null = null;
    await waitFor(
      () =>
        (path = core.db.prepare('SELECT media_path FROM messages WHERE id = ?').pluck().get(row.id) as
          string | null) !== null,
      { what: 'media_path set', timeoutMs: 20_000 },
    );
    expect(path).toBe(join('media', `${row.id}.pdf`));
    expect(readFileSync(join(dataDir, path!))).toEqual(data);
    expect(mediaJobs(row.id)).toEqual([]);
  }, 60_000);

  it('retries a transient download failure, and dead-letters media Meta reports gone (131052) with its reason', async () => {
    const control = sandbox().simulator.control;
    // The next simulator request (the media URL lookup) fails with a transient 500 (§3: 131000).
    control.injectErrors({ code: 131000, count: 1 });
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 1, 2, 3, 0xff, 0xd9]);
    const retried = await deliver({
      from: customer(),
      type: 'image',
      image: { mime_type: 'image/jpeg', data: image },
    });
    await waitFor(() => mediaJobs(retried.id).some((j) => j.attempts >= 1 && j.last_error !== null), {
      what: 'the first attempt failed and was rescheduled',
      timeoutMs: 20_000,
    });
    await waitFor(
      () => core.db.prepare('SELECT media_path FROM messages WHERE id = ?').pluck().get(retried.id) !== null,
      { what: 'the retry downloaded the image', timeoutMs: 30_000 },
    );
    expect(readFileSync(join(dataDir, 'media', `${retried.id}.jpg`))).toEqual(image);

    control.injectErrors({ code: 131052, count: 1, details: 'Media is too large or no longer available' });
    const gone = await deliver({ from: customer(), type: 'video', video: { caption: 'too big' } });
    let jobs: ReturnType<typeof mediaJobs> = [];
    await waitFor(() => (jobs = mediaJobs(gone.id)).some((j) => j.state === 'dead'), {
      what: 'the download dead-lettered',
      timeoutMs: 20_000,
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.attempts).toBe(1);
    expect(jobs[0]!.last_error).toMatch(/ask them to send it again/);
    expect(core.db.prepare('SELECT media_path FROM messages WHERE id = ?').pluck().get(gone.id)).toBeNull();
    // The message itself stays visible without its file.
    expect(gone.preview).toBe('[video] too big');
    expect(existsSync(join(dataDir, 'media', `${gone.id}.mp4`))).toBe(false);
  }, 90_000);

  it('retries a download whose URL expired twice in a row: the media id is still good', async () => {
    // The job's lookup and the client's one re-lookup both get URLs that are already expired (§8).
    sandbox().simulator.control.expireNextMediaUrls(2);
    const row = await deliver({ from: customer(), type: 'image', image: {} });
    await waitFor(
      () => core.db.prepare('SELECT media_path FROM messages WHERE id = ?').pluck().get(row.id) !== null,
      { what: 'the retry downloaded the image', timeoutMs: 30_000 },
    );
    expect(existsSync(join(dataDir, 'media', `${row.id}.jpg`))).toBe(true);
    expect(mediaJobs(row.id)).toEqual([]);
  }, 60_000);

  it('listens on 127.0.0.1 only', async () => {
    const { port } = core.webhooks.server;
    // The kernel's table of listening sockets: exactly one for the port, bound to 127.0.0.1 (hex
    // 0100007F, little-endian), none on any IPv6 address (a '::' bind would also take IPv4).
    const listening = (file: string): string[] =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .slice(1)
            .map((line) => line.trim().split(/\s+/))
            .filter(
              (f) =>
                f.length > 3 &&
                f[3] === '0A' &&
                f[1]!.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`),
            )
            .map((f) => f[1]!.split(':')[0]!)
        : [];
    if (process.platform === 'linux') {
      expect(listening('/proc/net/tcp')).toEqual(['0100007F']);
      expect(listening('/proc/net/tcp6')).toEqual([]);
    }
    const tryConnect = (host: string): Promise<string> =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
    expect(await tryConnect('127.0.0.1')).toBe('connected');
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    // The machine has a non-loopback address: the port is not open on it.
    if (other) expect(await tryConnect(other.address)).toBe('ECONNREFUSED');
  });
});
