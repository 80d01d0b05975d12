// The intake's batch and reply formats: what the main thread packs into one transferred buffer comes
// out on the writer byte for byte (the signature is checked over the body exactly as received), with
// each event's own connection, secret and signature header; and a reply gives every event its result.
import { describe, expect, it } from 'vitest';
import {
  packBatch,
  replyOf,
  resultsOf,
  unpackBatch,
  type IntakeResult,
} from '../../src-main/webhooks/intakeProtocol';

describe('intake protocol', () => {
  it('unpacks each event with its own body bytes, signature header, connection and secret', () => {
    const events = [
      {
        connectionId: 'c1',
        appSecret: 's1',
        signature: 'sha256=' + 'a'.repeat(64),
        rawBody: Buffer.from('{"a":1}'),
      },
      // No signature header at all is not the same as an empty one.
      {
        connectionId: 'c2',
        appSecret: 's2',
        signature: undefined,
        rawBody: Buffer.from([0xff, 0x00, 0xc3, 0xa9]),
      },
      { connectionId: 'c1', appSecret: 's1', signature: '', rawBody: Buffer.alloc(0) },
      // A header value with obs-text (latin1 beyond ASCII) and a doubled header, as node:http joins them.
      {
        connectionId: 'c1',
        appSecret: 's1-rotated',
        signature: 'sha256=\u00e9x, sha256=y',
        rawBody: Buffer.from('z'),
      },
    ];
    const batch = packBatch(events);
    expect(batch.count).toBe(4);
    // Each connection and secret goes once, not once per event.
    expect(batch.connectionIds).toEqual(['c1', 'c2', 'c1']);
    expect(batch.appSecrets).toEqual(['s1', 's2', 's1-rotated']);
    const unpacked = unpackBatch(structuredClone(batch, { transfer: [batch.bytes] }));
    expect(
      unpacked.map((e) => ({
        connectionId: e.connectionId,
        appSecret: e.appSecret,
        signature: e.signature,
        body: [...e.body],
      })),
    ).toEqual(
      events.map((e) => ({
        connectionId: e.connectionId,
        appSecret: e.appSecret,
        signature: e.signature ?? null,
        body: [...e.rawBody],
      })),
    );
  });

  it('gives every event of a reply its result, in order', () => {
    const results: IntakeResult[] = [
      '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      { refused: 'mismatch' },
      '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c',
      { error: 'The commit was not made durable: EIO' },
    ];
    const reply = replyOf(2, results);
    expect(reply.batches).toBe(2);
    expect(resultsOf(structuredClone(reply))).toEqual(results);
    expect(resultsOf(replyOf(1, [{ refused: 'missing' }]))).toEqual([{ refused: 'missing' }]);
  });
});
