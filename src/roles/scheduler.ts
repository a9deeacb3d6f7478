/**
 * The refresh-ahead scheduler of a role cache: one timer for the whole cache (never one per entry). Each
 * tick refreshes the entries in use whose refresh is due, evicts the idle ones, and sleeps until the next
 * thing due. `planTick` decides (pure); `tick` carries it out.
 */
import type { RoleCacheCore } from "./core.js";
import { idle, nextWake, refreshDue, type RoleEntry } from "./entry.js";
import { evictEntry } from "./eviction.js";
import { startFetch } from "./fetch-lifecycle.js";

export interface TickPlan {
  /** In the entries' order (least recently used first). */
  actions: { entry: RoleEntry; action: "evict" | "refresh" }[];
  /** When to wake next (epoch ms; Infinity: nothing to do until a call). */
  next: number;
}

/**
 * What a tick at `now` does: idle entries (no fetch running) are evicted, entries due are refreshed, and
 * the others say when they next need the scheduler.
 *
 * @example
 * ```ts
 * const { actions, next } = planTick(entries.values(), Date.now(), 30 * 60_000);
 * ```
 */
export function planTick(entries: Iterable<RoleEntry>, now: number, idleTtlMs: number): TickPlan {
  const actions: TickPlan["actions"] = [];
  let next = Infinity;
  for (const entry of entries) {
    if (idle(entry, now, idleTtlMs)) actions.push({ entry, action: "evict" });
    else if (refreshDue(entry, now)) actions.push({ entry, action: "refresh" });
    else next = Math.min(next, nextWake(entry, idleTtlMs));
  }
  return { actions, next };
}

/** The scheduler's tick: refresh what is due and in use, evict what is idle, sleep until the next thing. */
export function tick(core: RoleCacheCore): void {
  if (core.stopped) return;
  const { actions, next } = planTick(core.entries.values(), core.now(), core.settings.idleTtlMs);
  for (const { entry, action } of actions) {
    if (action === "evict") evictEntry(core, entry);
    else startFetch(core, entry, "background").catch(() => undefined); // Recorded on the entry; callers keep valid credentials.
  }
  core.timer.arm(next);
}
