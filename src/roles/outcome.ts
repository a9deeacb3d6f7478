/**
 * What a finished fetch does to its entry: new credentials and the next refresh planned; or a failure,
 * cached as a refusal or backed off. Given the time and the random draws, so it is testable without a cache.
 */
import { backoffDelay, type BackoffPolicy } from "../refresh/backoff.js";
import { DEFAULT_MANDATORY_WINDOW_MS, mandatoryWindowFor } from "../refresh/rejection-rules.js";
import { planNextRefresh, type SchedulePolicy } from "../refresh/schedule.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError } from "../shared/errors.js";
import { hasValidCredentials, type RoleEntry } from "./entry.js";
import { negativeCode } from "./negative.js";

/** How the cache judges expiry: AWS's clock minus ours (as a client measured it) and the mandatory window. */
export interface ExpiryClock {
  offsetMs: number;
  mandatoryWindowMs: number;
}

/**
 * Stores fresh credentials, with the mandatory window (the refresher's rule, `mandatoryWindowFor`), and
 * plans the next refresh on this host's clock (the refresher's schedule rules).
 *
 * @example
 * ```ts
 * recordSuccess(entry, credentials, Date.now(), DEFAULT_SCHEDULE_POLICY, Math.random, { offsetMs: 0, mandatoryWindowMs: 60_000 });
 * ```
 */
export function recordSuccess(
  entry: RoleEntry,
  credentials: SafeCredentials,
  now: number,
  schedule: SchedulePolicy,
  random: () => number,
  clock: ExpiryClock = { offsetMs: 0, mandatoryWindowMs: DEFAULT_MANDATORY_WINDOW_MS },
): void {
  const expiresAt = credentials.expiration?.getTime();
  entry.credentials = credentials;
  entry.resolved = Promise.resolve(credentials);
  entry.expiresAt = expiresAt;
  entry.freshUntil = expiresAt === undefined ? undefined : expiresAt - mandatoryWindowFor(expiresAt - now - clock.offsetMs, clock.mandatoryWindowMs);
  entry.rejected = undefined;
  entry.lastRefreshAt = now;
  entry.usedSinceRefresh = false;
  entry.failures = 0;
  entry.retryAt = undefined;
  entry.negativeUntil = undefined;
  // Planned on this host's clock: with a measured offset, expiry comes that much sooner (or later) here.
  entry.nextRefreshAt = planNextRefresh(expiresAt === undefined ? undefined : expiresAt - clock.offsetMs, now, schedule, random);
}

export interface FailureOutcome {
  /** What callers get from now on (redacted; for a refusal, with how long it is cached). */
  error: Error;
  /** A refusal, cached until `entry.negativeUntil`. */
  negative: boolean;
  /** The entry still holds valid credentials, served while it retries at `entry.retryAt`. */
  serving: boolean;
}

/**
 * Records a failed fetch: a refusal (AccessDenied, ValidationError…) is cached for `negativeTtlMs`; anything
 * else backs off (`backoff` policy), and an entry with valid credentials retries in the background then.
 *
 * @example
 * ```ts
 * const { error, negative } = recordFailure(entry, providerError, Date.now(), { negativeTtlMs: 60_000, backoff, random: Math.random });
 * ```
 */
export function recordFailure(
  entry: RoleEntry,
  error: unknown,
  now: number,
  policy: { negativeTtlMs: number; backoff: BackoffPolicy; random: () => number; offsetMs?: number },
): FailureOutcome {
  entry.lastErrorAt = now;
  if (negativeCode(error) !== undefined && policy.negativeTtlMs > 0) {
    entry.negativeUntil = now + policy.negativeTtlMs;
    const message =
      `${(error as Error).message} This refusal is cached until ${new Date(entry.negativeUntil).toISOString()} (negativeTtlMs ${policy.negativeTtlMs} ms): ` +
      "calls for this role get it without asking STS again; cache.invalidate(role) asks again at once.";
    entry.lastError = credentialsError(message, { tryNextLink: false, cause: (error as { cause?: unknown }).cause });
    return { error: entry.lastError, negative: true, serving: false };
  }
  entry.failures += 1;
  entry.retryAt = now + backoffDelay(entry.failures, policy.backoff, policy.random);
  entry.lastError = error instanceof Error ? error : new Error(String(error));
  const serving = hasValidCredentials(entry, now, policy.offsetMs);
  if (serving) entry.nextRefreshAt = entry.retryAt;
  return { error: entry.lastError, negative: false, serving };
}
