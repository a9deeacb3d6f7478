/**
 * Order statistics for latency samples. Percentiles use the nearest-rank definition (the value of a real
 * sample, never an interpolation), so "p99.9 = 301 ms" means at least one resolution really took 301 ms.
 */

/** Summary of one side's latencies, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Number of samples strictly above the threshold. */
  over: number;
  /** `over / count`, 0 when there are no samples. */
  shareOver: number;
  thresholdMs: number;
}

/**
 * Nearest-rank percentile of an ascending-sorted array: the smallest value such that at least `p`% of the
 * samples are at or below it. Returns NaN for an empty array.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * percentile([1, 2, 3, 4], 99); // 4
 * ```
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  // Rounding before ceil keeps p99.9 of 1000 samples at rank 999 despite 99.9/100*1000 = 999.0000000000001.
  const rank = Math.max(1, Math.ceil(Number(((p / 100) * n).toFixed(9))));
  return sortedAscending[Math.min(n, rank) - 1]!;
}

/**
 * Median of unsorted values (mean of the two middle values for an even count). NaN when empty.
 *
 * @example
 * ```ts
 * median([5, 1, 3]); // 3
 * median([4, 1, 3, 2]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Percentiles, max, mean and the share of samples over `thresholdMs`.
 *
 * @example
 * ```ts
 * const s = summarizeLatencies([0.01, 0.02, 310], 50);
 * s.over; // 1
 * s.shareOver; // 0.333…
 * ```
 */
export function summarizeLatencies(latenciesMs: readonly number[], thresholdMs = 50): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const asArray = Array.from(sorted);
  let sum = 0;
  let over = 0;
  for (const v of asArray) {
    sum += v;
    if (v > thresholdMs) over += 1;
  }
  const count = asArray.length;
  return {
    count,
    p50: percentile(asArray, 50),
    p99: percentile(asArray, 99),
    p999: percentile(asArray, 99.9),
    max: count === 0 ? Number.NaN : asArray[count - 1]!,
    mean: count === 0 ? Number.NaN : sum / count,
    over,
    shareOver: count === 0 ? 0 : over / count,
    thresholdMs,
  };
}

/**
 * Median of each numeric field across repeated runs of the same measurement.
 *
 * @example
 * ```ts
 * medianOfRuns([{ ms: 3 }, { ms: 1 }, { ms: 2 }]); // { ms: 2 }
 * ```
 */
export function medianOfRuns<K extends string>(runs: readonly Readonly<Record<K, number>>[]): Record<K, number> {
  const first = runs[0];
  if (first === undefined) throw new RangeError("medianOfRuns needs at least one run");
  const out = {} as Record<K, number>;
  for (const key of Object.keys(first) as K[]) out[key] = median(runs.map((r) => r[key]));
  return out;
}

/**
 * First and third quartiles (nearest rank) of unsorted values: the spread of repeated runs.
 *
 * @example
 * ```ts
 * interquartileRange([1, 2, 3, 4, 5, 6, 7, 8]); // [2, 6]
 * ```
 */
export function interquartileRange(values: readonly number[]): readonly [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [percentile(sorted, 25), percentile(sorted, 75)];
}
