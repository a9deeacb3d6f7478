/**
 * What a role cache tells about itself: `status()` (counters, budget, STS endpoints, entries),
 * `describe()` (settings), and the OpenTelemetry instruments that read the same state when a reader collects.
 */
import { failoverDescription } from "../sources/assume-role-describe.js";
import type { AssumeRoleCacheDescription } from "./cache-types.js";
import type { RoleCacheCore } from "./core.js";
import type { RoleEntry } from "./entry.js";
import { entryStatus, type AssumeRoleCacheStatus } from "./status.js";

/**
 * @example
 * ```ts
 * cacheStatus(core, { entries: false }).stsCalls;
 * ```
 */
export function cacheStatus(core: RoleCacheCore, options?: { entries?: boolean }): AssumeRoleCacheStatus {
  const { entries, clock } = core;
  const t = core.now();
  const status: AssumeRoleCacheStatus = { size: entries.size, maxEntries: core.settings.maxEntries, ...core.counters, rate: core.budget.status(), sts: core.transport.status(), stopped: core.stopped };
  if (clock.known) status.clockOffsetMs = clock.offsetMs;
  if (options?.entries !== false) status.entries = [...entries.values()].map((e) => entryStatus(e, t, clock.offsetMs));
  return status;
}

/**
 * @example
 * ```ts
 * describeCache(core).stsBurst;
 * ```
 */
export function describeCache(core: RoleCacheCore): AssumeRoleCacheDescription {
  const { settings, transport } = core;
  const d: AssumeRoleCacheDescription = {
    region: transport.region,
    ...failoverDescription(transport),
    serviceName: settings.serviceName,
    maxEntries: settings.maxEntries,
    idleTtlMs: settings.idleTtlMs,
    negativeTtlMs: settings.negativeTtlMs,
    stsRequestsPerSecond: settings.bucket.targetRate,
    stsBurst: settings.bucket.burst,
  };
  const endpoint = transport.endpoint();
  if (endpoint !== undefined) d.endpoint = endpoint;
  return d;
}

/** Telemetry reads the cache's own state when a reader collects: a hit adds nothing to what it already does. */
export function observeCache(core: RoleCacheCore): void {
  const { telemetry, refreshTelemetry, entries } = core;
  telemetry?.observeSize(entries, (held) => held.size);
  telemetry?.observeRequests(core.counters, (c) => ({ hit: c.hits, miss: c.misses, coalesced: c.coalesced, negative: c.negativeHits + c.backoffHits }));
  telemetry?.observeBudget(core.budget, (b) => {
    const shared = b.status().shared;
    return shared && { shared: shared.mode === "shared", granted: shared.granted, waits: shared.waits, fallbacks: shared.fallbacks, fleetThrottles: shared.fleetThrottles };
  });
  refreshTelemetry?.observeExpiration(entries, soonestExpiration);
}

/**
 * The soonest expiry among the entries in use holding credentials (the one "expiry approaching" is about).
 * An entry nobody called since its fetch is not refreshed, by design: its expiry is no alert.
 */
export function soonestExpiration(entries: ReadonlyMap<string, RoleEntry>): Date | undefined {
  let soonest = Infinity;
  for (const entry of entries.values()) {
    if (entry.usedSinceRefresh && entry.credentials !== undefined && entry.expiresAt !== undefined && entry.expiresAt < soonest) soonest = entry.expiresAt;
  }
  return soonest === Infinity ? undefined : new Date(soonest);
}
