/**
 * One cached role: its credentials and what is known of its last fetches; and the pure rules that decide,
 * from an entry and the time, what a caller gets and whether the scheduler refreshes or evicts it.
 */
import type { SafeCredentials } from "../shared/safe-credentials.js";
import type { AssumeRoleRequest } from "../sources/assume-role-config.js";

export interface RoleEntry {
  readonly key: string;
  readonly request: AssumeRoleRequest;
  credentials: SafeCredentials | undefined;
  /** `credentials` as a settled promise, handed to every hit (one per fetch, not one per call). */
  resolved: Promise<SafeCredentials> | undefined;
  /** Epoch ms; undefined: no credentials, or they do not expire. */
  expiresAt: number | undefined;
  lastRefreshAt: number | undefined;
  lastUsedAt: number;
  /** When the entry last moved to the most-recent end of the LRU order. */
  touchedAt: number;
  /** Called since the last successful fetch: only such entries are refreshed ahead of expiry. */
  usedSinceRefresh: boolean;
  /** When the background refresh is due (epoch ms). */
  nextRefreshAt: number | undefined;
  inFlight: Promise<SafeCredentials> | undefined;
  /** Callers waiting for the fetch in flight (its weight in the rate budget). */
  waiting: number;
  /** Failed attempts since the last success. */
  failures: number;
  /** No new attempt before this (epoch ms): backoff after a failure, shared by every caller. */
  retryAt: number | undefined;
  lastError: Error | undefined;
  lastErrorAt: number | undefined;
  /** A refusal (AccessDenied, ValidationError…) is answered from here until this time (epoch ms). */
  negativeUntil: number | undefined;
  roleChaining: boolean | undefined;
  /** Bumped by `invalidate()`: a fetch started before it must not write its result. */
  generation: number;
  evicted: boolean;
}

export function newEntry(key: string, request: AssumeRoleRequest, now: number): RoleEntry {
  return {
    key,
    request,
    credentials: undefined,
    resolved: undefined,
    expiresAt: undefined,
    lastRefreshAt: undefined,
    lastUsedAt: now,
    touchedAt: now,
    usedSinceRefresh: true,
    nextRefreshAt: undefined,
    inFlight: undefined,
    waiting: 0,
    failures: 0,
    retryAt: undefined,
    lastError: undefined,
    lastErrorAt: undefined,
    negativeUntil: undefined,
    roleChaining: undefined,
    generation: 0,
    evicted: false,
  };
}

export const hasValidCredentials = (e: RoleEntry, now: number): boolean =>
  e.credentials !== undefined && (e.expiresAt === undefined || now < e.expiresAt);

/**
 * What a call gets:
 * - `hit`: the cached credentials (valid; a refresh may be running or failing: stale-while-failing);
 * - `negative`: STS refused this role recently; the cached refusal, no STS call;
 * - `coalesced`: no valid credentials, a fetch is running: wait for it;
 * - `backoff`: no valid credentials, the last attempt failed and its backoff is on: the last error, no STS call;
 * - `miss`: fetch now.
 *
 * @example
 * ```ts
 * serveDecision(entry, Date.now()); // "hit"
 * ```
 */
export function serveDecision(e: RoleEntry, now: number): "hit" | "negative" | "coalesced" | "backoff" | "miss" {
  if (e.negativeUntil !== undefined && now < e.negativeUntil) return "negative";
  if (hasValidCredentials(e, now)) return "hit";
  if (e.inFlight !== undefined) return "coalesced";
  if (e.retryAt !== undefined && now < e.retryAt && e.lastError !== undefined) return "backoff";
  return "miss";
}

/** Whether the scheduler refreshes the entry now: in use, due, nothing running, no refusal or backoff on. */
export function refreshDue(e: RoleEntry, now: number): boolean {
  return (
    e.usedSinceRefresh &&
    e.credentials !== undefined &&
    e.inFlight === undefined &&
    e.nextRefreshAt !== undefined &&
    now >= e.nextRefreshAt &&
    (e.negativeUntil === undefined || now >= e.negativeUntil) &&
    (e.retryAt === undefined || now >= e.retryAt)
  );
}

/** Whether an entry unused for `idleMs` is dropped (never while a fetch runs). */
export function idle(e: RoleEntry, now: number, idleMs: number): boolean {
  return e.inFlight === undefined && now - e.lastUsedAt >= idleMs;
}

/** When the scheduler next has something to do for this entry (epoch ms), if anything. */
export function nextWake(e: RoleEntry, idleMs: number): number {
  const idleAt = e.lastUsedAt + idleMs;
  if (!e.usedSinceRefresh || e.nextRefreshAt === undefined) return idleAt;
  return Math.min(idleAt, Math.max(e.nextRefreshAt, e.retryAt ?? 0, e.negativeUntil ?? 0));
}

/**
 * - `pending`: first fetch running; `fresh`: valid credentials; `refreshing`: valid, a refresh running;
 * - `degraded`: valid, the last refresh failed (served meanwhile); `expired`: held credentials expired, refresh failing;
 * - `negative`: STS refused the role, refusal cached; `failed`: never fetched, last attempt failed;
 * - `idle`: nothing yet, or credentials that expired unused (nobody called since they were fetched, so they
 *   were rightly not refreshed: not a failure).
 */
export type RoleEntryState = "pending" | "fresh" | "refreshing" | "degraded" | "expired" | "negative" | "failed" | "idle";

export function entryState(e: RoleEntry, now: number): RoleEntryState {
  if (e.negativeUntil !== undefined && now < e.negativeUntil) return "negative";
  const valid = hasValidCredentials(e, now);
  if (valid) return e.inFlight ? "refreshing" : e.failures > 0 ? "degraded" : "fresh";
  if (e.inFlight) return "pending";
  if (e.credentials !== undefined) return e.failures > 0 ? "expired" : "idle";
  return e.lastError ? "failed" : "idle";
}
