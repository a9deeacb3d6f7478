/**
 * Zipf-distributed picks: a few tenants make most requests, most tenants few (how SaaS traffic looks).
 */

/**
 * A sampler of ranks `0..n-1`, rank `k` with probability proportional to `1 / (k+1)^s`.
 *
 * @example
 * ```ts
 * const pick = zipfSampler(10_000, 1, seededRandom(7));
 * pick(); // 0 most often
 * ```
 */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`n must be a positive integer, got ${n}`);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / (k + 1) ** s;
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
