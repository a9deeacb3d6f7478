/**
 * One draw of an injected `random`, clamped into [0, 1]: a misbehaving random (negative, 1 or more, NaN)
 * cannot plan a refresh or a retry outside its window. Shared by the schedule and the backoff.
 */

/**
 * `random()` clamped into [0, 1]; NaN counts as 0.
 *
 * @example
 * ```ts
 * unitDraw(() => 1.5); // 1
 * ```
 */
export function unitDraw(random: () => number): number {
  const r = random();
  return Number.isNaN(r) ? 0 : Math.min(1, Math.max(0, r));
}
