/**
 * The role cache under load, real SDK against the fakes: a cold start of many tenants under STS's rate
 * limit, a hot role with short-lived credentials, throttling, and one timer for the whole cache.
 * Bounds are generous (a 2-core box shared by many jobs); speed itself is measured in bench/, not here.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
const caches: AssumeRoleCache[] = [];

function cache(options: Partial<AssumeRoleCacheOptions> = {}): AssumeRoleCache {
  const c = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", ...options });
  caches.push(c);
  return c;
}

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 400);
});
afterAll(() => fake.close());
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
  fake.sts.clearCalls();
  fake.sts.setRateLimit(undefined);
  fake.sts.setCredentialLifetime(3600);
});
afterEach(() => {
  vi.useRealTimers();
  while (caches.length) caches.pop()!.stop();
  restoreEnv();
});

describe("cold start", () => {
  it("400 roles at once under a 50/s STS limit: none fails, (almost) none throttled", { timeout: 60_000 }, async () => {
    fake.sts.setRateLimit({ requestsPerSecond: 50, burst: 50 });
    const throttledBefore = fake.sts.throttled;
    const roles = cache(); // the default budget
    const results = await Promise.allSettled(Array.from({ length: 400 }, (_, n) => roles.provider(tenantRole(n))()));
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed).toEqual([]);
    expect(new Set(results.map((r) => (r as PromiseFulfilledResult<AwsCredentialIdentity>).value.accessKeyId)).size).toBe(400);
    const throttled = fake.sts.throttled - throttledBefore;
    expect(throttled).toBeLessThanOrEqual(4);
    expect(roles.status()).toMatchObject({ size: 400, misses: 400, failures: 0, throttled });
    // One AssumeRole per role (single flight). A call the fake answered after the transport's short timeout
    // had already given up on it is retried by the client: on a loaded box that can add one or two answered
    // calls, never a second role's worth of them — so count roles, and bound the retries.
    const answered = fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.status === 200);
    expect(new Set(answered.map((c) => c.details.roleArn)).size).toBe(400);
    expect(answered.length).toBeGreaterThanOrEqual(400);
    expect(answered.length).toBeLessThanOrEqual(404);
  });

  it("Throttling shrinks the rate and pauses; every caller still gets credentials", { timeout: 60_000 }, async () => {
    // Fake time for the cache and for the fake STS alike (a fake started under fake timers reads its
    // clock), so STS's rate limit and the cache's budget run on one clock that moves only when the test
    // moves it: the outcome no longer depends on how fast a busy box answers (it once flaked on that).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const sts = await startFakeAws({ sts: { rateLimit: { requestsPerSecond: 20, burst: 5 } } });
    try {
      registerTenants(sts, 60);
      const serviceCredentials = serviceKeys(sts);
      const logger = recordingLogger();
      // A budget ten times what STS allows: the cache has to learn the real rate.
      const roles = createAssumeRoleCache({
        source: async () => serviceCredentials,
        region: sts.region,
        endpoint: sts.sts.endpoint,
        serviceName: "billing-api",
        stsRequestsPerSecond: 200,
        stsBurst: 50,
        random: () => 0.5,
        logger,
      });
      caches.push(roles);
      let settled = 0;
      const results = Array.from({ length: 60 }, (_, n) => {
        const p = roles.provider(tenantRole(n))();
        void p.then(
          () => (settled += 1),
          () => (settled += 1),
        );
        return p;
      });
      // Time stands still while real sockets talk; it moves (10 ms at a time) only once every caller still
      // waiting is queued for the budget, i.e. nothing is in flight.
      while (settled < results.length) {
        while (settled < results.length && roles.status().rate.waitingDemand !== results.length - settled) await new Promise((r) => setImmediate(r));
        if (settled < results.length) vi.advanceTimersByTime(10);
      }
      expect((await Promise.allSettled(results)).filter((r) => r.status === "rejected")).toEqual([]);
      const status = roles.status();
      expect(status.throttled).toBe(sts.sts.throttled);
      expect(status.throttled).toBeGreaterThan(0);
      expect(status.rate.currentPerSecond).toBeLessThan(200);
      const calls = sts.sts.calls.filter((c) => c.action === "AssumeRole");
      // The first Throttling halves the budget and pauses it; no call reaches STS during the pause.
      const firstThrottle = calls.find((c) => c.errorCode === "Throttling")!;
      const said = logger.lines.find((l) => l.includes("STS throttled AssumeRole"));
      expect(said).toMatch(/slows to 100\/s \(of 200\/s\) and pauses until /);
      const pausedUntil = Date.parse(said!.split("pauses until ")[1]!);
      expect(pausedUntil - firstThrottle.time).toBe(375); // 500 ms base, equal jitter at random() = 0.5
      expect(calls.filter((c) => c.time > firstThrottle.time && c.time < pausedUntil)).toEqual([]);
      // It learned: the later half of the calls is throttled far less than the first half.
      const rate = (part: typeof calls) => part.filter((c) => c.errorCode === "Throttling").length / part.length;
      const half = Math.floor(calls.length / 2);
      expect(rate(calls.slice(half))).toBeLessThan(rate(calls.slice(0, half)) / 2);
    } finally {
      vi.useRealTimers();
      await sts.close();
    }
  });
});

describe("refresh ahead", () => {
  it("a hot role with 3 s credentials and 300 ms STS never waits; an unused one is not refreshed", { timeout: 30_000 }, async () => {
    fake.sts.setCredentialLifetime(3);
    fake.sts.faults.setLatency(300);
    const roles = cache();
    const hot = roles.provider(tenantRole(1));
    const cold = roles.provider(tenantRole(2));
    await Promise.all([hot(), cold()]);
    const stopAt = Date.now() + 7_000;
    let calls = 0;
    const keysSeen = new Set<string>();
    while (Date.now() < stopAt) {
      keysSeen.add((await hot()).accessKeyId);
      calls += 1;
      await new Promise((r) => setTimeout(r, 25));
    }
    const status = roles.status();
    // Every call after the first was answered from the cache: none waited for STS.
    expect(status.misses).toBe(2);
    expect(status.coalesced).toBe(0);
    expect(status.backoffHits).toBe(0);
    expect(status.hits).toBe(calls);
    expect(keysSeen.size).toBeGreaterThanOrEqual(3);
    const byRole = (n: number) => fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.details.roleArn === tenantRole(n).roleArn).length;
    expect(byRole(1)).toBeGreaterThanOrEqual(3);
    expect(byRole(2)).toBe(1);
  });
});

describe("one scheduler", () => {
  it("300 cached roles hold one timer between them", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const roles = cache({ stsRequestsPerSecond: 600, stsBurst: 600 });
    const before = vi.getTimerCount();
    await Promise.all(Array.from({ length: 300 }, (_, n) => roles.provider(tenantRole(n))()));
    expect(roles.status().size).toBe(300);
    expect(vi.getTimerCount() - before).toBe(1);
    // The refreshes are planned all the same: 45–50 minutes ahead for one-hour credentials.
    const planned = roles.status().entries!.filter((e) => e.nextRefreshAt !== undefined);
    expect(planned.length).toBe(0); // none in use since their fetch yet
    await Promise.all(Array.from({ length: 300 }, (_, n) => roles.provider(tenantRole(n))()));
    const next = roles.status().entries!.map((e) => e.nextRefreshAt!.getTime() - Date.now());
    expect(Math.min(...next)).toBeGreaterThan(44 * 60_000);
    expect(Math.max(...next)).toBeLessThanOrEqual(50 * 60_000);
    expect(vi.getTimerCount() - before).toBe(1);
  });

  it("idle entries are evicted by the same timer", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const roles = cache({ idleTtlMs: 60_000 });
    const a = roles.provider(tenantRole(1));
    const b = roles.provider(tenantRole(2));
    const settle = async (p: Promise<unknown>) => {
      // Real sockets answer while fake time stands still; let them.
      let done = false;
      void p.finally(() => (done = true));
      while (!done) await new Promise((r) => setImmediate(r));
      return p;
    };
    await settle(Promise.all([a(), b()]));
    await vi.advanceTimersByTimeAsync(40_000);
    await a();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(roles.status()).toMatchObject({ size: 1, evictions: 1 });
    expect(roles.status().entries!.map((e) => e.roleArn)).toEqual([tenantRole(1).roleArn]);
  });
});
