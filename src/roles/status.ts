/**
 * What `status()` of a role cache reports: counters, the rate budget, and each entry's state. Plain data,
 * JSON-safe, no secrets (no key, token or session; the ExternalId is an identifier, not a secret).
 */
import type { ErrorSummary } from "../refresh/errors.js";
import { summarizeError } from "../refresh/errors.js";
import { entryState, type RoleEntry, type RoleEntryState } from "./entry.js";
import type { StsFailoverStatus } from "../sts/failover.js";
import type { RateBudgetStatus } from "../shared/rate-budget.js";
import { lastRejection, type RoleRejection } from "./rejection.js";

export interface RoleEntryStatus {
  roleArn: string;
  externalId?: string;
  roleSessionName: string;
  state: RoleEntryState;
  expiration?: Date;
  lastUsedAt: Date;
  lastRefreshAt?: Date;
  nextRefreshAt?: Date;
  /** Failed attempts since the last success. */
  failures: number;
  lastError?: ErrorSummary;
  /** Until when a refusal is answered from the cache. */
  negativeUntil?: Date;
  /** The last time AWS rejected this role's credentials (`provider.invalidate()`, or an attached client). */
  lastRejection?: RoleRejection;
  roleChaining?: boolean;
}

export interface RoleCacheCounters {
  /** Calls answered from cached credentials. */
  hits: number;
  /** Calls that started a fetch. */
  misses: number;
  /** Calls that joined a fetch already running. */
  coalesced: number;
  /** Calls answered with a cached refusal. */
  negativeHits: number;
  /** Calls answered with the last error during an entry's backoff (no STS call). */
  backoffHits: number;
  /** Entries dropped (idle, or least recently used past maxEntries). */
  evictions: number;
  /** AssumeRole calls sent to STS. */
  stsCalls: number;
  /** Of those, answered with Throttling. */
  throttled: number;
  /** Failed fetches (after retries), refusals included. */
  failures: number;
}

export interface AssumeRoleCacheStatus extends RoleCacheCounters {
  size: number;
  maxEntries: number;
  rate: RateBudgetStatus;
  /** The STS endpoint in use and each regional endpoint's circuit breaker (see failover). */
  sts: StsFailoverStatus;
  stopped: boolean;
  /**
   * AWS's clock minus this host's, ms, as the last client attached to one of the cache's roles measured it
   * (`systemClockOffset`): expiry is judged on AWS's clock. Absent until a client measured one.
   */
  clockOffsetMs?: number;
  /** Per entry, most recently used last. Left out with `status({ entries: false })`. */
  entries?: RoleEntryStatus[];
}

export function entryStatus(e: RoleEntry, now: number, offsetMs = 0): RoleEntryStatus {
  const s: RoleEntryStatus = {
    roleArn: e.request.role.arn,
    roleSessionName: e.request.roleSessionName,
    state: entryState(e, now, offsetMs),
    lastUsedAt: new Date(e.lastUsedAt),
    failures: e.failures,
  };
  if (e.request.externalId !== undefined) s.externalId = e.request.externalId;
  if (e.expiresAt !== undefined) s.expiration = new Date(e.expiresAt);
  if (e.lastRefreshAt !== undefined) s.lastRefreshAt = new Date(e.lastRefreshAt);
  if (e.nextRefreshAt !== undefined && e.usedSinceRefresh && e.inFlight === undefined) s.nextRefreshAt = new Date(e.nextRefreshAt);
  if (e.lastError !== undefined) s.lastError = summarizeError(e.lastError, e.credentials);
  if (e.negativeUntil !== undefined && now < e.negativeUntil) s.negativeUntil = new Date(e.negativeUntil);
  if (e.roleChaining !== undefined) s.roleChaining = e.roleChaining;
  const rejected = lastRejection(e);
  if (rejected !== undefined) s.lastRejection = rejected;
  return s;
}
