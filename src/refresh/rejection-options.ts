/**
 * Validation of the two rejection/expiry options shared by the refresher, the swapper and the role cache,
 * so the three accept and refuse the same values with the same words.
 */
import { DEFAULT_MANDATORY_WINDOW_MS, DEFAULT_REJECTION_REFRESH_INTERVAL_MS } from "./rejection-rules.js";

/** The two options as a caller may give them (either may be left out for its default). */
export interface RejectionOptionsInput {
  rejectionRefreshIntervalMs?: number;
  mandatoryWindowMs?: number;
}

/** The two options with defaults applied and checked. */
export interface RejectionOptions {
  rejectionRefreshIntervalMs: number;
  mandatoryWindowMs: number;
}

/**
 * Applies the defaults to `rejectionRefreshIntervalMs` and `mandatoryWindowMs` and throws a RangeError
 * naming `who` when either is negative, NaN or infinite.
 *
 * @example
 * ```ts
 * resolveRejectionOptions({ mandatoryWindowMs: 5_000 }, "awscreds refresher");
 * // { rejectionRefreshIntervalMs: 30_000, mandatoryWindowMs: 5_000 }
 * ```
 */
export function resolveRejectionOptions(options: RejectionOptionsInput, who: string): RejectionOptions {
  const rejectionRefreshIntervalMs = options.rejectionRefreshIntervalMs ?? DEFAULT_REJECTION_REFRESH_INTERVAL_MS;
  if (!(Number.isFinite(rejectionRefreshIntervalMs) && rejectionRefreshIntervalMs >= 0)) {
    throw new RangeError(`${who}: rejectionRefreshIntervalMs must be a non-negative number of ms, got ${rejectionRefreshIntervalMs}`);
  }
  const mandatoryWindowMs = options.mandatoryWindowMs ?? DEFAULT_MANDATORY_WINDOW_MS;
  if (!(Number.isFinite(mandatoryWindowMs) && mandatoryWindowMs >= 0)) {
    throw new RangeError(`${who}: mandatoryWindowMs must be a non-negative number of ms, got ${mandatoryWindowMs}`);
  }
  return { rejectionRefreshIntervalMs, mandatoryWindowMs };
}
