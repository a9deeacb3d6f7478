/**
 * `cache.invalidate(role)`: forget what an entry knows (credentials, cached refusal, backoff, the fleet's
 * shared refusal) so that the next call asks STS. A fetch already running writes nothing when it ends.
 */
import type { StsBudgetLink } from "../shared/sts-budget.js";
import type { RoleEntry } from "./entry.js";

/**
 * @example
 * ```ts
 * forgetEntry(budget, entry); // the next call is a miss
 * ```
 */
export function forgetEntry(budget: StsBudgetLink, entry: RoleEntry): void {
  budget.forgetRefusal?.(entry.key);
  entry.generation += 1;
  entry.credentials = undefined;
  entry.resolved = undefined;
  entry.expiresAt = undefined;
  entry.freshUntil = undefined;
  entry.rejected = undefined;
  entry.nextRefreshAt = undefined;
  entry.negativeUntil = undefined;
  entry.retryAt = undefined;
  entry.failures = 0;
  entry.inFlight = undefined;
}
