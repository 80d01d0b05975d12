// Builds a WhatsAppClient wired to a simulator and a real in-memory limiter (src-main/ratelimit).
import { createRateLimiter, type PersistentRateLimiter } from '../../src-main/ratelimit/limiter';
import type { RateRule } from '../../src-main/ratelimit/types';
import type { Simulator } from '../../src-main/simulator/simulator';
import { WhatsAppClient, type WhatsAppClientOptions } from '../../src-main/whatsapp/client';

export function clientFor(
  sim: Simulator,
  options: Partial<WhatsAppClientOptions> & { rule?: RateRule; limiter?: PersistentRateLimiter } = {},
): { client: WhatsAppClient; limiter: PersistentRateLimiter } {
  const limiter = options.limiter ?? createRateLimiter();
  const { rule, ...rest } = options;
  const client = new WhatsAppClient({
    baseUrl: sim.baseUrl,
    apiVersion: 'v24.0',
    accessToken: sim.accessToken,
    phoneNumberId: sim.phoneNumberId,
    wabaId: sim.wabaId,
    rateLimit: {
      key: 'whatsapp_api_rate_limit:connection:test',
      rule: rule ?? { count: 10_000, periodMs: 1000, burst: 100 },
    },
    timeoutMs: 5_000,
    ...rest,
    limiter,
  });
  return { client, limiter };
}
