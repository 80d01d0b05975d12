// THE list of every named rate limit the product uses: exactly the seed design's three. Call sites use
// these typed builders with RateLimiter.take(key, rule) / tryTake(key, rule), never ad-hoc strings.
import type { RateRule } from './types';

export interface NamedLimit {
  readonly key: string;
  readonly rule: RateRule;
}

const MINUTE = 60_000;
/** Meta's default throughput per business number: 80 messages/s (whatsapp-cloud-api.md §4). */
export const MAX_CONNECTION_RATE_PER_MINUTE = 80 * 60;
export const DEFAULT_CONNECTION_RATE_PER_MINUTE = 100;

function id(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new Error(`Rate limit key part ${name} must be a non-empty string of at most 256 characters.`);
  }
  return value;
}

/**
 * `whatsapp_api_rate_limit:connection:{id}`: every Cloud API request of a connection, from every module
 * (seed §1), checked before the request. 100/min by default, configurable per connection
 * (connections.rate_limit_per_minute) up to Meta's 80/s. Above 10/s the rule is expressed per second
 * (rounded down), so that no single second can exceed Meta's per-second throughput even though the
 * setting is per minute.
 */
export function whatsappApiLimit(
  connectionId: string,
  perMinute: number = DEFAULT_CONNECTION_RATE_PER_MINUTE,
): NamedLimit {
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > MAX_CONNECTION_RATE_PER_MINUTE) {
    throw new RangeError(
      `A connection's rate limit must be a whole number from 1 to ${MAX_CONNECTION_RATE_PER_MINUTE} per minute (80/s), got ${perMinute}.`,
    );
  }
  const rule: RateRule =
    perMinute > 600
      ? { count: Math.floor(perMinute / 60), periodMs: 1000 }
      : { count: perMinute, periodMs: MINUTE };
  return { key: `whatsapp_api_rate_limit:connection:${id('connectionId', connectionId)}`, rule };
}

/** Meta's upgraded throughput per business number: 1,000 messages/s (whatsapp-cloud-api.md §4). */
export const MAX_CONNECTION_RATE_PER_SECOND = 1000;

/**
 * The same `whatsapp_api_rate_limit:connection:{id}` key with a per-second rule, for a number Meta has
 * upgraded beyond 80/s (connections.rate_limit_per_second, migration 0006).
 */
export function whatsappApiLimitPerSecond(connectionId: string, perSecond: number): NamedLimit {
  if (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > MAX_CONNECTION_RATE_PER_SECOND) {
    throw new RangeError(
      `A connection's rate limit must be a whole number from 1 to ${MAX_CONNECTION_RATE_PER_SECOND} per second, got ${perSecond}.`,
    );
  }
  return {
    key: `whatsapp_api_rate_limit:connection:${id('connectionId', connectionId)}`,
    rule: { count: perSecond, periodMs: 1000 },
  };
}

/** The rule a connection row asks for: its per-second rate when set, else its per-minute rate. */
export function connectionLimit(row: {
  id: string;
  rate_limit_per_minute: number;
  rate_limit_per_second?: number | null;
}): NamedLimit {
  return row.rate_limit_per_second != null
    ? whatsappApiLimitPerSecond(row.id, row.rate_limit_per_second)
    : whatsappApiLimit(row.id, row.rate_limit_per_minute);
}

/** `template_sync_rate_limit:connection:{id}`: 10 template syncs per minute per connection. */
export function templateSyncLimit(connectionId: string): NamedLimit {
  return {
    key: `template_sync_rate_limit:connection:${id('connectionId', connectionId)}`,
    rule: { count: 10, periodMs: MINUTE },
  };
}

/**
 * `bot_rate_limit:{conversation_id}`: at most 5 bot messages per minute in a conversation, so two bots
 * (or a bot and an auto-reply on the customer's side) can never loop. A burst of 3 lets a greeting and
 * its menu go out together; the 60 s window still never holds more than 5 (gcra.ts).
 */
export function botLimit(conversationId: string): NamedLimit {
  return {
    key: `bot_rate_limit:${id('conversationId', conversationId)}`,
    rule: { count: 5, periodMs: MINUTE, burst: 3 },
  };
}
