import { describe, expect, it } from "vitest";
import { interquartileRange, median, medianOfRuns, percentile, summarizeLatencies } from "../../bench/lib/stats.js";

describe("percentile (nearest rank)", () => {
  it("returns real samples, never interpolations", () => {
    const sorted = [1, 2, 3, 4];
    expect(percentile(sorted, 50)).toBe(2);
    expect(percentile(sorted, 75)).toBe(3);
    expect(percentile(sorted, 99)).toBe(4);
    expect(percentile(sorted, 100)).toBe(4);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it("puts p99.9 of 1000 samples at rank 999 despite floating point", () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sorted, 99.9)).toBe(999);
    expect(percentile(sorted, 99)).toBe(990);
  });

  it("is NaN without samples and rejects percentiles outside [0, 100]", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("summarizeLatencies", () => {
  it("counts samples strictly over the threshold and their share", () => {
    const latencies = [...Array.from({ length: 97 }, () => 0.01), 50, 300, 320];
    const s = summarizeLatencies(latencies, 50);
    expect(s.count).toBe(100);
    expect(s.over).toBe(2);
    expect(s.shareOver).toBeCloseTo(0.02);
    expect(s.p50).toBe(0.01);
    expect(s.p99).toBe(300);
    expect(s.p999).toBe(320);
    expect(s.max).toBe(320);
    expect(s.mean).toBeCloseTo((97 * 0.01 + 670) / 100);
  });

  it("sorts numerically (not as strings)", () => {
    expect(summarizeLatencies([10, 9, 100, 2]).max).toBe(100);
    expect(summarizeLatencies([10, 9, 100, 2]).p50).toBe(9);
  });

  it("reports an empty run as NaN statistics and a zero share", () => {
    const s = summarizeLatencies([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
    expect(s.shareOver).toBe(0);
  });
});

describe("medianOfRuns", () => {
  it("takes the median of every field separately", () => {
    expect(medianOfRuns([{ a: 3, b: 10 }, { a: 1, b: 30 }, { a: 2, b: 20 }])).toEqual({ a: 2, b: 20 });
  });

  it("needs at least one run", () => {
    expect(() => medianOfRuns([])).toThrow(RangeError);
  });
});

describe("interquartileRange", () => {
  it("gives the first and third quartiles of unsorted values", () => {
    expect(interquartileRange([8, 1, 7, 2, 6, 3, 5, 4])).toEqual([2, 6]);
    expect(interquartileRange([5])).toEqual([5, 5]);
  });
});
