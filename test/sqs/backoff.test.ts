import { describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_BACKOFF, resolveBackoff } from "../../src/sqs/backoff.js";

describe("backoffDelayMs", () => {
  const policy = resolveBackoff({ initialDelayMs: 100, maxDelayMs: 1_000 });

  it("grows exponentially up to the cap", () => {
    const mid = (attempt: number): number => backoffDelayMs(attempt, policy, () => 1);
    expect([0, 1, 2, 3, 4, 5].map(mid)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("keeps half the step fixed and jitters the other half", () => {
    expect(backoffDelayMs(2, policy, () => 0)).toBe(200);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(400);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, policy)));
    for (const delay of seen) {
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("stays finite for huge attempt numbers", () => {
    expect(backoffDelayMs(10_000, DEFAULT_BACKOFF, () => 1)).toBe(DEFAULT_BACKOFF.maxDelayMs);
  });
});

describe("resolveBackoff", () => {
  it("fills in defaults and ignores undefined", () => {
    expect(resolveBackoff({ maxDelayMs: undefined })).toEqual(DEFAULT_BACKOFF);
  });

  it("rejects values that would spin or never wake", () => {
    expect(() => resolveBackoff({ initialDelayMs: 0 })).toThrow(/initialDelayMs/);
    expect(() => resolveBackoff({ maxDelayMs: 10 })).toThrow(/maxDelayMs/);
    expect(() => resolveBackoff({ maxDelayMs: Number.POSITIVE_INFINITY })).toThrow(/maxDelayMs/);
    expect(() => resolveBackoff({ multiplier: 0.5 })).toThrow(/multiplier/);
  });
});
