/**
 * createAssumeRoleCache with the real STS and SQS clients against the fakes.
 */
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { RefresherStoppedError } from "../../src/refresh/errors.js";
import { fromRegionalAssumeRole } from "../../src/sources/assume-role.js";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
const caches: AssumeRoleCache[] = [];
const clients: SQSClient[] = [];

function cache(options: Partial<AssumeRoleCacheOptions> = {}): AssumeRoleCache {
  const c = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", ...options });
  caches.push(c);
  return c;
}
const assumeRoleCalls = () => fake.sts.calls.filter((c) => c.action === "AssumeRole");

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 10);
});
afterAll(() => fake.close());
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
  fake.sts.clearCalls();
  fake.sts.setRateLimit(undefined);
});
afterEach(() => {
  while (caches.length) caches.pop()!.stop();
  while (clients.length) clients.pop()!.destroy();
  restoreEnv();
});

describe("one entry per key", () => {
  it("200 concurrent first calls for one role make one AssumeRole", async () => {
    const roles = cache();
    fake.sts.faults.setLatency(50);
    const provider = roles.provider(tenantRole(1));
    const all = await Promise.all(Array.from({ length: 200 }, () => provider()));
    expect(assumeRoleCalls()).toHaveLength(1);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(roles.status()).toMatchObject({ size: 1, misses: 1, coalesced: 199, hits: 0, stsCalls: 1 });
    await provider();
    expect(roles.status().hits).toBe(1);
  });

  it("gives the same provider object for the same key, another for another key", () => {
    const roles = cache();
    const a = roles.provider({ ...tenantRole(1), tags: { tenant: "t1", plan: "gold" } });
    expect(roles.provider({ ...tenantRole(1), tags: { plan: "gold", tenant: "t1" } })).toBe(a);
    for (const other of [
      { ...tenantRole(1) },
      { ...tenantRole(1), tags: { tenant: "t1", plan: "gold" }, externalId: "other-id" },
      { ...tenantRole(1), tags: { tenant: "t1", plan: "gold" }, durationSeconds: 900 },
      { ...tenantRole(1), tags: { tenant: "t1", plan: "gold" }, roleSessionName: "another" },
      { ...tenantRole(1), tags: { tenant: "t1", plan: "gold" }, sourceIdentity: "alice" },
      { ...tenantRole(1), tags: { tenant: "t1", plan: "gold" }, policy: "{}" },
    ]) {
      expect(roles.provider(other)).not.toBe(a);
    }
    expect(roles.status().size).toBe(7);
  });

  it("validates a role against STS's limits when its provider is first asked for", () => {
    const roles = cache();
    expect(() => roles.provider({ ...tenantRole(1), externalId: "x" })).toThrow(/externalId must be 2 to 1224 characters long \(STS's limit\)/);
    expect(() => roles.provider({ ...tenantRole(1), durationSeconds: 100_000 })).toThrow(/durationSeconds must be an integer from 900 to 43200/);
    expect(roles.status().size).toBe(0);
  });

  it("session names say service and tenant, valid for STS, and CloudTrail sees them", async () => {
    const roles = cache();
    await roles.provider(tenantRole(2))();
    await roles.provider({ roleArn: tenantRole(3).roleArn, externalId: tenantRole(3).externalId })();
    expect(assumeRoleCalls().map((c) => c.details.roleSessionName)).toEqual(["billing-api@tenant-2", "billing-api@200000000003"]);
    expect(fake.sts.issued.at(-1)?.assumedRoleArn).toBe("arn:aws:sts::200000000003:assumed-role/saas-access/billing-api@200000000003");
  });
});

describe("per-tenant clients", () => {
  it("an SQS client per tenant signs with that tenant's credentials", async () => {
    const roles = cache();
    for (const n of [4, 5, 6]) {
      // Each tenant's queue is in its own account: the fake SQS keeps accounts apart, as SQS does.
      const queueUrl = fake.sqs.createQueue("events", {}, tenantRole(n).roleArn.split(":")[4]);
      const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: roles.provider(tenantRole(n)) });
      clients.push(sqs);
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `for tenant ${n}` }));
      const issued = fake.sts.issued.filter((i) => i.roleArn === tenantRole(n).roleArn);
      expect(issued).toHaveLength(1);
      expect(fake.sqs.calls.at(-1)).toMatchObject({ status: 200, accessKeyId: issued[0]!.accessKeyId });
    }
    expect(new Set(fake.sqs.calls.slice(-3).map((c) => c.accessKeyId)).size).toBe(3);
  });
});

describe("refusals are cached and explained", () => {
  it("a wrong ExternalId: a clear error, and 20 more calls within negativeTtlMs make no STS call", async () => {
    const logger = recordingLogger();
    const roles = cache({ negativeTtlMs: 60_000, logger });
    const provider = roles.provider({ ...tenantRole(7), externalId: "ext-wrong" });
    const first = (await provider().then(
      () => expect.unreachable(),
      (e: unknown) => e,
    )) as Error & { tryNextLink?: boolean };
    expect(first.message).toContain(`AssumeRole for ${tenantRole(7).roleArn}`);
    expect(first.message).toContain("AccessDenied");
    expect(first.message).toContain('its sts:ExternalId condition equals "ext-wrong"');
    expect(first.message).toContain("This refusal is cached until");
    expect(first.tryNextLink).toBe(false);
    const calls = assumeRoleCalls().length;
    expect(calls).toBe(1);
    for (let i = 0; i < 20; i++) await expect(provider()).rejects.toBe(first);
    expect(assumeRoleCalls().length).toBe(calls);
    expect(roles.status()).toMatchObject({ negativeHits: 20, stsCalls: 1, failures: 1 });
    expect(roles.status().entries![0]).toMatchObject({ state: "negative", externalId: "ext-wrong", negativeUntil: expect.any(Date) });
    expect(logger.lines.filter((l) => l.includes("This refusal is cached"))).toHaveLength(1);
  });

  it("asks STS again after negativeTtlMs, or at once after invalidate()", async () => {
    const roles = cache({ negativeTtlMs: 300 });
    const provider = roles.provider({ ...tenantRole(8), externalId: "ext-wrong" });
    await expect(provider()).rejects.toThrow(/AccessDenied/);
    await expect(provider()).rejects.toThrow(/cached/);
    expect(assumeRoleCalls()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 350));
    await expect(provider()).rejects.toThrow(/AccessDenied/);
    expect(assumeRoleCalls()).toHaveLength(2);
    expect(roles.invalidate({ ...tenantRole(8), externalId: "ext-wrong" })).toBe(true);
    await expect(provider()).rejects.toThrow(/AccessDenied/);
    expect(assumeRoleCalls()).toHaveLength(3);
  });

  it("a duration over the role's maximum is a cached ValidationError in STS's words", async () => {
    const roles = cache();
    const provider = roles.provider({ ...tenantRole(9), durationSeconds: 7200 });
    await expect(provider()).rejects.toThrow(/ValidationError \(HTTP 400\): The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./);
    await expect(provider()).rejects.toThrow(/MaxSessionDuration/);
    expect(assumeRoleCalls()).toHaveLength(1);
  });
});

describe("role chaining", () => {
  it("7,200 s asked with a role-session source: STS sees 3,600", async () => {
    fake.sts.registerRole({ roleArn: "arn:aws:iam::123456789012:role/billing-api", maxSessionDuration: 43_200 });
    fake.sts.registerRole({ ...tenantRole(0), maxSessionDuration: 43_200, trustedPrincipals: ["123456789012"] });
    const own = fromRegionalAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/billing-api", source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint });
    const logger = recordingLogger();
    const roles = cache({ source: own, logger });
    const credentials = await roles.provider({ ...tenantRole(0), durationSeconds: 7200 })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    const sent = assumeRoleCalls().filter((c) => c.details.roleArn === tenantRole(0).roleArn);
    expect(sent.map((c) => [c.status, c.details.durationSeconds])).toEqual([[200, 3600]]);
    expect(logger.lines.filter((l) => l.includes("role chaining"))).toHaveLength(1);
    expect(roles.status().entries![0]!.roleChaining).toBe(true);
    own.destroy();
    registerTenants(fake, 1);
  });
});

describe("stale while failing", () => {
  // Deterministic on a loaded machine: the state is read as soon as the first failure is recorded (~3.3 s
  // into 6 s credentials), not at a fixed instant near expiry. (It used to be read "50 ms before expiry"
  // after a 20 ms sleep; a late timer put the read past expiry, where `pending` — a retry running with no
  // valid credentials — is the right answer: a test timing assumption, not a race in the cache.)
  it("keeps serving valid credentials while STS fails, then fails with the reason, without calling STS at the callers' rate", async () => {
    fake.sts.setCredentialLifetime(6);
    try {
      const roles = cache({ backoff: { initialDelayMs: 400, maxDelayMs: 400 }, schedule: { minLeadFraction: 0.5, maxLeadFraction: 0.5, minDelayMs: 100 } });
      const provider = roles.provider(tenantRole(1));
      const first = await provider();
      await provider(); // in use: refreshed in the background, 3 s in
      fake.sts.faults.failNext(Infinity, { status: 503, code: "ServiceUnavailable" });
      const deadline = first.expiration!.getTime();
      const entryNow = () => roles.status().entries![0]!;
      let served = 0;
      while (entryNow().failures === 0 && Date.now() < deadline) {
        expect((await provider()).accessKeyId).toBe(first.accessKeyId);
        served += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
      const entry = entryNow();
      expect(served).toBeGreaterThan(10);
      expect(["degraded", "refreshing"]).toContain(entry.state);
      expect(entry.failures).toBeGreaterThan(0);
      expect(entry.lastError?.message).toContain("ServiceUnavailable");
      expect((await provider()).accessKeyId).toBe(first.accessKeyId);
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() + 20)));
      await expect(provider()).rejects.toThrow(/ServiceUnavailable/);
      const before = assumeRoleCalls().length;
      for (let i = 0; i < 50; i++) await provider().catch(() => undefined);
      expect(assumeRoleCalls().length - before).toBeLessThanOrEqual(3);
      expect(roles.status().backoffHits).toBeGreaterThan(40);
    } finally {
      fake.sts.setCredentialLifetime(3600);
    }
  });
});

describe("no secrets, lifecycle", () => {
  it("status(), describe(), inspect and JSON carry no secret", async () => {
    const roles = cache();
    const provider = roles.provider(tenantRole(2));
    const credentials = await provider();
    const texts = [JSON.stringify(roles.status()), inspect(roles.status(), { depth: 9 }), JSON.stringify(roles.describe()), JSON.stringify(provider.describe()), inspect(provider), inspect(roles, { depth: 5 })];
    for (const text of texts) {
      for (const secret of [credentials.secretAccessKey, credentials.sessionToken!, keys.secretAccessKey]) expect(text).not.toContain(secret);
    }
    expect(provider.describe()).toMatchObject({ roleArn: tenantRole(2).roleArn, externalId: tenantRole(2).externalId, state: "fresh" });
    expect(roles.describe()).toMatchObject({ stsRequestsPerSecond: 50, maxEntries: 10_000, serviceName: "billing-api" });
  });

  it("LRU past maxEntries; an evicted provider asked again fetches again", async () => {
    const roles = cache({ maxEntries: 3 });
    const providers = [1, 2, 3].map((n) => roles.provider(tenantRole(n)));
    for (const p of providers) await p();
    await providers[0]!(); // 1 is now the most recent... but LRU touches are coarse (1 s), so 1 stays oldest
    roles.provider(tenantRole(4));
    expect(roles.status()).toMatchObject({ size: 3, evictions: 1 });
    const calls = assumeRoleCalls().length;
    await providers[0]!();
    expect(assumeRoleCalls().length).toBe(calls + 1);
    expect(roles.status().size).toBe(3);
  });

  it("a role in use is refreshed ahead by the scheduler, in the background, and stays held", async () => {
    const roles = cache({ schedule: { periodMs: 200, periodJitterFraction: 0, minDelayMs: 100 } });
    const provider = roles.provider(tenantRole(1));
    const first = await provider();
    await provider(); // in use since its fetch: the scheduler refreshes it when due
    // The fake STS counts a call when it arrives: wait for the refreshed key itself, which is stored a moment later.
    await vi.waitFor(async () => expect((await provider()).accessKeyId).not.toBe(first.accessKeyId), { timeout: 10_000, interval: 20 });
    expect(assumeRoleCalls().length).toBeGreaterThanOrEqual(2);
    expect(roles.status()).toMatchObject({ size: 1, evictions: 0 });
  });

  it("a role called again a second later moves to the recent end of the LRU; one whose fetch runs is never evicted for room", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // only the clock the LRU reads: the wire stays real
    try {
      const roles = cache({ maxEntries: 2 });
      const [p1, p2] = [1, 2].map((n) => roles.provider(tenantRole(n)));
      await p1!();
      await p2!();
      vi.setSystemTime(Date.now() + 1_500);
      await p1!(); // touched: now the most recent
      roles.provider(tenantRole(3)); // room for it: 2 goes, not 1
      const held = () => roles.status().entries!.map((e) => e.roleArn);
      expect(held()).toEqual([tenantRole(1).roleArn, tenantRole(3).roleArn]);
      roles.invalidate(tenantRole(1));
      fake.sts.faults.setLatency(200);
      const fetching = p1!(); // 1 is the oldest now, and its fetch runs
      roles.provider(tenantRole(4));
      expect(held()).toEqual([tenantRole(1).roleArn, tenantRole(4).roleArn]);
      await fetching;
      const calls = assumeRoleCalls().length;
      await p1!(); // its fetch's credentials were kept
      expect(assumeRoleCalls().length).toBe(calls);
    } finally {
      vi.useRealTimers();
    }
  });

  it("stop(): later calls fail with RefresherStoppedError; provider() too", async () => {
    const roles = cache();
    const provider = roles.provider(tenantRole(1));
    await provider();
    roles[Symbol.dispose]();
    await expect(provider()).rejects.toBeInstanceOf(RefresherStoppedError);
    expect(() => roles.provider(tenantRole(1))).toThrow(RefresherStoppedError);
    expect(roles.status()).toMatchObject({ stopped: true, size: 0 });
  });

  it("checks its options", () => {
    expect(() => cache({ stsRequestsPerSecond: 601 })).toThrow(/at most 600 \(STS's quota per account and region/);
    expect(() => cache({ maxEntries: 0 })).toThrow(/maxEntries must be a positive integer/);
    expect(() => createAssumeRoleCache({ region: "us-east-1" } as AssumeRoleCacheOptions)).toThrow(/source must be a credential provider/);
  });
});
