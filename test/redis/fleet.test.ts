/**
 * A fleet of replicas as real processes (fixtures/replica.ts), half on ioredis and half on node-redis,
 * sharing one budget on a real redis-server, against the fake STS with its per-account rate limit.
 * Uneven cold starts: one busy replica, three lighter ones, starting at different times.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { bundleFixture, type BundledFixture } from "../support/child-node.js";
import { registerTenants, startFleet, type FleetRig } from "./fleet-run.js";
import { startRedis, type RedisServer } from "./support.js";

const QUOTA = { requestsPerSecond: 30, burst: 30 };
const BUDGET = 27; // the fleet's, a little under the quota
const LOADS = [90, 30, 30, 30]; // tenants per replica: the first is the busy one
const STARTS_MS = [0, 400, 800, 1200];

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let redis: RedisServer;
let fixture: BundledFixture;
let rig: FleetRig;

beforeAll(async () => {
  [fake, redis, fixture] = await Promise.all([startFakeAws(), startRedis(), bundleFixture(new URL("./fixtures/replica.ts", import.meta.url))]);
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
  registerTenants(fake, tenant, 0, 1_000);
  rig = { fake, keys, script: fixture.script, redisPort: redis.port, quota: QUOTA };
}, 60_000);
afterAll(async () => {
  await fake?.close();
  await redis?.close();
  await fixture?.dispose();
});

const tenant = (n: number): [string, string] => [`arn:aws:iam::${String(400_000_000_000 + n)}:role/saas-access`, `ext-${n}-fleet`];

interface ReplicaResult {
  failed: number;
  firstError?: string;
  ms: number;
  stsCalls: number;
  throttled: number;
  fellBackDuringRun: number;
  fallbackLogs: number;
  rate: { shared?: { mode: string; fallbacks: number; granted: number } };
}

async function runFleet(firstTenant: number, key: string, timeoutMs: number, during?: () => Promise<void>): Promise<ReplicaResult[]> {
  const runs = startFleet(rig, {
    loads: LOADS,
    startsMs: STARTS_MS,
    tenant,
    firstTenant,
    budget: { budget: "shared", requestsPerSecond: BUDGET, burst: 5, key, expectedReplicas: LOADS.length, timeoutMs, settleMs: 10_000 },
    killAfterMs: 60_000,
  });
  await during?.();
  const exits = await Promise.all(runs);
  return exits.map((exit) => {
    expect({ code: exit.code, stderr: exit.stderr.trim() }).toEqual({ code: 0, stderr: "" });
    if (process.env.AWSCREDS_FLEET_DEBUG) console.log(exit.stdout);
    return JSON.parse(exit.stdout) as ReplicaResult;
  });
}

it("four replicas with uneven cold starts share the quota: none fails, (almost) no throttling, the busy one done near quota speed", async () => {
  const results = await runFleet(0, "fleet-shared", 250);
  const total = LOADS.reduce((a, b) => a + b, 0);
  expect(results.map((r) => r.failed)).toEqual([0, 0, 0, 0]);
  expect(results.reduce((a, r) => a + r.throttled, 0)).toBeLessThanOrEqual(4);
  expect(results.map((r) => r.rate.shared?.mode)).toEqual(["shared", "shared", "shared", "shared"]);
  // Nearly every call took a shared token (a replica whose Redis round trip ran past timeoutMs while its
  // process was busy starting uses its local share for a moment, and says so).
  const calls = fake.sts.calls.filter((c) => c.action === "AssumeRole").length;
  expect(results.reduce((a, r) => a + (r.rate.shared?.granted ?? 0), 0)).toBeGreaterThanOrEqual(calls * 0.8);
  expect(fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.status === 200)).toHaveLength(total);
  // Split by hand (BUDGET / 4 each), the busy replica would need LOADS[0] / (BUDGET / 4) s ≈ 13 s; sharing, it
  // takes about what the whole fleet's calls take at the fleet's rate (≈ 6.7 s). Generous: under three quarters of the split.
  const split = (LOADS[0]! / (BUDGET / LOADS.length)) * 1000;
  expect(results[0]!.ms).toBeLessThan(split * 0.75);
}, 90_000);

it("Redis killed mid-run: every tenant still resolves on the local shares, each replica reports the fallback, and shares again after the restart", async () => {
  const results = await runFleet(400, "fleet-killed", 100, async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    await redis.restart();
  });
  expect(results.map((r) => r.failed)).toEqual([0, 0, 0, 0]);
  expect(results.every((r) => r.rate.shared!.fallbacks >= 1 && r.fallbackLogs === r.rate.shared!.fallbacks)).toBe(true);
  expect(results.map((r) => r.rate.shared?.mode)).toEqual(["shared", "shared", "shared", "shared"]);
  // The local shares (BUDGET / 4 each) keep the fleet under the quota meanwhile.
  expect(results.reduce((a, r) => a + r.throttled, 0)).toBeLessThanOrEqual(4);
}, 90_000);
