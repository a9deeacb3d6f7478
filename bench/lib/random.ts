/**
 * A small seeded PRNG (mulberry32), so simulated runs are reproducible: the same seed gives the same
 * fleet, the same jitter draws and the same peak.
 */

/**
 * Returns a generator of floats in [0, 1) determined by `seed`.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // always the same first value for seed 42
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
