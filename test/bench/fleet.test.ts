import { describe, expect, it } from "vitest";
import { sdkDefaultPolicy, simulateFleet, type RefreshPolicy } from "../../bench/lib/fleet.js";
import { seededRandom } from "../../bench/lib/random.js";

const base = { processes: 1000, startWindowMs: 1000, lifetimeMs: 3_600_000, horizonMs: 4 * 3_600_000 };

describe("simulateFleet", () => {
  it("shows the SDK default refreshing the whole fleet within the start window", () => {
    const r = simulateFleet(sdkDefaultPolicy, { ...base, random: seededRandom(1) });
    // Every 55 minutes, four rounds within four hours.
    expect(r.refreshCalls).toBe(4000);
    expect(r.firstRoundSpreadMs).toBeLessThan(1000);
    expect(r.peakPerSecond).toBeGreaterThan(900);
    expect(r.meanPerSecond).toBeCloseTo(4000 / (4 * 3600 - 1), 5);
  });

  it("spreads a jittered policy's refreshes and lowers the peak", () => {
    const jittered: RefreshPolicy = {
      name: "jittered",
      nextRefreshAt: (_fetchedAt, expiresAt, random) => expiresAt - 600_000 - random() * 300_000,
    };
    const r = simulateFleet(jittered, { ...base, random: seededRandom(1) });
    expect(r.firstRoundSpreadMs).toBeGreaterThan(250_000);
    expect(r.peakPerSecond).toBeLessThan(20);
  });

  it("is reproducible for a seed", () => {
    const run = () => simulateFleet(sdkDefaultPolicy, { ...base, random: seededRandom(7) });
    expect(run()).toEqual(run());
  });

  it("counts per bucket and scales the peak to calls per second", () => {
    const oncePerHour: RefreshPolicy = { name: "hourly", nextRefreshAt: (fetchedAt) => fetchedAt + 3_600_000 };
    const r = simulateFleet(oncePerHour, { processes: 10, startWindowMs: 1, lifetimeMs: 3_600_000, horizonMs: 3_600_500, random: () => 0, bucketMs: 100 });
    expect(r.refreshCalls).toBe(10);
    expect(r.peakPerSecond).toBe(100);
    expect(r.peakAtMs).toBe(3_600_000);
  });

  it("refuses a policy that does not move forward (it would never end)", () => {
    const stuck: RefreshPolicy = { name: "stuck", nextRefreshAt: (fetchedAt) => fetchedAt };
    expect(() => simulateFleet(stuck, { ...base, random: seededRandom(1) })).toThrow(/not after the fetch/);
  });
});

describe("seededRandom", () => {
  it("gives the same sequence for a seed, values in [0, 1)", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
    expect(seededRandom(43)()).not.toBe(values[0]);
  });
});
