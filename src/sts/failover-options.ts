/**
 * The failover options every provider on the regional STS transport takes (`fromRegionalWebIdentity`,
 * `fromRegionalAssumeRole`, `createAssumeRoleCache`), and their checks. One shape, so each provider
 * extends it instead of repeating it.
 */
import { DEFAULT_FAILOVER_COOLDOWN_MS } from "./breaker.js";

/**
 * Where STS is called in a region: a URL for the primary region only (VPC endpoint, LocalStack, a test
 * fake), or a function of the region (`undefined` from it: the regional endpoint, e.g. for failover
 * regions without a VPC endpoint).
 */
export type StsEndpointOption = string | ((region: string) => string | undefined);

/** Regional STS failover (guide: docs/sts-failover.md). */
export interface StsFailoverOptions {
  /**
   * Regions whose STS is tried, in order, when the primary region's fails with a retryable error (5xx,
   * network error, timeout); never on Throttling (a quota signal: the caller slows down), AccessDenied,
   * InvalidIdentityToken, ExpiredToken or validation errors. Same partition as the primary only (checked at construction). The primary and
   * repeats are ignored, so one list can serve a fleet spread over these regions. `[]` turns failover off.
   * Default: `AWSCREDS_STS_FAILOVER_REGIONS` (comma-separated), else none.
   */
  failoverRegions?: string[];
  /**
   * How long an endpoint whose circuit breaker opened (3 retryable failures in a row) is skipped before one
   * call probes it again; doubles (up to 5 min) while the probes fail, resets once one succeeds.
   * Default 30,000 ms.
   */
  failoverCooldownMs?: number;
}

/**
 * The cool-down to use, or a `RangeError` that says what is wrong.
 *
 * @example
 * ```ts
 * failoverCooldown({ failoverCooldownMs: 10_000 }); // 10000
 * ```
 */
export function failoverCooldown(options: StsFailoverOptions): number {
  const value = options.failoverCooldownMs;
  if (value === undefined) return DEFAULT_FAILOVER_COOLDOWN_MS;
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new RangeError(`failoverCooldownMs must be a positive number of ms, got ${String(value)}`);
  }
  return value;
}
