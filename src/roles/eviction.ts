/**
 * Which entries a role cache drops, and how: the least recently used past `maxEntries` (never one with a
 * fetch running), idle ones (the scheduler's call, scheduler.ts), and everything when it stops. An evicted
 * entry keeps no credentials; its provider, called again, brings it back as new.
 */
import type { RoleCacheCore } from "./core.js";
import type { RoleEntry } from "./entry.js";

/** Hits closer together than this do not move an entry in the LRU order (saves a Map delete/set per call). */
export const LRU_TOUCH_MS = 1_000;

/**
 * Moves a called entry to the most recently used end of the order (at most once per `LRU_TOUCH_MS`).
 *
 * @example
 * ```ts
 * touch(core, entry, Date.now());
 * ```
 */
export function touch(core: RoleCacheCore, entry: RoleEntry, now: number): void {
  if (entry.touchedAt + LRU_TOUCH_MS <= now && !entry.evicted) {
    entry.touchedAt = now;
    core.entries.delete(entry.key);
    core.entries.set(entry.key, entry);
  }
}

/**
 * Drops an entry and what it holds.
 *
 * @example
 * ```ts
 * evictEntry(core, entry);
 * ```
 */
export function evictEntry(core: RoleCacheCore, entry: RoleEntry): void {
  if (core.entries.get(entry.key) === entry) core.entries.delete(entry.key);
  core.fetchDeps.clampsLogged.delete(entry.key);
  entry.evicted = true;
  entry.credentials = undefined;
  entry.resolved = undefined;
  entry.expiresAt = undefined;
  entry.freshUntil = undefined;
  core.counters.evictions += 1;
  core.telemetry?.evicted();
}

/**
 * Adds an entry as the most recently used, then evicts the least recently used ones past `maxEntries`
 * (skipping those with a fetch running: their callers are waiting).
 *
 * @example
 * ```ts
 * insertEntry(core, newEntry(key, request, Date.now()));
 * ```
 */
export function insertEntry(core: RoleCacheCore, entry: RoleEntry): void {
  const { entries, settings } = core;
  entries.set(entry.key, entry);
  for (const oldest of entries.values()) {
    if (entries.size <= settings.maxEntries) break;
    if (oldest !== entry && oldest.inFlight === undefined) evictEntry(core, oldest);
  }
}

/** On stop: every entry dropped, not counted as evictions (nothing is served any more). */
export function dropAll(core: RoleCacheCore): void {
  for (const entry of core.entries.values()) {
    entry.evicted = true;
    entry.credentials = undefined;
    entry.resolved = undefined;
  }
  core.entries.clear();
}
