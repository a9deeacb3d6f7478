/**
 * The role cache's STS budget never holds more than `stsBurst` tokens: after a long idle spell, a storm of
 * cold tenants sends at most `stsBurst` AssumeRole calls at once, then one per 1/rate — not everything the
 * idle minute would have "earned" (which would be 600 calls at 10/s, a Throttling storm on a shared account).
 * Real SDK against the fake STS; fake time for both, moved only while every caller waits for the budget.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAssumeRoleCache } from "../../src/roles/index.js";
import { startFakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("the budget's bucket is capped at stsBurst", () => {
  it("after a minute idle, 40 cold tenants at once: stsBurst (5) AssumeRole calls at once, then 10/s", { timeout: 60_000 }, async () => {
    const restoreEnv = isolateEnv();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const fake = await startFakeAws(); // started under fake timers: its call log reads the same clock
    const keys = serviceKeys(fake);
    const roles = createAssumeRoleCache({
      source: async () => keys,
      region: fake.region,
      endpoint: fake.sts.endpoint,
      serviceName: "billing-api",
      stsRequestsPerSecond: 10,
      stsBurst: 5,
      random: () => 0.5,
    });
    try {
      registerTenants(fake, 41);
      // One tenant in use, then a minute with no STS call at all.
      await roles.provider(tenantRole(40))();
      vi.advanceTimersByTime(60_000);
      fake.sts.clearCalls();
      const stormAt = Date.now();

      let settled = 0;
      const storm = Array.from({ length: 40 }, (_, n) => {
        const p = roles.provider(tenantRole(n))();
        void p.then(
          () => (settled += 1),
          () => (settled += 1),
        );
        return p;
      });
      // Time stands still while real sockets talk; it moves (10 ms at a time) only once every caller still
      // waiting is queued for the budget, i.e. nothing is in flight.
      while (settled < storm.length) {
        while (settled < storm.length && roles.status().rate.waitingDemand !== storm.length - settled) await new Promise((r) => setImmediate(r));
        if (settled < storm.length) vi.advanceTimersByTime(10);
      }
      expect((await Promise.allSettled(storm)).filter((r) => r.status === "rejected")).toEqual([]);

      const sent = fake.sts.calls.filter((c) => c.action === "AssumeRole").map((c) => c.time - stormAt);
      expect(sent).toHaveLength(40);
      // The burst: exactly stsBurst calls at the instant of the storm, however long the bucket sat idle.
      expect(sent.filter((ms) => ms === 0)).toHaveLength(5);
      // Then the rate: by t ms after the storm, at most stsBurst + 10/s · t calls (the 10 ms steps of the
      // clock round each wait up by less than one step).
      for (const t of [100, 500, 1_000, 2_000, 3_000]) {
        expect(sent.filter((ms) => ms <= t).length).toBeLessThanOrEqual(5 + Math.floor((t / 1_000) * 10));
      }
      // And the rate is kept, not undershot: all 40 within (40 - 5) / 10 s plus a step per call.
      expect(Math.max(...sent)).toBeLessThanOrEqual(3_500 + 35 * 10);
    } finally {
      roles.stop();
      vi.useRealTimers();
      await fake.close();
      restoreEnv();
    }
  });
});
