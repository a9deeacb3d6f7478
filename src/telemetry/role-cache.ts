/**
 * Telemetry of an assume-role cache: `awscreds.role_cache.requests` by result (a lookup may be on the
 * request path, so it only adds 1 to a number read when collected), `awscreds.role_cache.evictions`,
 * and `awscreds.role_cache.size` read from the cache when collected.
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

  /** Stops the size gauge (call from the cache's `stop()`); request counts already made are reported once more. Idempotent. */
  close(): void {
    this.removeSize?.();
    this.removeSize = undefined;
  }
}

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
