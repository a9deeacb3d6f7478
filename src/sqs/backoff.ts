/**
 * Exponential backoff with jitter, for pollers and deleters that hit credential, throttling or
 * transient errors: waiting instead of spinning keeps a fleet from hammering SQS (or STS) in lockstep.
 */
import { backoffDelay } from "../refresh/backoff.js";
import { stripUndefined } from "../shared/strip-undefined.js";

/**
 * Exponential backoff with jitter, for pollers and deleters that hit credential, throttling or
 * transient errors: waiting instead of spinning keeps a fleet from hammering SQS (or STS) in lockstep.
 */
export interface BackoffPolicy {
  /** First delay, ms. Default 500. */
  initialDelayMs: number;
  /** Upper bound of any delay, ms. Default 20_000. */
  maxDelayMs: number;
  /** Growth per attempt. Default 2. */
  multiplier: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 20_000,
  multiplier: 2,
});

/**
 * Resolves a partial policy against the defaults, rejecting values that would spin or never wake up.
 *
 * @example
 * ```ts
 * resolveBackoff({ maxDelayMs: 2_000 }); // { initialDelayMs: 500, maxDelayMs: 2000, multiplier: 2 }
 * ```
 */
export function resolveBackoff(partial: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy = { ...DEFAULT_BACKOFF, ...stripUndefined(partial) };
  if (!Number.isFinite(policy.initialDelayMs) || policy.initialDelayMs <= 0) {
    throw new RangeError(`backoff.initialDelayMs must be a positive number of ms, got ${policy.initialDelayMs}`);
  }
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.initialDelayMs) {
    throw new RangeError(
      `backoff.maxDelayMs must be a finite number of ms ≥ initialDelayMs (${policy.initialDelayMs}), got ${policy.maxDelayMs}`,
    );
  }
  if (!Number.isFinite(policy.multiplier) || policy.multiplier < 1) {
    throw new RangeError(`backoff.multiplier must be ≥ 1, got ${policy.multiplier}`);
  }
  return policy;
}

/**
 * Delay before retry number `attempt` (0-based): "equal jitter" — half of the exponential step is
 * fixed, so a retry never comes back almost at once, and half is random, so callers that failed
 * together do not retry together.
 *
 * @example
 * ```ts
 * backoffDelayMs(0, DEFAULT_BACKOFF, () => 0.5); // 375
 * backoffDelayMs(10, DEFAULT_BACKOFF, Math.random); // between 10_000 and 20_000
 * ```
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  // One formula for the whole library: the refresh engine's, whose attempts count from 1 and which
  // already bounds huge or invalid attempt numbers and out-of-range random values.
  return backoffDelay(attempt + 1, { ...policy, jitter: "equal" }, random);
}
