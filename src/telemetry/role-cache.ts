/**
 * Telemetry of an assume-role cache: `awscreds.role_cache.requests` by result (a lookup may be on the
 * request path, so it only adds 1 to a number read when collected), `awscreds.role_cache.evictions`,
 * and `awscreds.role_cache.size` read from the cache when collected; with a shared STS budget,
 * `awscreds.sts_budget.shared` and `awscreds.sts_budget.events`, read from the budget when collected.
 */
import type { Attributes } from "@opentelemetry/api";
import { ATTR } from "./names.js";
import type { CountCell } from "./observed.js";
import type { TelemetryOption } from "./options.js";
import { resolveTelemetry, type TelemetryScope } from "./scope.js";

/** What a lookup found: a live entry, nothing (one AssumeRole starts), one under way, a cached refusal. */
export type RoleCacheResult = "hit" | "miss" | "coalesced" | "negative";

export class RoleCacheTelemetry {
  private readonly attributes: Attributes;
  private readonly cells: Record<RoleCacheResult, CountCell>;
  private removeSize: (() => void) | undefined;
  private removeRequests: (() => void) | undefined;
  private removeBudget: (() => void) | undefined;

  constructor(
    private readonly scope: TelemetryScope,
    name: string,
  ) {
    this.attributes = { [ATTR.provider]: name };
    const cell = (result: RoleCacheResult): CountCell => scope.roleCacheRequests.cell({ ...this.attributes, [ATTR.result]: result });
    this.cells = { hit: cell("hit"), miss: cell("miss"), coalesced: cell("coalesced"), negative: cell("negative") };
    scope.instruments();
  }

  /** One lookup (`cache.provider(key)` or a resolution through it). */
  request(result: RoleCacheResult): void {
    this.cells[result].value += 1;
  }

  /**
   * Reports `awscreds.role_cache.requests` from counts the cache keeps itself (`read(owner)`, monotonic),
   * read only when a reader collects: a cache hit stays a plain field increment of the cache's own, with
   * no telemetry call at all. `owner` is held weakly; counts already reported stay when it goes.
   */
  observeRequests<Owner extends object>(owner: Owner, read: (owner: Owner) => Readonly<Record<RoleCacheResult, number>>): void {
    this.removeRequests?.();
    const ref = new WeakRef(owner);
    const seen: Record<RoleCacheResult, number> = { hit: 0, miss: 0, coalesced: 0, negative: 0 };
    const pull = (): boolean => {
      const current = ref.deref();
      if (current === undefined) return false;
      const counts = read(current);
      for (const result of ROLE_CACHE_RESULTS) {
        const delta = counts[result] - seen[result];
        if (delta > 0) {
          this.cells[result].value += delta;
          seen[result] = counts[result];
        }
      }
      return true;
    };
    this.removeRequests = this.scope.roleCacheRequests.addPull(pull);
  }

  /** `count` entries evicted (idle, LRU over `maxEntries`). */
  evicted(count = 1): void {
    if (count > 0) this.scope.instruments()?.roleCacheEvictions.add(count, this.attributes);
  }

  /** Reports `awscreds.role_cache.size` from `size(owner)` when collected; `owner` is held weakly. */
  observeSize<Owner extends object>(owner: Owner, size: (owner: Owner) => number): void {
    this.removeSize?.();
    this.removeSize = this.scope.roleCacheSize.add(owner, size, () => this.attributes);
  }

  /**
   * Reports a shared STS budget (`read(owner)`: its counts, or `undefined` when the cache has none) when
   * collected: `awscreds.sts_budget.shared` (1 shared, 0 local share) and `awscreds.sts_budget.events`.
   */
  observeBudget<Owner extends object>(owner: Owner, read: (owner: Owner) => SharedBudgetCounts | undefined): void {
    const attributes = this.attributes;
    // Made on the first counts: a cache without a shared budget reports no series at all.
    let cells: Record<(typeof STS_BUDGET_EVENTS)[number], CountCell> | undefined;
    const seen = { granted: 0, waited: 0, fallback: 0, fleet_throttled: 0 };
    const ref = new WeakRef(owner);
    this.removeBudget = this.scope.stsBudgetShared.add(owner, (o) => (read(o)?.shared === undefined ? undefined : read(o)!.shared ? 1 : 0), () => attributes);
    this.scope.stsBudgetEvents.addPull(() => {
      const current = ref.deref();
      if (current === undefined) return false;
      const counts = read(current);
      if (counts === undefined) return true;
      cells ??= Object.fromEntries(STS_BUDGET_EVENTS.map((r) => [r, this.scope.stsBudgetEvents.cell({ ...attributes, [ATTR.result]: r })])) as Record<(typeof STS_BUDGET_EVENTS)[number], CountCell>;
      const now = { granted: counts.granted, waited: counts.waits, fallback: counts.fallbacks, fleet_throttled: counts.fleetThrottles };
      for (const r of STS_BUDGET_EVENTS) {
        if (now[r] > seen[r]) {
          cells[r].value += now[r] - seen[r];
          seen[r] = now[r];
        }
      }
      return true;
    });
  }

  /** Stops the size gauge (call from the cache's `stop()`); request counts already made are reported once more. Idempotent. */
  close(): void {
    this.removeSize?.();
    this.removeSize = undefined;
    this.removeBudget?.();
    this.removeBudget = undefined;
  }
}

/** What a shared STS budget reports (`status().rate.shared`), as telemetry reads it. */
export interface SharedBudgetCounts {
  shared: boolean;
  granted: number;
  waits: number;
  fallbacks: number;
  fleetThrottles: number;
}

/** `awscreds.sts_budget.events` results. `fleet_throttled`: Throttling answers of the whole fleet (take the max over replicas, not the sum). */
export const STS_BUDGET_EVENTS = ["granted", "waited", "fallback", "fleet_throttled"] as const;

/** Every result a lookup can report, in a fixed order (for docs and tests). */
export const ROLE_CACHE_RESULTS: readonly RoleCacheResult[] = ["hit", "miss", "coalesced", "negative"];

/**
 * The cache's telemetry, or `undefined` when off. `name` becomes `awscreds.provider`.
 *
 * @example
 * ```ts
 * const telemetry = roleCacheTelemetry(options.telemetry, options.name ?? "awscreds role cache");
 * telemetry?.observeSize(cache, (c) => c.entries.size);
 * telemetry?.request("hit");
 * ```
 */
export function roleCacheTelemetry(option: TelemetryOption | undefined, name: string): RoleCacheTelemetry | undefined {
  const scope = resolveTelemetry(option);
  return scope === undefined ? undefined : new RoleCacheTelemetry(scope, name);
}
