import { describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/random.js";
import { zipfSampler } from "../../bench/lib/zipf.js";

describe("zipfSampler", () => {
  it("picks rank k about 1/(k+1) as often as rank 0 (s = 1), always within range", () => {
    const pick = zipfSampler(1000, 1, seededRandom(1));
    const counts = new Array<number>(1000).fill(0);
    for (let i = 0; i < 200_000; i++) counts[pick()]! += 1;
    expect(counts[1]! / counts[0]!).toBeGreaterThan(0.45);
    expect(counts[1]! / counts[0]!).toBeLessThan(0.55);
    expect(counts[9]! / counts[0]!).toBeGreaterThan(0.07);
    expect(counts[9]! / counts[0]!).toBeLessThan(0.13);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200_000);
  });

  it("rejects a bad size", () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow(/positive integer/);
  });
});
