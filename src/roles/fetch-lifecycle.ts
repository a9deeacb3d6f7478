/**
 * One fetch of an entry, from start to what it leaves on the entry: the fetch goes through the rate budget
 * (budgeted-fetch.ts); its credentials are stored and the next refresh planned, or its failure is recorded
 * (cached refusal or backoff, outcome.ts) and logged. A fetch overtaken by `invalidate()` or eviction
 * writes nothing.
 */
import { withRefreshTelemetry } from "../telemetry/index.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { fetchThroughBudget } from "./budgeted-fetch.js";
import type { RoleCacheCore } from "./core.js";
import { nextWake, type RoleEntry } from "./entry.js";
import { recordFailure, recordSuccess } from "./outcome.js";
import type { Priority } from "../shared/rate-budget.js";

/**
 * Starts a fetch of `entry` (it becomes `entry.inFlight` until it settles).
 *
 * @example
 * ```ts
 * entry.waiting = 1;
 * const credentials = await startFetch(core, entry, "demand");
 * ```
 */
export function startFetch(core: RoleCacheCore, entry: RoleEntry, priority: Priority, reason: string = priority === "demand" ? "demand" : "scheduled"): Promise<SafeCredentials> {
  const generation = entry.generation;
  const current = (entry.inFlight = withRefreshTelemetry(core.refreshTelemetry, reason, () => fetchThroughBudget(entry, priority, core.fetchDeps))
    .then(
      (credentials) => {
        if (generation === entry.generation && !entry.evicted) stored(core, entry, credentials);
        return credentials;
      },
      (error: unknown) => {
        if (generation !== entry.generation || entry.evicted || core.stopped) throw error;
        throw failed(core, entry, error);
      },
    )
    .finally(() => {
      if (entry.inFlight === current) {
        entry.inFlight = undefined;
        entry.waiting = 0;
      }
    }));
  return current;
}

function stored(core: RoleCacheCore, entry: RoleEntry, credentials: SafeCredentials): void {
  recordSuccess(entry, credentials, core.now(), core.settings.schedule, core.settings.random, core.clock);
  core.timer.arm(nextWake(entry, core.settings.idleTtlMs));
}

function failed(core: RoleCacheCore, entry: RoleEntry, error: unknown): Error {
  const { settings, logger } = core;
  core.counters.failures += 1;
  const outcome = recordFailure(entry, error, core.now(), { negativeTtlMs: settings.negativeTtlMs, backoff: settings.backoff, random: settings.random, offsetMs: core.clock.offsetMs });
  if (outcome.negative) logger.warn(`awscreds: ${outcome.error.message}`);
  else if (outcome.serving) {
    logger.warn(
      `awscreds: refreshing ${entry.request.role.arn} failed; serving its credentials until ${new Date(entry.expiresAt ?? 0).toISOString()} ` +
        `and retrying at ${new Date(entry.retryAt ?? 0).toISOString()}: ${outcome.error.message}`,
    );
  }
  core.timer.arm(nextWake(entry, settings.idleTtlMs));
  return outcome.error;
}
