import { describe, expect, it } from "vitest";
import { formatCount, formatMs, formatNs, formatShare } from "../../bench/lib/format.js";

describe("formatMs", () => {
  it("picks a unit by magnitude, three significant digits", () => {
    expect(formatMs(301.4)).toBe("301 ms");
    expect(formatMs(12.34)).toBe("12.3 ms");
    expect(formatMs(1.234)).toBe("1.23 ms");
    expect(formatMs(0.0123)).toBe("12.3 µs");
    expect(formatMs(0.0004)).toBe("0.4 µs");
    expect(formatMs(2500)).toBe("2.5 s");
    expect(formatMs(0)).toBe("0 ms");
  });

  it("shows a dash for values that were not measured", () => {
    expect(formatMs(Number.NaN)).toBe("–");
  });
});

describe("formatShare", () => {
  it("keeps small non-zero shares visible", () => {
    expect(formatShare(0)).toBe("0 %");
    expect(formatShare(0.1234)).toBe("12.3 %");
    expect(formatShare(0.0123)).toBe("1.23 %");
    expect(formatShare(0.001)).toBe("0.10 %");
    expect(formatShare(0.00004)).toBe("<0.01 %");
  });
});

describe("formatNs and formatCount", () => {
  it("rounds nanoseconds and switches to µs for large values", () => {
    expect(formatNs(412.7)).toBe("413 ns");
    expect(formatNs(25_000)).toBe("25 µs");
  });

  it("groups thousands", () => {
    expect(formatCount(10_000)).toBe("10,000");
    expect(formatCount(Number.NaN)).toBe("–");
  });
});
