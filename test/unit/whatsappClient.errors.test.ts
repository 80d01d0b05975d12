// errors.ts on its own: the §3 table, header-derived retry times, and HTTP-only answers (no envelope)
// that the simulator never produces but proxies and Meta's edge do.
import { describe, expect, it } from 'vitest';
import { describeErrorCode, mapHttpError, retryAfterFromHeaders } from '../../src-main/whatsapp/errors';

const envelope = (error: Record<string, unknown>) => Buffer.from(JSON.stringify({ error }));

describe('mapHttpError', () => {
  it('keeps Meta’s fields: code, subcode, details (object or string), fbtrace_id, is_transient', () => {
    const e = mapHttpError(
      400,
      envelope({
        message: '(#131030) Recipient phone number not in allowed list',
        type: 'OAuthException',
        code: 131030,
        error_subcode: 2655007,
        error_data: { messaging_product: 'whatsapp', details: 'Recipient not allowed' },
        is_transient: false,
        fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      }),
      {},
    );
    expect(e).toMatchObject({
      kind: 'FATAL',
      code: 131030,
      subcode: 2655007,
      httpStatus: 400,
      details: 'Recipient not allowed',
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      isTransient: false,
      retry: 'never',
    });
    const stringData = mapHttpError(
      400,
      envelope({ message: 'm', code: 100, error_data: 'plain string' }),
      {},
    );
    expect(stringData.details).toBe('plain string');
  });

  it('branches on the code, not the HTTP status', () => {
    expect(mapHttpError(500, envelope({ message: 'm', code: 132001 }), {}).kind).toBe('TEMPLATE_NOT_FOUND');
    expect(mapHttpError(400, envelope({ message: 'm', code: 190 }), {}).kind).toBe('AUTH');
  });

  it('honours is_transient on an otherwise final or unknown code', () => {
    expect(mapHttpError(400, envelope({ message: 'm', code: 131026, is_transient: true }), {}).kind).toBe(
      'TRANSIENT',
    );
    expect(mapHttpError(400, envelope({ message: 'm', code: 999999, is_transient: true }), {}).kind).toBe(
      'TRANSIENT',
    );
    expect(mapHttpError(400, envelope({ message: 'm', code: 999999, is_transient: false }), {}).kind).toBe(
      'FATAL',
    );
  });

  it('maps the 200–299 permission range to FATAL with a permission advice', () => {
    const e = mapHttpError(403, envelope({ message: 'm', code: 200 }), {});
    expect(e.kind).toBe('FATAL');
    expect(e.advice).toMatch(/permission/);
  });

  it('falls back on the HTTP status without an envelope: 429 → RATE_LIMITED, 5xx → TRANSIENT, 401 → AUTH', () => {
    expect(mapHttpError(429, Buffer.from('Too Many Requests'), { 'retry-after': '7' })).toMatchObject({
      kind: 'RATE_LIMITED',
      code: null,
      retryAfterMs: 7000,
    });
    expect(mapHttpError(503, Buffer.from('<html>'), {})).toMatchObject({
      kind: 'TRANSIENT',
      code: null,
      httpStatus: 503,
    });
    expect(mapHttpError(401, Buffer.from(''), {}).kind).toBe('AUTH');
    expect(mapHttpError(404, Buffer.from(''), {}).kind).toBe('FATAL');
  });
});

describe('retry times', () => {
  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '12' })).toBe(12_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterFromHeaders({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
  });

  it('takes the largest estimated_time_to_regain_access (minutes) across entries', () => {
    const usage = JSON.stringify({
      '102290129340398': [
        { type: 'whatsapp_business_management', call_count: 100, estimated_time_to_regain_access: 3 },
        { type: 'whatsapp', call_count: 10, estimated_time_to_regain_access: 0 },
      ],
      '99': [{ type: 'whatsapp', estimated_time_to_regain_access: 5 }],
    });
    expect(retryAfterFromHeaders({ 'x-business-use-case-usage': usage })).toBe(5 * 60_000);
    expect(retryAfterFromHeaders({ 'x-business-use-case-usage': '{not json' })).toBeUndefined();
  });

  it('uses the code’s own rule when Meta gives no header', () => {
    expect(mapHttpError(400, envelope({ message: 'm', code: 130429 }), {}).retryAfterMs).toBe(1000);
    expect(mapHttpError(400, envelope({ message: 'm', code: 131056 }), {}).retryAfterMs).toBe(6000);
    expect(mapHttpError(400, envelope({ message: 'm', code: 80007 }), {}).retryAfterMs).toBe(60_000);
    expect(mapHttpError(400, envelope({ message: 'm', code: 131047 }), {}).retryAfterMs).toBeUndefined();
  });
});

describe('describeErrorCode (also for statuses[].errors in webhooks)', () => {
  it.each([
    [131026, 'FATAL', /delivered/],
    [131047, 'OUTSIDE_WINDOW', /template/],
    [131049, 'FATAL', /marketing/],
    [131050, 'FATAL', /opt-out/],
    [130429, 'RATE_LIMITED', /throughput/],
    [132015, 'TEMPLATE_PAUSED', /paused/],
  ])('%i → %s', (code, kind, advice) => {
    const info = describeErrorCode(code);
    expect(info.kind).toBe(kind);
    expect(info.advice).toMatch(advice);
  });

  it('gives every tabled code a one-line advice', () => {
    const codes = [
      0, 1, 2, 3, 4, 10, 33, 100, 190, 368, 80007, 80008, 130429, 130472, 131000, 131005, 131008, 131009,
      131016, 131021, 131026, 131030, 131031, 131042, 131045, 131047, 131048, 131049, 131050, 131051, 131052,
      131053, 131056, 131057, 131062, 132000, 132001, 132005, 132007, 132008, 132012, 132015, 132016, 133010,
      135000,
    ];
    for (const code of codes) {
      const { advice } = describeErrorCode(code);
      expect(advice.length, String(code)).toBeGreaterThan(15);
      expect(advice, String(code)).not.toContain('\n');
    }
  });
});
