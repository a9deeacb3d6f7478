import { describe, expect, it } from "vitest";
import { runFixedRate } from "../../bench/lib/load.js";

describe("runFixedRate", () => {
  it("starts exactly rate × duration calls per target, open loop, and records each", async () => {
    let slowStarted = 0;
    const records = await runFixedRate(
      [
        { name: "fast", resolve: async () => "ok" },
        // Each call takes longer than the interval: an open loop keeps starting calls anyway.
        { name: "slow", resolve: () => new Promise((resolve) => { slowStarted += 1; setTimeout(resolve, 30); }) },
      ],
      { ratePerSecond: 200, durationMs: 200 },
    );
    expect(records.get("fast")!.samples).toHaveLength(40);
    expect(records.get("slow")!.samples).toHaveLength(40);
    expect(slowStarted).toBe(40);
    const slow = records.get("slow")!.samples;
    expect(slow.every((s) => s.ms >= 25)).toBe(true);
    expect(slow.every((s, i) => i === 0 || s.t >= slow[i - 1]!.t)).toBe(true);
  });

  it("records failures by error name or AWS code, and counts calls that never settle", async () => {
    let n = 0;
    const records = await runFixedRate(
      [
        {
          name: "flaky",
          resolve: async () => {
            n += 1;
            if (n % 2 === 0) throw Object.assign(new Error("boom"), { name: "InternalFailure" });
            if (n % 3 === 0) throw new Error("plain");
            return "ok";
          },
        },
        { name: "hung", resolve: () => new Promise(() => undefined) },
        {
          name: "sync-throw",
          resolve: () => {
            throw new TypeError("not a promise");
          },
        },
      ],
      { ratePerSecond: 100, durationMs: 100, settleTimeoutMs: 50 },
    );
    const flaky = records.get("flaky")!;
    expect(flaky.samples.length + flaky.failures.length).toBe(10);
    expect(flaky.failures.map((f) => f.error)).toEqual(expect.arrayContaining(["InternalFailure", "Error"]));
    expect(records.get("hung")!.unsettled).toBe(10);
    expect(records.get("sync-throw")!.failures.every((f) => f.error === "TypeError")).toBe(true);
  });
});
