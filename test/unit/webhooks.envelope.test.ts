// The envelope check the intake writer runs on every signed body (whatsapp-cloud-api.md §6): what it
// accepts is processed, what it refuses is stored as 'unparseable' with a reason that says where.
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src-main/webhooks/envelope';

const body = (value: unknown): Buffer =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const messagesChange = {
  field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '123' }, messages: [] },
};

describe('webhook envelope', () => {
  it('accepts Meta envelope, turns numeric entry ids into strings and keeps each change value whole', () => {
    const result = parseEnvelope(
      body({
        object: 'whatsapp_business_account',
        entry: [
          { id: 102290129340398, time: 1700000000, changes: [messagesChange] },
          { id: '2', changes: [] },
        ],
      }),
    );
    expect(result).toEqual({
      ok: true,
      envelope: {
        object: 'whatsapp_business_account',
        entry: [
          { id: '102290129340398', changes: [messagesChange] },
          { id: '2', changes: [] },
        ],
      },
    });
  });

  it.each([
    ['{"object":', /^Not valid JSON: /],
    [[], /^Not a WhatsApp webhook: expected an object$/],
    [{ object: 'page', entry: [] }, /at object: expected "whatsapp_business_account"/],
    [{ object: 'whatsapp_business_account' }, /at entry: expected an array/],
    [{ object: 'whatsapp_business_account', entry: [] }, /at entry: expected at least one entry/],
    [{ object: 'whatsapp_business_account', entry: [null] }, /at entry\.0: expected an object/],
    [{ object: 'whatsapp_business_account', entry: [{ changes: [] }] }, /at entry\.0\.id: /],
    [
      { object: 'whatsapp_business_account', entry: [{ id: '1' }] },
      /at entry\.0\.changes: expected an array/,
    ],
    [
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [messagesChange, { value: {} }] }] },
      /at entry\.0\.changes\.1\.field: expected a non-empty string/,
    ],
    [
      {
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: [] }] }],
      },
      /at entry\.0\.changes\.0\.value: expected an object/,
    ],
  ])('refuses %j with a reason that says where', (input, reason) => {
    const result = parseEnvelope(body(input));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason.length).toBeLessThanOrEqual(300);
    }
  });
});
