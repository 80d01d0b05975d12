// Fault switches. Every random decision draws from one seeded PRNG, so a run with the same seed and the
// same traffic reproduces the same duplicates, drops, orderings and error bursts.
import { graphError, type GraphError } from './graphErrors';
import { createPrng, type Prng } from './prng';

export interface FaultConfig {
  /** Seed of the PRNG; setting it restarts the sequence. */
  seed: number;
  /** Probability that a webhook POST is delivered a second time (at-least-once, §6). */
  duplicateRate: number;
  /** Probability that a `delivered` status is never sent (§6: delivered can be skipped). */
  dropDeliveredRate: number;
  /** Hold updates for `reorderWindowMs` and deliver them shuffled (§6: no ordering guarantee). */
  reorder: boolean;
  reorderWindowMs: number;
  /** Collect updates for `batchWindowMs` and POST up to `batchMax` of them in one body (§6). */
  batch: boolean;
  batchWindowMs: number;
  batchMax: number;
  /** Probability that an API request starts a burst of `serverErrorBurst` 5xx answers. */
  serverErrorRate: number;
  serverErrorBurst: number;
  /** Transient codes a burst draws from (§3: 131000 → 500, 2 → 503, 131016 → 500). */
  serverErrorCodes: number[];
  /**
   * Probability that a request is processed (a send: accepted into the ledger) and then answered only
   * after `slowResponseMs`: longer than the client's timeout, this is how an UNKNOWN_OUTCOME is provoked.
   */
  slowResponseRate: number;
  slowResponseMs: number;
  /** Probability that the connection is reset after a request was processed (no response at all). */
  resetAfterAcceptRate: number;
}

export const defaultFaults: FaultConfig = {
  seed: 1,
  duplicateRate: 0,
  dropDeliveredRate: 0,
  reorder: false,
  reorderWindowMs: 50,
  batch: false,
  batchWindowMs: 50,
  batchMax: 1000,
  serverErrorRate: 0,
  serverErrorBurst: 3,
  serverErrorCodes: [131000, 2, 131016],
  slowResponseRate: 0,
  slowResponseMs: 0,
  resetAfterAcceptRate: 0,
};

export interface InjectedErrors {
  code: number;
  count: number;
  /** Only requests whose path ends with this suffix (e.g. `/messages`); all requests when absent. */
  pathSuffix?: string;
  details?: string;
  headers?: Record<string, string>;
  /** Overrides the code's usual is_transient (§3: honour the flag, whatever the code). */
  isTransient?: boolean;
}

export class Faults {
  private current: FaultConfig;
  private rng: Prng;
  private burstLeft = 0;
  private readonly injected: InjectedErrors[] = [];

  constructor(config: Partial<FaultConfig> = {}) {
    this.current = { ...defaultFaults, ...config };
    this.rng = createPrng(this.current.seed);
  }

  get config(): Readonly<FaultConfig> {
    return this.current;
  }

  get prng(): Prng {
    return this.rng;
  }

  set(patch: Partial<FaultConfig>): void {
    this.current = { ...this.current, ...patch };
    if (patch.seed !== undefined) this.rng = createPrng(patch.seed);
  }

  reset(): void {
    this.current = { ...defaultFaults, seed: this.current.seed };
    this.rng = createPrng(this.current.seed);
    this.burstLeft = 0;
    this.injected.length = 0;
  }

  inject(errors: InjectedErrors): void {
    if (errors.count > 0) this.injected.push({ ...errors });
  }

  /** An injected or burst error for this request, if one is due. */
  errorFor(path: string): GraphError | null {
    const match = this.injected.find((e) => e.pathSuffix === undefined || path.endsWith(e.pathSuffix));
    if (match) {
      match.count -= 1;
      if (match.count <= 0) this.injected.splice(this.injected.indexOf(match), 1);
      return graphError(match.code, match.details, {
        ...(match.headers ? { headers: match.headers } : {}),
        ...(match.isTransient !== undefined ? { isTransient: match.isTransient } : {}),
      });
    }
    if (this.burstLeft === 0 && this.rng.chance(this.current.serverErrorRate)) {
      this.burstLeft = this.current.serverErrorBurst;
    }
    if (this.burstLeft > 0) {
      this.burstLeft -= 1;
      const codes = this.current.serverErrorCodes;
      const code = codes[Math.floor(this.rng.next() * codes.length)] ?? 131000;
      return graphError(code, 'Simulated server error burst', { isTransient: true });
    }
    return null;
  }

  /** How long to hold an accepted send's response (0 = answer at once). */
  holdAfterAccept(): number {
    return this.rng.chance(this.current.slowResponseRate) ? this.current.slowResponseMs : 0;
  }

  resetAfterAccept(): boolean {
    return this.rng.chance(this.current.resetAfterAcceptRate);
  }

  duplicate(): boolean {
    return this.rng.chance(this.current.duplicateRate);
  }

  dropDelivered(): boolean {
    return this.rng.chance(this.current.dropDeliveredRate);
  }
}
