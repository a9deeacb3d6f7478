import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF_POLICY, backoffDelay, resolveBackoffPolicy, type BackoffPolicy } from "../../src/refresh/backoff.js";
import { seededRandom } from "./helpers.js";

describe("backoffDelay", () => {
  it("grows exponentially within [ceiling/2, ceiling] with equal jitter (the default), capped", () => {
    const random = seededRandom(11);
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
      for (let i = 0; i < 500; i++) {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF_POLICY, random);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("draws from [0, ceiling] with full jitter and uses the ceiling without jitter", () => {
    const random = seededRandom(12);
    const full: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY, jitter: "full" };
    const none: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY, jitter: "none" };
    let smallest = Infinity;
    for (let i = 0; i < 2_000; i++) {
      const delay = backoffDelay(3, full, random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(4_000);
      smallest = Math.min(smallest, delay);
    }
    expect(smallest).toBeLessThan(100);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, none, random))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("is bounded for any attempt count, huge or invalid", () => {
    const random = seededRandom(13);
    for (const attempt of [0, -5, 1.7, 1_000, 1e9, Number.POSITIVE_INFINITY, Number.NaN]) {
      const delay = backoffDelay(attempt, DEFAULT_BACKOFF_POLICY, random);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF_POLICY.maxDelayMs);
      expect(delay).toBeGreaterThanOrEqual(0);
    }
    expect(backoffDelay(0, { ...DEFAULT_BACKOFF_POLICY, jitter: "none" })).toBe(1_000);
  });

  it("maps the draw onto [0, ceiling] (full) and [ceiling/2, ceiling] (equal) exactly; out-of-range draws clamp", () => {
    const full: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY, jitter: "full" };
    const delay = (policy: BackoffPolicy, r: number): number => backoffDelay(3, policy, () => r);
    // Attempt 3: ceiling 4 s.
    expect([0, 0.25, 0.5, 0.99, 1, 2, Number.POSITIVE_INFINITY, -0.5, Number.NaN].map((r) => delay(full, r))).toEqual([0, 1_000, 2_000, 3_960, 4_000, 4_000, 4_000, 0, 0]);
    expect([0, 0.5, 1, 2, -1, Number.NaN].map((r) => delay(DEFAULT_BACKOFF_POLICY, r))).toEqual([2_000, 3_000, 4_000, 4_000, 2_000, 2_000]);
  });

  it("keeps a constant delay with multiplier 1", () => {
    const policy = resolveBackoffPolicy({ multiplier: 1, jitter: "none", initialDelayMs: 250 });
    expect([1, 2, 10, 1_000].map((n) => backoffDelay(n, policy))).toEqual([250, 250, 250, 250]);
  });

  it("spreads the retries of many processes that failed together", () => {
    const random = seededRandom(14);
    const delays = new Set<number>();
    for (let i = 0; i < 1_000; i++) delays.add(Math.floor(backoffDelay(5, DEFAULT_BACKOFF_POLICY, random) / 100));
    // 8–16 s in 100 ms buckets: 80 buckets, nearly all used.
    expect(delays.size).toBeGreaterThan(70);
  });
});

describe("resolveBackoffPolicy", () => {
  it("fills in the documented defaults and keeps overrides", () => {
    expect(resolveBackoffPolicy()).toEqual({ initialDelayMs: 1_000, maxDelayMs: 60_000, multiplier: 2, jitter: "equal" });
    expect(resolveBackoffPolicy({ initialDelayMs: 200, maxDelayMs: undefined })).toMatchObject({ initialDelayMs: 200, maxDelayMs: 60_000 });
  });

  it("rejects nonsense", () => {
    expect(() => resolveBackoffPolicy({ initialDelayMs: 0 })).toThrow(RangeError);
    expect(() => resolveBackoffPolicy({ initialDelayMs: 5_000, maxDelayMs: 1_000 })).toThrow(/maxDelayMs/);
    expect(() => resolveBackoffPolicy({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => resolveBackoffPolicy({ multiplier: 0.999 })).toThrow(/multiplier must be >= 1, got 0.999/);
    expect(() => resolveBackoffPolicy({ multiplier: Number.NaN })).toThrow(/multiplier/);
    expect(() => resolveBackoffPolicy({ multiplier: Number.POSITIVE_INFINITY })).toThrow(/multiplier/);
    expect(() => resolveBackoffPolicy({ jitter: "some" as BackoffPolicy["jitter"] })).toThrow(/jitter/);
  });
});
