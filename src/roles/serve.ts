/**
 * Serving a call of one role's provider: the hot path (a hit hands out the settled promise of the last
 * fetch, no STS call, no promise built), and the slow paths `serveDecision` picks (a cached refusal or
 * backoff answered at once, a fetch joined or started, an evicted entry brought back).
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { markForSdk } from "../shared/sdk-marking.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { describeAssumeRole } from "../sources/assume-role-describe.js";
import { attachProvider } from "../refresh/rejection-middleware.js";
import { CLOCK_OFFSET, type RejectionTargetWithClock } from "../refresh/rejection-target.js";
import type { CachedRoleProvider } from "./cache-types.js";
import { noteClockOffset, stoppedError, WHO, type RoleCacheCore } from "./core.js";
import { hasValidCredentials, newEntry, serveDecision, type RoleEntry } from "./entry.js";
import { insertEntry, touch } from "./eviction.js";
import { startFetch } from "./fetch-lifecycle.js";
import { invalidateEntry, lastRejection, type EntryRejectionDeps } from "./rejection.js";
import { entryStatus } from "./status.js";

/**
 * The provider object of one entry (one per entry, for its whole life).
 *
 * @example
 * ```ts
 * core.providers.set(entry, makeProvider(core, entry, rejectionDeps));
 * ```
 */
export function makeProvider(core: RoleCacheCore, entry: RoleEntry, rejectionDeps: EntryRejectionDeps): CachedRoleProvider {
  const { counters, clock, timer } = core;
  // Not async: a hit hands out one already-settled promise per fetch (no promise built per call).
  const provider = markForSdk((): Promise<AwsCredentialIdentity> => {
    const t = Date.now();
    entry.lastUsedAt = t;
    touch(core, entry, t);
    if (!entry.usedSinceRefresh) {
      // Refreshed ahead of expiry only when in use: the scheduler learns it is due again.
      entry.usedSinceRefresh = true;
      if (entry.nextRefreshAt !== undefined) timer.arm(Math.max(entry.nextRefreshAt, entry.retryAt ?? 0));
    }
    const fresh = entry.freshUntil ?? entry.expiresAt;
    const hit = !core.stopped && !entry.evicted && entry.resolved !== undefined && (entry.negativeUntil === undefined || t >= entry.negativeUntil) && (fresh === undefined || t + clock.offsetMs < fresh);
    if (hit) {
      counters.hits += 1;
      return entry.resolved!;
    }
    return serveSlow(core, entry, t);
  }) as unknown as CachedRoleProvider;
  provider.describe = () => {
    const rejected = lastRejection(entry);
    const state = entryStatus(entry, core.now(), clock.offsetMs).state;
    return { ...describeAssumeRole(entry.request, core.transport, entry.roleChaining), state, ...(rejected ? { lastRejection: rejected } : {}) };
  };
  provider.invalidate = (accessKeyId, rejection = {}) => invalidateEntry(entry, accessKeyId, rejection, rejectionDeps);
  provider.attach = (client) => attachProvider(client, provider, `${WHO} (${entry.request.role.arn})`);
  // Not part of the public type (as on the refresher): an attached client hands its measured offset here.
  (provider as RejectionTargetWithClock)[CLOCK_OFFSET] = (offsetMs: number) => noteClockOffset(clock, offsetMs);
  return provider;
}

/** The slow paths of a call: anything but a hit. */
function serveSlow(core: RoleCacheCore, entry: RoleEntry, t: number): Promise<AwsCredentialIdentity> {
  const { counters, entries } = core;
  if (core.stopped) return Promise.reject(stoppedError(entry));
  if (entry.evicted) {
    const current = entries.get(entry.key);
    if (current !== undefined && current !== entry) return core.providers.get(current)!();
    // An evicted role asked for again: back in, as new.
    Object.assign(entry, newEntry(entry.key, entry.request, t), { generation: entry.generation + 1 });
    insertEntry(core, entry);
  }
  switch (serveDecision(entry, t, core.clock.offsetMs)) {
    case "hit":
      counters.hits += 1;
      return entry.resolved!;
    case "negative":
      counters.negativeHits += 1;
      return Promise.reject(entry.lastError!);
    case "coalesced":
      counters.coalesced += 1;
      entry.waiting += 1;
      // A queued background refresh of expired credentials now has a caller: it goes as demand.
      core.budget.nudge();
      return heldIfFetchFails(core, entry, entry.inFlight!);
    case "backoff":
      counters.backoffHits += 1;
      return Promise.reject(entry.lastError!);
    case "miss":
      counters.misses += 1;
      entry.waiting = 1;
      return heldIfFetchFails(core, entry, startFetch(core, entry, "demand"));
  }
}

/**
 * A caller inside the mandatory window waits for the fetch; if it fails, credentials AWS still accepts
 * are better than an error (as the refresher does).
 */
function heldIfFetchFails(core: RoleCacheCore, entry: RoleEntry, fetch: Promise<SafeCredentials>): Promise<AwsCredentialIdentity> {
  if (entry.credentials === undefined) return fetch;
  return fetch.catch((error: unknown) => {
    if (!entry.evicted && hasValidCredentials(entry, core.now(), core.clock.offsetMs)) return entry.credentials!;
    throw error;
  });
}
