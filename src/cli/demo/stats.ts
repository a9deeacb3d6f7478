/**
 * Percentiles for the demo's numbers. Pure.
 */

/**
 * The `p`-th percentile (0–100) by nearest rank; 0 for no samples.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4, 100], 99); // 100
 * ```
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The largest sample; 0 for none. */
export function maximum(samples: readonly number[]): number {
  return samples.reduce((max, x) => (x > max ? x : max), 0);
}

/** `part / whole` as a percentage with one decimal (`"12.5%"`); `"0%"` when `whole` is 0. */
export function share(part: number, whole: number): string {
  return whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(1)}%`;
}
