/**
 * Turns the public options into what the engine needs, validating them once at construction.
 */
import { silentLogger } from "../shared/logger.js";
import { resolveBackoffPolicy } from "./backoff.js";
import type { EngineOptions } from "./engine.js";
import { resolveSchedulePolicy } from "./schedule.js";
import { resolveRejectionOptions } from "./rejection-options.js";
import type { RefreshOptions } from "./types.js";

/**
 * Resolves options with their documented defaults; throws `RangeError`/`TypeError` on invalid ones.
 *
 * @example
 * ```ts
 * const engineOptions = resolveEngineOptions({ period: 60_000 }, "awscreds refresher");
 * ```
 */
export function resolveEngineOptions(options: RefreshOptions, defaultName: string): EngineOptions {
  if (typeof options !== "object" || options === null) throw new TypeError(`${defaultName}: options must be an object`);
  for (const key of ["onRefresh", "onRefreshError", "random"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") throw new TypeError(`${defaultName}: ${key} must be a function`);
  }
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  if (!(attemptTimeoutMs > 0)) throw new RangeError(`${defaultName}: attemptTimeoutMs must be a positive number of ms (or Infinity), got ${attemptTimeoutMs}`);
  const { rejectionRefreshIntervalMs, mandatoryWindowMs } = resolveRejectionOptions(options, defaultName);
  return {
    rejectionRefreshIntervalMs,
    mandatoryWindowMs,
    attemptTimeoutMs,
    name: options.name ?? defaultName,
    schedule: resolveSchedulePolicy(options.schedule, options.period),
    backoff: resolveBackoffPolicy(options.backoff),
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
    onRefresh: options.onRefresh,
    onRefreshError: options.onRefreshError,
  };
}
