// The simulator's Resumable Upload API (the header_handle a media-header template needs, §5): GET /app,
// a session on /{app-id}/uploads, the bytes appended with file_offset (resumable after a break), the
// handle, and template creates that refuse a media header without a real handle of the right kind.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { errorOf, graph } from '../helpers/simulatorGraph';

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function sim(): Promise<Simulator> {
  const s = await startSimulator({});
  sims.push(s);
  return s;
}

const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.alloc(2000, 7),
  Buffer.from([0xff, 0xd9]),
]);

async function appId(s: Simulator): Promise<string> {
  const app = await graph<{ id: string }>(s, 'GET', '/app');
  expect(app.status).toBe(200);
  return app.body.id;
}

async function openSession(
  s: Simulator,
  query: Record<string, string>,
): Promise<{ status: number; id?: string }> {
  const params = new URLSearchParams(query).toString();
  const res = await graph<{ id?: string }>(s, 'POST', `/${await appId(s)}/uploads?${params}`);
  return { status: res.status, ...(res.body.id !== undefined ? { id: res.body.id } : {}) };
}

async function append(
  s: Simulator,
  sessionId: string,
  offset: number,
  data: Buffer,
  auth = `OAuth ${s.accessToken}`,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.baseUrl}/v24.0/${sessionId}`, {
    method: 'POST',
    headers: { authorization: auth, file_offset: String(offset) },
    body: data,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const mediaTemplate = (format: string, handle?: string) => ({
  name: `with_${format.toLowerCase()}_header`,
  language: 'en_US',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format, ...(handle !== undefined ? { example: { header_handle: [handle] } } : {}) },
    { type: 'BODY', text: 'Our new menu is here.' },
  ],
});

describe('resumable upload', () => {
  it('issues a handle for the whole file, and resumes from the offset the session reports', async () => {
    const s = await sim();
    const session = await openSession(s, {
      file_name: 'menu.jpg',
      file_length: String(jpeg.length),
      file_type: 'image/jpeg',
    });
    expect(session.status).toBe(200);
    expect(session.id).toMatch(/^upload:/);
    const id = session.id ?? '';

    // A break after the first 1,000 bytes: the session says where to go on from.
    const partial = await append(s, id, 0, jpeg.subarray(0, 1000));
    expect(partial.status).toBe(400);
    const status = await graph<{ id: string; file_offset: number }>(s, 'GET', `/${id}`);
    expect(status.body).toEqual({ id, file_offset: 1000 });
    // Sending from the wrong offset is refused and changes nothing.
    const wrong = await append(s, id, 0, jpeg);
    expect(wrong.status).toBe(400);
    expect((await graph<{ file_offset: number }>(s, 'GET', `/${id}`)).body.file_offset).toBe(1000);

    const done = await append(s, id, 1000, jpeg.subarray(1000));
    expect(done.status).toBe(200);
    expect(typeof done.body.h).toBe('string');
    const created = await graph(
      s,
      'POST',
      `/${s.wabaId}/message_templates`,
      mediaTemplate('IMAGE', done.body.h as string),
    );
    expect(created.status).toBe(200);
    expect(created.body.status).toBe('PENDING');
  });

  it('needs the token, a known type and a length within the type limit', async () => {
    const s = await sim();
    const anonymous = await graph(s, 'GET', '/app', undefined, { token: null });
    expect(anonymous.status).toBe(401);
    expect(
      (await openSession(s, { file_name: 'x.gif', file_length: '10', file_type: 'image/gif' })).status,
    ).toBe(400);
    expect(
      (
        await openSession(s, {
          file_name: 'x.jpg',
          file_length: String(6 * 1024 * 1024),
          file_type: 'image/jpeg',
        })
      ).status,
    ).toBe(400);
    expect(
      (await openSession(s, { file_name: 'x.jpg', file_length: '0', file_type: 'image/jpeg' })).status,
    ).toBe(400);
    const session = await openSession(s, { file_name: 'x.jpg', file_length: '4', file_type: 'image/jpeg' });
    const refused = await append(s, session.id ?? '', 0, Buffer.from([1, 2, 3, 4]), 'OAuth wrong-token');
    expect(refused.status).toBe(401);
  });
});

describe('template creates with a media header', () => {
  it('refuse a missing, made-up or mismatched header_handle', async () => {
    const s = await sim();
    const missing = await graph(s, 'POST', `/${s.wabaId}/message_templates`, mediaTemplate('IMAGE'));
    expect(missing.status).toBe(400);
    expect(errorOf(missing).error_data?.details).toMatch(/header_handle/);
    const madeUp = await graph(
      s,
      'POST',
      `/${s.wabaId}/message_templates`,
      mediaTemplate('IMAGE', '4::made-up'),
    );
    expect(madeUp.status).toBe(400);

    const session = await openSession(s, {
      file_name: 'menu.jpg',
      file_length: String(jpeg.length),
      file_type: 'image/jpeg',
    });
    const { body } = await append(s, session.id ?? '', 0, jpeg);
    const asDocument = await graph(
      s,
      'POST',
      `/${s.wabaId}/message_templates`,
      mediaTemplate('DOCUMENT', body.h as string),
    );
    expect(asDocument.status).toBe(400);
    expect(errorOf(asDocument).error_data?.details).toMatch(/DOCUMENT header cannot use a image\/jpeg/);
    const list = await graph<{ data: unknown[] }>(
      s,
      'GET',
      `/${s.wabaId}/message_templates?name=with_document_header`,
    );
    expect(list.body.data).toHaveLength(0);
  });
});
