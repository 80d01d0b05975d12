// Meta's sending limits as the simulator enforces them (whatsapp-cloud-api.md §4):
// - throughput per business number (default 80 mps) → 130429;
// - pair rate limit per recipient: 1 message / 6 s, bursts of up to 45 that borrow future quota → 131056;
// - messaging limit: unique users messaged outside a service window per rolling 24 h (tier) → error;
// - the 24 h customer-service window per user (§7), opened by each inbound message.

/** GCRA state for one key: the theoretical arrival time. Pure arithmetic on the simulator clock. */
class Gcra {
  private readonly tat = new Map<string, number>();

  /** Takes a slot for `key` at `now`, or returns how long until one frees up. */
  take(
    key: string,
    now: number,
    intervalMs: number,
    burst: number,
  ): { ok: true } | { ok: false; waitMs: number } {
    const tolerance = (burst - 1) * intervalMs;
    const tat = Math.max(this.tat.get(key) ?? now, now);
    if (tat - now > tolerance) return { ok: false, waitMs: tat - now - tolerance };
    this.tat.set(key, tat + intervalMs);
    return { ok: true };
  }

  reset(): void {
    this.tat.clear();
  }
}

export type MessagingTier = 'TIER_250' | 'TIER_2K' | 'TIER_10K' | 'TIER_100K' | 'TIER_UNLIMITED';

const tierCaps: Record<MessagingTier, number> = {
  TIER_250: 250,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
};

export const dayMs = 24 * 60 * 60 * 1000;
/** §4: 1 message per 6 s to the same user. */
export const pairIntervalMs = 6_000;
/** §4: bursts of up to 45 messages borrow future quota. */
export const pairBurst = 45;

export interface ThroughputSetting {
  mps: number;
  /**
   * Meta states only "N messages per second" (§4); the tolerance it applies is unverified. We read it as
   * a bucket of one second's worth (GCRA with burst = mps): a sender that keeps to N per second never
   * trips it, even when network or scheduling delays bunch its requests on arrival, while any sustained
   * excess — or more than a second's quota at once — gets 130429. Benchmarks on a loaded 2-core machine
   * showed arrival bunching beyond 100 ms, which a tighter bucket turned into spurious 130429s.
   */
  burst: number;
}

export function throughputSetting(mps: number, burst?: number): ThroughputSetting {
  if (!(mps > 0)) throw new RangeError('throughput must be positive');
  return { mps, burst: burst ?? Math.max(1, Math.round(mps)) };
}

export class Limits {
  private readonly throughputGcra = new Gcra();
  private readonly pairGcra = new Gcra();
  /** Last inbound message time per (pnid, wa_id): the service window. */
  private readonly lastInbound = new Map<string, number>();
  /** First time each user was messaged outside a window, per pnid (rolling 24 h tier count). */
  private readonly businessInitiated = new Map<string, Map<string, number>>();

  constructor(
    public throughput: ThroughputSetting,
    public tier: MessagingTier,
  ) {}

  takeThroughput(phoneNumberId: string, now: number): { ok: true } | { ok: false; waitMs: number } {
    return this.throughputGcra.take(phoneNumberId, now, 1000 / this.throughput.mps, this.throughput.burst);
  }

  takePair(phoneNumberId: string, waId: string, now: number): { ok: true } | { ok: false; waitMs: number } {
    return this.pairGcra.take(`${phoneNumberId}:${waId}`, now, pairIntervalMs, pairBurst);
  }

  recordInbound(phoneNumberId: string, waId: string, at: number): void {
    const key = `${phoneNumberId}:${waId}`;
    this.lastInbound.set(key, Math.max(this.lastInbound.get(key) ?? 0, at));
  }

  /** §7: the window lasts 24 h from the user's last message. */
  windowOpen(phoneNumberId: string, waId: string, now: number): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}:${waId}`);
    return last !== undefined && now - last < dayMs;
  }

  /**
   * §4 messaging limit: counts unique users messaged outside a service window in the last 24 h.
   * Returns false (and records nothing) when this send would exceed the tier.
   */
  admitBusinessInitiated(phoneNumberId: string, waId: string, now: number): boolean {
    let users = this.businessInitiated.get(phoneNumberId);
    if (!users) {
      users = new Map();
      this.businessInitiated.set(phoneNumberId, users);
    }
    // Insertion order is time order, so expired users sit at the front.
    for (const [user, at] of users) {
      if (now - at < dayMs) break;
      users.delete(user);
    }
    if (users.has(waId)) return true;
    if (users.size >= tierCaps[this.tier]) return false;
    users.set(waId, now);
    return true;
  }

  uniqueBusinessInitiated(phoneNumberId: string): number {
    return this.businessInitiated.get(phoneNumberId)?.size ?? 0;
  }

  reset(): void {
    this.throughputGcra.reset();
    this.pairGcra.reset();
  }
}
