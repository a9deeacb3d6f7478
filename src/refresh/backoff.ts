/**
 * How long to wait before retrying a failed refresh: exponential, bounded, jittered. Pure, so it can be
 * tested without timers.
 */
import { stripUndefined } from "../shared/strip-undefined.js";
import { unitDraw } from "./unit-draw.js";

/**
 * Exponential backoff with jitter. Durations in milliseconds.
 *
 * The ceiling of attempt `n` (1-based) is `min(maxDelayMs, initialDelayMs * multiplier^(n-1))`; the
 * delay is then drawn from `[0, ceiling]` (`"full"` jitter), `[ceiling/2, ceiling]` (`"equal"`, the
 * default: spread out, but never an immediate retry) or is the ceiling itself (`"none"`).
 * Defaults: 1 s, doubling, at most 60 s, equal jitter — about 1, 2, 4, 8 … 60 s between STS calls.
 */
export interface BackoffPolicy {
  /** Ceiling of the first retry. Default 1000 ms. */
  initialDelayMs: number;
  /** Upper bound of any retry delay. Default 60,000 ms. */
  maxDelayMs: number;
  /** Growth of the ceiling per consecutive failure. Default 2. */
  multiplier: number;
  /** Jitter style. Default `"equal"`. */
  jitter: "full" | "equal" | "none";
}

/** The defaults documented on {@link BackoffPolicy}. */
export const DEFAULT_BACKOFF_POLICY: Readonly<BackoffPolicy> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  multiplier: 2,
  jitter: "equal",
});

/**
 * Delay before retry number `attempt` (1 for the first retry after one failure).
 *
 * @param attempt - consecutive failures so far (values below 1 count as 1).
 * @param policy - see {@link BackoffPolicy}.
 * @param random - a source of uniform numbers in `[0, 1)`; inject a seeded one in tests.
 * @returns delay in ms, never above `policy.maxDelayMs`.
 *
 * @example
 * ```ts
 * const delay = backoffDelay(3, DEFAULT_BACKOFF_POLICY, Math.random); // between 2000 and 4000 ms
 * ```
 */
export function backoffDelay(attempt: number, policy: Readonly<BackoffPolicy> = DEFAULT_BACKOFF_POLICY, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // Beyond a few dozen attempts the power overflows to Infinity; `min` still bounds it.
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (n - 1));
  const u = unitDraw(random);
  switch (policy.jitter) {
    case "full":
      return Math.round(ceiling * u);
    case "equal":
      return Math.round(ceiling / 2 + (ceiling / 2) * u);
    case "none":
      return Math.round(ceiling);
  }
}

/**
 * Fills in a partial policy and rejects nonsense at construction time.
 *
 * @example
 * ```ts
 * const policy = resolveBackoffPolicy({ initialDelayMs: 200, maxDelayMs: 5_000 });
 * ```
 */
export function resolveBackoffPolicy(partial: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY, ...stripUndefined(partial) };
  if (!(Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs > 0)) {
    throw new RangeError(`initialDelayMs must be a positive number of ms, got ${policy.initialDelayMs}`);
  }
  if (!(Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs)) {
    throw new RangeError(`maxDelayMs must be a number of ms not below initialDelayMs, got ${policy.maxDelayMs}`);
  }
  if (!(Number.isFinite(policy.multiplier) && policy.multiplier >= 1)) throw new RangeError(`multiplier must be >= 1, got ${policy.multiplier}`);
  if (!["full", "equal", "none"].includes(policy.jitter)) throw new RangeError(`jitter must be "full", "equal" or "none", got ${String(policy.jitter)}`);
  return policy;
}
