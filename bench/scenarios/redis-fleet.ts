/**
 * Scenario 13: replicas of one service sharing STS's quota. Four replicas as real processes (the test
 * fleet's replica script), uneven cold starts (one busy replica, three lighter ones, started 0.4 s apart),
 * against the fake STS limited per account as real STS is. Three budgets, same run: one shared on Redis
 * (`createRedisStsBudget`), one per process at the quota (what each replica believes it owns), one per
 * process split by hand (the quota divided by the replicas).
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { startFakeAws } from "../../src/testing/index.js";
import { bundleFixture } from "../../test/support/child-node.js";
import { registerTenants, startFleet, type FleetRig } from "../../test/redis/fleet-run.js";
import { startRedis } from "../../test/redis/support.js";
import { formatCount, formatMs } from "../lib/format.js";
import type { Scenario } from "../lib/scenario.js";

const QUOTA = { requestsPerSecond: 50, burst: 50 };
const BUDGET = 45;
const REPLICAS = 4;
const STARTS_MS = [0, 400, 800, 1200];

interface Variant {
  label: string;
  budget: "shared" | "local";
  requestsPerSecond: number;
}

interface VariantResult {
  label: string;
  failed: number;
  throttled: number;
  stsCalls: number;
  slowestMs: number;
  busyMs: number;
  perReplicaMs: number[];
  /** Times a replica fell back to its local share (shared variant). */
  fallbacks: number;
}

const tenant = (n: number): [string, string] => [`arn:aws:iam::${String(500_000_000_000 + n)}:role/saas-access`, `ext-${n}-bench`];

export const redisFleetScenario: Scenario = {
  async run(context) {
    const loads = context.quick ? [120, 40, 40, 40] : [300, 100, 100, 100];
    const total = loads.reduce((a, b) => a + b, 0);
    const variants: Variant[] = [
      { label: `shared on Redis: createRedisStsBudget({ requestsPerSecond: ${BUDGET} })`, budget: "shared", requestsPerSecond: BUDGET },
      { label: `per process at the quota: stsRequestsPerSecond ${BUDGET} each`, budget: "local", requestsPerSecond: BUDGET },
      { label: `per process split by hand: ${BUDGET}/${REPLICAS} = ${BUDGET / REPLICAS}/s each`, budget: "local", requestsPerSecond: BUDGET / REPLICAS },
    ];
    const [fake, redis, fixture] = await Promise.all([startFakeAws(), startRedis(), bundleFixture(new URL("../../test/redis/fixtures/replica.ts", import.meta.url))]);
    const results: VariantResult[] = [];
    try {
      const keys: AwsCredentialIdentity = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
      const rig: FleetRig = { fake, keys, script: fixture.script, redisPort: redis.port, quota: QUOTA };
      let next = 0;
      for (const variant of variants) {
        const first = next;
        registerTenants(fake, tenant, first, total);
        const runs = startFleet(rig, {
          loads,
          startsMs: STARTS_MS,
          tenant,
          firstTenant: first,
          budget: {
            budget: variant.budget,
            requestsPerSecond: variant.requestsPerSecond,
            burst: Math.max(1, Math.floor(variant.requestsPerSecond / 5)),
            key: `bench-${first}`,
            expectedReplicas: REPLICAS,
            timeoutMs: 250,
            settleMs: 0,
          },
          killAfterMs: 300_000,
        });
        next += total;
        const exits = await Promise.all(runs);
        const replicas = exits.map((exit) => {
          if (exit.code !== 0) throw new Error(`a replica exited with ${exit.code ?? exit.signal}: ${exit.stderr.slice(0, 300)}`);
          return JSON.parse(exit.stdout) as { failed: number; ms: number; rate: { shared?: { fallbacks: number } } };
        });
        const calls = fake.sts.calls.filter((c) => c.action === "AssumeRole");
        const result: VariantResult = {
          label: variant.label,
          failed: replicas.reduce((a, r) => a + r.failed, 0),
          throttled: calls.filter((c) => c.errorCode === "Throttling").length,
          stsCalls: calls.length,
          slowestMs: Math.max(...replicas.map((r) => r.ms)),
          busyMs: replicas[0]!.ms,
          perReplicaMs: replicas.map((r) => r.ms),
          fallbacks: replicas.reduce((a, r) => a + (r.rate.shared?.fallbacks ?? 0), 0),
        };
        context.log(`redis-fleet: ${variant.label}: ${result.failed} failed, ${result.throttled} throttled of ${result.stsCalls} STS calls, busy replica ${formatMs(result.busyMs)}, ${result.fallbacks} fallbacks to a local share`);
        results.push(result);
      }
    } finally {
      await fake.close();
      await redis.close();
      await fixture.dispose();
    }
    const [shared, atQuota, split] = results as [VariantResult, VariantResult, VariantResult];
    const ideal = (total / QUOTA.requestsPerSecond) * 1000;
    return {
      tables: [
        {
          title: `Fleet: ${REPLICAS} replicas (${loads.join(" + ")} new tenants, started ${STARTS_MS.map((s) => s / 1000).join(" / ")} s), fake STS at ${QUOTA.requestsPerSecond} requests/s per account (burst ${QUOTA.burst})`,
          columns: ["budget", "failed", "throttled", "STS calls", "busy replica done", "slowest replica"],
          rows: results.map((r) => [r.label, formatCount(r.failed), formatCount(r.throttled), formatCount(r.stsCalls), formatMs(r.busyMs), formatMs(r.slowestMs)]),
        },
      ],
      method:
        `${REPLICAS} replicas run as separate Node processes (test/redis/fixtures/replica.ts, alternately on ioredis 5 and node-redis 5), each resolving its new tenants' roles at once ` +
        `through createAssumeRoleCache after its start delay, against one fake STS that allows ${QUOTA.requestsPerSecond} AssumeRole per second per account (burst ${QUOTA.burst}) and answers Throttling beyond. ` +
        `The shared variant uses one redis-server on loopback. Times are from each replica's first call to its last settled one. The whole fleet's calls at the quota take ${formatMs(ideal)}.`,
      notes: [
        `Per process at the quota, each replica believes it owns ${BUDGET}/s: together they send ${REPLICAS}× what STS allows at the start, and STS throttles (${formatCount(atQuota.throttled)} answers); the caches slow down after it.`,
        `Split by hand, nothing is throttled but the busy replica crawls at ${BUDGET / REPLICAS}/s while the others idle (${formatMs(split.busyMs)}); shared, it gets what the others leave (${formatMs(shared.busyMs)}).`,
      ],
      bars: [
        {
          bar: "Replicas sharing STS on Redis: 0 failed, a handful throttled, the busiest replica done near quota speed",
          measured: `${shared.failed} failed, ${shared.throttled} throttled, busy replica ${formatMs(shared.busyMs)} (all calls at the quota: ${formatMs(ideal)}; split by hand: ${formatMs(split.busyMs)})`,
          met: shared.failed === 0 && shared.throttled <= 5 && shared.busyMs < (ideal + 2_000) * 1.3,
        },
      ],
      data: { quota: QUOTA, budget: BUDGET, loads, starts: STARTS_MS, results },
    };
  },
};
