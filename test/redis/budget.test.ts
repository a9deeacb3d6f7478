/**
 * createRedisStsBudget against a real redis-server, with ioredis and node-redis: caches in one process
 * standing for replicas (the child-process fleet is fleet.test.ts). Shared refusals, shared Throttling,
 * no secret in Redis, Redis killed (local share, reported, rejoined), Redis slow (bounded by timeoutMs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { fromRegionalAssumeRole } from "../../src/sources/assume-role.js";
import { createRedisStsBudget, type RedisStsBudgetOptions } from "../../src/redis/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { startOtel } from "../telemetry/support.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "../roles/support.js";
import { redisClient, startDelayProxy, startRedis, type ClientKind, type RedisServer, type TestClient } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let redis: RedisServer;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  [fake, redis] = await Promise.all([startFakeAws(), startRedis()]);
  keys = serviceKeys(fake);
  registerTenants(fake, 40);
});
afterAll(async () => {
  await fake?.close();
  await redis?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  fake.sts.clearCalls();
  fake.sts.setRateLimit(undefined);
  fake.sts.faults.restore();
});

const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => expect.unreachable("resolved"), (e: unknown) => e as Error);
const assumeRoleCalls = () => fake.sts.calls.filter((c) => c.action === "AssumeRole");

async function client(kind: ClientKind, port = redis.port): Promise<TestClient> {
  const c = await redisClient(kind, port);
  cleanups.push(() => c.close());
  return c;
}

/** A "replica": its own Redis client, its own cache, one budget key per test. */
async function replica(kind: ClientKind, budget: Partial<RedisStsBudgetOptions> & { key: string }, options: Partial<AssumeRoleCacheOptions> = {}, port?: number) {
  const { client: redisClient } = await client(kind, port);
  const stsBudget = createRedisStsBudget({ client: redisClient, requestsPerSecond: 20, ...budget });
  const logger = recordingLogger();
  const cache: AssumeRoleCache = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, stsBudget, logger, ...options });
  cleanups.push(() => cache.stop());
  return { cache, logger };
}

let keyCounter = 0;
const freshKey = (): string => `test-${process.pid}-${++keyCounter}`;

for (const kind of ["ioredis", "node-redis"] as const) {
  describe(`with ${kind}`, () => {
    it("a refusal is shared: a wrong ExternalId costs the fleet one STS call; invalidate() asks again", async () => {
      const key = freshKey();
      const a = await replica(kind, { key });
      const b = await replica(kind, { key });
      const wrong = { ...tenantRole(1), externalId: "ext-wrong-one" };
      expect((await failure(a.cache.provider(wrong)())).message).toContain("AccessDenied");
      const second = await failure(b.cache.provider(wrong)());
      expect(second.message).toContain("to another replica sharing this STS budget");
      expect(second.message).toContain("This refusal is cached until");
      expect(assumeRoleCalls()).toHaveLength(1);
      expect(b.cache.status().entries![0]!.state).toBe("negative");
      b.cache.invalidate(wrong);
      await failure(b.cache.provider(wrong)());
      expect(assumeRoleCalls()).toHaveLength(2);
      // Another role of the same replicas is not refused.
      await expect(b.cache.provider(tenantRole(2))()).resolves.toMatchObject({ accessKeyId: expect.any(String) });
    });

    it("Throttling seen by one replica slows the other: the fleet's rate halves and is reported fleet-wide", async () => {
      const key = freshKey();
      const a = await replica(kind, { key });
      const b = await replica(kind, { key });
      fake.sts.faults.failNext(1, { status: 400, code: "Throttling" });
      await a.cache.provider(tenantRole(3))();
      await b.cache.provider(tenantRole(4))();
      const shared = b.cache.status().rate;
      expect(shared.currentPerSecond).toBeLessThan(15); // halved to 10, growing back by 2/s since
      expect(shared.shared).toMatchObject({ mode: "shared", fleetThrottles: 1, fallbacks: 0 });
      expect(a.cache.status()).toMatchObject({ throttled: 1 });
      expect(b.cache.status()).toMatchObject({ throttled: 0 });
    });

    it("fromRegionalAssumeRole takes the same budget: its Throttling slows the caches of the fleet", async () => {
      const key = freshKey();
      const { client: c } = await client(kind);
      const stsBudget = createRedisStsBudget({ client: c, requestsPerSecond: 20, key });
      const single = fromRegionalAssumeRole({ ...tenantRole(15), source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, stsBudget });
      cleanups.push(() => single.destroy());
      const b = await replica(kind, { key });
      await expect(single()).resolves.toMatchObject({ accessKeyId: expect.any(String) });
      fake.sts.faults.failNext(1, { status: 400, code: "Throttling" });
      expect((await failure(single())).message).toContain("Throttling");
      expect(assumeRoleCalls().filter((call) => call.details.roleArn === tenantRole(15).roleArn)).toHaveLength(2); // not retried at the quota's expense
      await b.cache.provider(tenantRole(16))();
      expect(b.cache.status().rate.shared).toMatchObject({ fleetThrottles: 1, granted: 1 });
      expect(b.cache.status().rate.currentPerSecond).toBeLessThan(15);
    });

    it("nothing secret reaches Redis: no key id, secret, session token, ExternalId, role ARN or session name in any key or value", async () => {
      const key = freshKey();
      const a = await replica(kind, { key });
      const got = [await a.cache.provider(tenantRole(5))(), await a.cache.provider(tenantRole(6))()];
      await failure(a.cache.provider({ ...tenantRole(7), externalId: "ext-wrong-secretish" })());
      const everything = [...(await (await client(kind)).dump()).entries()].flat().join("\n");
      expect(everything).toContain("awscreds:sts-budget:");
      expect(everything).toContain("awscreds:sts-refusal:");
      const secrets = [keys.accessKeyId, keys.secretAccessKey, ...got.flatMap((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken!])];
      const identifiers = [5, 6, 7].flatMap((n) => [tenantRole(n).externalId, tenantRole(n).roleArn, tenantRole(n).tenant, tenantRole(n).roleArn.split(":")[4]!]);
      for (const s of [...secrets, ...identifiers, "ext-wrong-secretish", key]) expect(everything).not.toContain(s);
    });
  });
}

describe("options", () => {
  it("are checked at construction, naming the option and what to pass", async () => {
    const { client: c } = await client("ioredis");
    expect(() => createRedisStsBudget({ client: {} as never, requestsPerSecond: 10 })).toThrow(/client must be your ioredis 5 client .* or node-redis 5 client/);
    expect(() => createRedisStsBudget({ client: c, requestsPerSecond: 0 })).toThrow(/requestsPerSecond must be a positive number, got 0/);
    expect(() => createRedisStsBudget({ client: c, requestsPerSecond: 601 })).toThrow(/at most 600 \(STS's quota per account and region\)/);
    expect(() => createRedisStsBudget({ client: c, requestsPerSecond: 10, expectedReplicas: 2.5 })).toThrow(/expectedReplicas must be a positive integer/);
    expect(() => createRedisStsBudget({ client: c, requestsPerSecond: 10, timeoutMs: -1 })).toThrow(/timeoutMs must be a positive number/);
    expect(() => createRedisStsBudget({ client: c, requestsPerSecond: 10, key: "" })).toThrow(/key and prefix must be non-empty strings/);
    const stsBudget = createRedisStsBudget({ client: c, requestsPerSecond: 10 });
    const base = { source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint };
    expect(() => createAssumeRoleCache({ ...base, stsBudget, stsRequestsPerSecond: 5 })).toThrow(/stsRequestsPerSecond and stsBurst belong to the stsBudget/);
    expect(() => createAssumeRoleCache({ ...base, stsBudget: {} as never })).toThrow(/stsBudget must be a budget from createRedisStsBudget/);
    const roles = createAssumeRoleCache({ ...base, stsBudget });
    cleanups.push(() => roles.stop());
    expect(roles.describe()).toMatchObject({ stsRequestsPerSecond: 10, stsBurst: 2 });
    expect(roles.status().rate).toMatchObject({ targetPerSecond: 10, shared: { mode: "shared", localPerSecond: 2.5, granted: 0 } });
  });
});

describe("Redis is never on the critical path", () => {
  it("Redis killed mid-run: every tenant still resolves on the local share, reported and logged once; after a restart the replica shares again", async () => {
    const own = await startRedis();
    cleanups.push(() => own.close());
    const key = freshKey();
    const otel = startOtel();
    cleanups.push(() => otel.shutdown());
    const a = await replica("ioredis", { key, expectedReplicas: 2, timeoutMs: 100, rejoinAfterMs: 200 }, { name: "tenants", telemetry: { meterProvider: otel.meterProvider } }, own.port);
    const reported = async () => {
      const m = await otel.metrics();
      const shared = m.get("awscreds.sts_budget.shared")?.dataPoints.map((p) => p.value);
      const events = Object.fromEntries((m.get("awscreds.sts_budget.events")?.dataPoints ?? []).map((p) => [p.attributes.result, p.value]));
      return { shared, events };
    };
    await a.cache.provider(tenantRole(8))();
    expect(await reported()).toMatchObject({ shared: [1], events: { granted: 1, fallback: 0 } });
    expect(a.cache.status().rate.shared).toMatchObject({ mode: "shared", granted: 1 });
    await own.kill();
    const got = await Promise.all([9, 10, 11, 12].map((n) => a.cache.provider(tenantRole(n))()));
    expect(got).toHaveLength(4);
    expect(a.cache.status().rate.shared).toMatchObject({ mode: "local", fallbacks: 1, localPerSecond: 10 });
    expect(a.cache.status().rate.shared!.lastError).toMatch(/timeoutMs 100|ECONNREFUSED|Connection/);
    expect(a.logger.lines.filter((l) => l.includes("did not answer"))).toHaveLength(1);
    expect(await reported()).toMatchObject({ shared: [0], events: { fallback: 1 } });
    await own.restart();
    await expect.poll(() => a.cache.status().rate.shared!.mode, { timeout: 5_000, interval: 50 }).toBe("shared");
    await a.cache.provider(tenantRole(13))();
    expect(a.cache.status().rate.shared).toMatchObject({ mode: "shared", fallbacks: 1, granted: 2 });
    expect(a.logger.lines.some((l) => l.includes("shares the fleet's STS budget again"))).toBe(true);
    expect(await reported()).toMatchObject({ shared: [1], events: { granted: 2, fallback: 1 } });
  }, 20_000);

  it("Redis answering slowly (a proxy holding its answers 2 s): a credential waits about timeoutMs, not for Redis", async () => {
    const proxy = await startDelayProxy(redis.port, 0);
    cleanups.push(() => proxy.close());
    const a = await replica("node-redis", { key: freshKey(), timeoutMs: 150, rejoinAfterMs: 60_000 }, {}, proxy.port);
    proxy.setDelay(2_000);
    const started = performance.now();
    await a.cache.provider(tenantRole(14))();
    const waited = performance.now() - started;
    expect(a.cache.status().rate.shared).toMatchObject({ mode: "local", fallbacks: 1 });
    expect(a.cache.status().rate.shared!.lastError).toContain("timeoutMs 150");
    // Two bounded round trips at most (the refusal lookup, then the token), far below the proxy's 2 s.
    expect(waited).toBeLessThan(1_500);
  }, 20_000);
});
