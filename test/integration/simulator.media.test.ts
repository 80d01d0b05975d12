// Media in the simulator (whatsapp-cloud-api.md §8): multipart upload → id, GET /{id} → a URL that needs
// the Bearer header and expires after 5 minutes (tested with an injected clock), MIME checks (131053),
// deletion, and media received from customers being downloadable the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { errorOf, graph, jpegBytes, manualClock } from '../helpers/simulatorGraph';

const clock = manualClock();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: clock.now });
});
afterAll(async () => {
  await sim.close();
});

async function upload(
  data: Uint8Array,
  type: string,
  options: { partType?: string; product?: string | null; filename?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  if (options.product !== null) form.set('messaging_product', options.product ?? 'whatsapp');
  form.set('type', type);
  form.set('file', new Blob([data], { type: options.partType ?? type }), options.filename ?? 'file.bin');
  const res = await fetch(`${sim.baseUrl}/v24.0/${sim.phoneNumberId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.accessToken}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface MediaInfo {
  url: string;
  mime_type: string;
  sha256: string;
  file_size: number;
  id: string;
  messaging_product: string;
}

describe('upload, URL, download', () => {
  it('round-trips the bytes; the URL needs the Bearer token', async () => {
    const up = await upload(jpegBytes, 'image/jpeg', { filename: 'photo.jpg' });
    expect(up.status).toBe(200);
    const id = up.body.id as string;
    expect(id).toMatch(/^\d+$/);

    const info = await graph<MediaInfo>(sim, 'GET', `/${id}?phone_number_id=${sim.phoneNumberId}`);
    expect(info.body).toMatchObject({
      id,
      mime_type: 'image/jpeg',
      file_size: jpegBytes.length,
      messaging_product: 'whatsapp',
    });
    expect(info.body.sha256).toMatch(/^[0-9a-f]{64}$/);

    const withToken = await fetch(info.body.url, { headers: { authorization: `Bearer ${sim.accessToken}` } });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await withToken.arrayBuffer()).equals(jpegBytes)).toBe(true);

    const anonymous = await fetch(info.body.url);
    expect(anonymous.status).toBe(401);
    const wrongToken = await fetch(info.body.url, { headers: { authorization: 'Bearer nope' } });
    expect(wrongToken.status).toBe(401);
  });

  it('expires the URL after 5 minutes; a fresh URL works; a forged expiry does not', async () => {
    const id = (await upload(jpegBytes, 'image/jpeg')).body.id as string;
    const old = (await graph<MediaInfo>(sim, 'GET', `/${id}`)).body.url;
    const auth = { headers: { authorization: `Bearer ${sim.accessToken}` } };
    clock.advance(4 * 60 * 1000 + 59 * 1000);
    expect((await fetch(old, auth)).status).toBe(200);
    clock.advance(1000);
    expect((await fetch(old, auth)).status).toBe(404);
    const forged = new URL(old);
    forged.searchParams.set('ext', String(clock.now() + 60_000));
    expect((await fetch(forged, auth)).status).toBe(404);
    const fresh = (await graph<MediaInfo>(sim, 'GET', `/${id}`)).body.url;
    expect((await fetch(fresh, auth)).status).toBe(200);
  });

  it('deletes media: afterwards GET /{id} is an unknown object', async () => {
    const id = (await upload(jpegBytes, 'image/jpeg')).body.id as string;
    const url = (await graph<MediaInfo>(sim, 'GET', `/${id}`)).body.url;
    expect((await graph(sim, 'DELETE', `/${id}`)).body).toEqual({ success: true });
    expect(errorOf(await graph(sim, 'GET', `/${id}`))).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await fetch(url, { headers: { authorization: `Bearer ${sim.accessToken}` } })).status).toBe(404);
  });

  it('forgets uploads after 30 days', async () => {
    const id = (await upload(jpegBytes, 'image/jpeg')).body.id as string;
    clock.advance(30 * 24 * 60 * 60 * 1000);
    expect(errorOf(await graph(sim, 'GET', `/${id}`)).code).toBe(100);
  });
});

describe('upload errors', () => {
  it.each([
    ['declared PNG, JPEG bytes', () => upload(jpegBytes, 'image/png'), 131053],
    [
      'part type disagrees with the declared type',
      () => upload(jpegBytes, 'image/jpeg', { partType: 'image/png' }),
      131053,
    ],
    ['unsupported type', () => upload(Buffer.from('GIF89a'), 'image/gif'), 131053],
    [
      'sticker over 500 KB',
      () => upload(Buffer.concat([Buffer.from('RIFF....WEBP'), Buffer.alloc(600 * 1024)]), 'image/webp'),
      131053,
    ],
    ['missing messaging_product', () => upload(jpegBytes, 'image/jpeg', { product: null }), 100],
  ])('%s → %i', async (_label, run, code) => {
    const res = await run();
    expect(res.status).toBe(400);
    expect((res.body.error as { code: number }).code).toBe(code);
  });

  it('refuses a body that is not multipart', async () => {
    const res = await graph(sim, 'POST', `/${sim.phoneNumberId}/media`, { file: 'x' });
    expect(errorOf(res).code).toBe(100);
  });
});

describe('customer media', () => {
  it('makes media from an inbound message downloadable with the same flow', async () => {
    const bytes = Buffer.from('%PDF-1.7 invoice');
    const { message } = sim.control.injectInbound({
      from: '+351911111111',
      type: 'document',
      document: { data: bytes, mime_type: 'application/pdf', filename: 'invoice.pdf', caption: 'Here' },
    });
    const document = message.document as { id: string; sha256: string; filename: string; mime_type: string };
    expect(document).toMatchObject({
      filename: 'invoice.pdf',
      mime_type: 'application/pdf',
      caption: 'Here',
    });
    const info = await graph<MediaInfo>(sim, 'GET', `/${document.id}`);
    expect(info.body.sha256).toBe(document.sha256);
    const res = await fetch(info.body.url, { headers: { authorization: `Bearer ${sim.accessToken}` } });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
