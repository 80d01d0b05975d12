// The campaign runner keeps callerWindowForRate(rate) sends in flight, each claimed ("sending") before
// its request is written; the client pool gives the connection socketsForRate(rate) sockets. If the
// window ever exceeded the sockets left beside SHARED_SOCKETS, a claimed request could wait for a socket,
// and a crash then would leave it unconfirmed although it never left (campaigns.runner.ts).
import { describe, expect, it } from 'vitest';
import { callerWindowForRate, SHARED_SOCKETS, socketsForRate } from '../../src-main/whatsapp/client';

describe('socket pool sized from the rate', () => {
  it('leaves SHARED_SOCKETS beside the campaign window at every rate a connection may have', () => {
    const rates = [1 / 60, 100 / 60, 1, 10, 79.99, 80, 81, 128, 200, 500, 999, 1000];
    for (let r = 1; r <= 1000; r++) rates.push(r);
    for (const rate of rates) {
      expect(callerWindowForRate(rate) + SHARED_SOCKETS).toBeLessThanOrEqual(socketsForRate(rate));
    }
  });

  it('keeps a quarter second in flight at high rates, 32 at 80/s, and at least 4', () => {
    expect(callerWindowForRate(1000)).toBe(250);
    expect(socketsForRate(1000)).toBe(282);
    expect(callerWindowForRate(80)).toBe(32);
    expect(callerWindowForRate(100 / 60)).toBe(4);
  });
});
