/**
 * A fleet of processes on a simulated clock: each fetches credentials when it starts, then calls STS
 * again whenever its refresh policy says so. No timers and no network, so 10,000 processes over hours of
 * simulated time take milliseconds, and the result depends only on the policy and the seed.
 */

/** When a process calls STS again, given the credentials it just got. */
export interface RefreshPolicy {
  name: string;
  /**
   * Simulated epoch ms of the next STS call of a process that got credentials at `fetchedAt` which
   * expire at `expiresAt`. Must be later than `fetchedAt`.
   */
  nextRefreshAt(fetchedAt: number, expiresAt: number, random: () => number): number;
}

export interface FleetOptions {
  processes: number;
  /** Processes start uniformly at random within this window (ms). */
  startWindowMs: number;
  /** Lifetime of every issued credential (ms). */
  lifetimeMs: number;
  /** Simulated time covered (ms from the first start). */
  horizonMs: number;
  random: () => number;
  /** Width of a counting bucket (ms). Default 1000: calls per second. */
  bucketMs?: number;
}

export interface FleetResult {
  policy: string;
  /** STS calls after the start-up fetches, within the horizon. */
  refreshCalls: number;
  /** Most refresh calls in one bucket, scaled to calls per second. */
  peakPerSecond: number;
  /** Refresh calls per second averaged over the horizon after the start window. */
  meanPerSecond: number;
  /** Time between the first and the last process's first refresh (ms): how spread out a round is. */
  firstRoundSpreadMs: number;
  /** Simulated time of the busiest bucket's start (ms). */
  peakAtMs: number;
}

/**
 * Runs the simulation for one policy.
 *
 * @example
 * ```ts
 * const sdk: RefreshPolicy = { name: "sdk", nextRefreshAt: (_f, exp) => exp - 300_000 };
 * simulateFleet(sdk, { processes: 10_000, startWindowMs: 1000, lifetimeMs: 3_600_000, horizonMs: 4 * 3_600_000, random: Math.random });
 * ```
 */
export function simulateFleet(policy: RefreshPolicy, options: FleetOptions): FleetResult {
  const bucketMs = options.bucketMs ?? 1000;
  if (!(options.processes > 0 && options.lifetimeMs > 0 && options.horizonMs > options.startWindowMs && bucketMs > 0)) {
    throw new RangeError("simulateFleet: processes, lifetime, bucket must be positive and the horizon longer than the start window");
  }
  const counts = new Map<number, number>();
  let refreshCalls = 0;
  let firstMin = Number.POSITIVE_INFINITY;
  let firstMax = Number.NEGATIVE_INFINITY;

  for (let p = 0; p < options.processes; p += 1) {
    let fetchedAt = options.random() * options.startWindowMs;
    let round = 0;
    for (;;) {
      const expiresAt = fetchedAt + options.lifetimeMs;
      const next = policy.nextRefreshAt(fetchedAt, expiresAt, options.random);
      if (!(next > fetchedAt)) {
        throw new RangeError(`policy "${policy.name}" scheduled a refresh at ${next}, not after the fetch at ${fetchedAt}`);
      }
      if (next >= options.horizonMs) break;
      if (round === 0) {
        firstMin = Math.min(firstMin, next);
        firstMax = Math.max(firstMax, next);
      }
      const bucket = Math.floor(next / bucketMs);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      refreshCalls += 1;
      fetchedAt = next;
      round += 1;
    }
  }

  let peak = 0;
  let peakBucket = 0;
  for (const [bucket, count] of counts) {
    if (count > peak || (count === peak && bucket < peakBucket)) {
      peak = count;
      peakBucket = bucket;
    }
  }
  const perSecond = 1000 / bucketMs;
  return {
    policy: policy.name,
    refreshCalls,
    peakPerSecond: peak * perSecond,
    meanPerSecond: refreshCalls / ((options.horizonMs - options.startWindowMs) / 1000),
    firstRoundSpreadMs: Number.isFinite(firstMin) ? firstMax - firstMin : Number.NaN,
    peakAtMs: peakBucket * bucketMs,
  };
}

/**
 * The SDK default: no background refresh; the first request after `expiration - 5 min` calls STS. With
 * steady traffic that is the moment the window opens.
 *
 * @example
 * ```ts
 * sdkDefaultPolicy.nextRefreshAt(0, 3_600_000, Math.random); // 3_300_000
 * ```
 */
export const sdkDefaultPolicy: RefreshPolicy = {
  name: "SDK default (refresh at expiry - 5 min)",
  nextRefreshAt: (_fetchedAt, expiresAt) => expiresAt - 300_000,
};
