/**
 * Which region an STS attempt goes to. Pure: the breakers, the regions already tried by this fetch and the
 * time in; the choice and the breakers (a half-open probe claimed) out.
 */
import { admitCall, reopensAt, type BreakerState } from "./breaker.js";

export interface RouteChoice {
  /** Index into the regions: 0 is the primary, then `failoverRegions` in order. */
  index: number;
  /** The call is a half-open breaker's probe. */
  probe: boolean;
  /**
   * Every breaker was open: this region was taken anyway (the one that reopens first), because one call
   * to a region that may have recovered beats failing without a call.
   */
  forced: boolean;
  breakers: BreakerState[];
}

/**
 * The first region, in order, that this round of attempts has not tried and whose breaker lets the call
 * through. When none does: at the start of a round, the region whose cool-down ends first (ties: the
 * earlier one), so a call is still made; later in a round, `undefined`, meaning the round is over (the
 * caller backs off and starts a new round with an empty `tried`).
 *
 * @example
 * ```ts
 * const choice = chooseRegion(breakers, new Set([0]), Date.now()); // after the primary failed
 * if (choice === undefined) await backOff(); // every region tried or shut
 * ```
 */
export function chooseRegion(breakers: readonly BreakerState[], tried: ReadonlySet<number>, now: number): RouteChoice | undefined {
  if (breakers.length === 0) throw new RangeError("chooseRegion needs at least one region");
  const untried = breakers.map((_, i) => i).filter((i) => !tried.has(i));
  for (const index of untried) {
    const admission = admitCall(breakers[index]!, now);
    if (admission.admitted) {
      const next = [...breakers];
      next[index] = admission.state;
      return { index, probe: admission.probe, forced: false, breakers: next };
    }
  }
  if (tried.size > 0) return undefined;
  let soonest = 0;
  for (const index of untried) {
    if ((reopensAt(breakers[index]!) ?? now) < (reopensAt(breakers[soonest]!) ?? now)) soonest = index;
  }
  return { index: soonest, probe: false, forced: true, breakers: [...breakers] };
}
