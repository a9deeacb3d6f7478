/**
 * What a role cache reports and the serving paths mutation testing found unpinned: every field of an
 * entry's `status()` (present exactly when it says something), the cache's `status()`/`describe()`
 * options and clock, its telemetry (read when collected, under its name), `invalidate()`'s targets, and
 * the slow paths of a call (an evicted provider, a backoff, a hit while backing off, a stop mid-fetch).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { RefresherStoppedError, summarizeError } from "../../src/refresh/errors.js";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { soonestExpiration } from "../../src/roles/cache-report.js";
import { noteClockOffset, stoppedError, type CacheClock } from "../../src/roles/core.js";
import { newEntry, type RoleEntry } from "../../src/roles/entry.js";
import { entryStatus } from "../../src/roles/status.js";
import { RateBudget } from "../../src/shared/rate-budget.js";
import type { StsBudget, StsBudgetLink } from "../../src/shared/sts-budget.js";
import { toSafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";
import { METRIC } from "../../src/telemetry/names.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { point, startOtel } from "../telemetry/support.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
const make = (patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry("k", { role, roleSessionName: "svc@t" }, 1_000), patch);
const held = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(3_600_000) });

describe("an entry's status: each field present exactly when it says something", () => {
  it("a new entry: its role, session name, state, last use and failures, nothing else (no undefined keys)", () => {
    expect(entryStatus(make(), 2_000)).toStrictEqual({ roleArn: role.arn, roleSessionName: "svc@t", state: "idle", lastUsedAt: new Date(1_000), failures: 0 });
  });

  it("everything known is reported, as dates", () => {
    const error = new Error("AssumeRole failed: ServiceUnavailable");
    const e = make({ credentials: held, expiresAt: 3_600_000, lastRefreshAt: 1_500, nextRefreshAt: 3_000_000, failures: 2, lastError: error, negativeUntil: 9_000, roleChaining: false });
    const request = { ...e.request, externalId: "ext-1" };
    expect(entryStatus({ ...e, request }, 2_000)).toStrictEqual({
      roleArn: role.arn,
      externalId: "ext-1",
      roleSessionName: "svc@t",
      state: "negative",
      expiration: new Date(3_600_000),
      lastUsedAt: new Date(1_000),
      lastRefreshAt: new Date(1_500),
      nextRefreshAt: new Date(3_000_000),
      failures: 2,
      lastError: summarizeError(error, held),
      negativeUntil: new Date(9_000),
      roleChaining: false,
    });
  });

  it("no next refresh while a fetch runs or before a caller used the credentials; a refusal only until it lapses", () => {
    const planned = { credentials: held, expiresAt: 3_600_000, nextRefreshAt: 3_000_000 };
    expect(entryStatus(make({ ...planned, inFlight: new Promise(() => undefined) }), 2_000).nextRefreshAt).toBeUndefined();
    expect(entryStatus(make({ ...planned, usedSinceRefresh: false }), 2_000).nextRefreshAt).toBeUndefined();
    for (const now of [9_000, 9_001]) expect("negativeUntil" in entryStatus(make({ negativeUntil: 9_000 }), now)).toBe(false);
    expect(entryStatus(make({ negativeUntil: 9_000 }), 8_999).negativeUntil).toEqual(new Date(9_000));
  });
});

describe("the soonest expiry telemetry reports", () => {
  it("the earliest among entries in use holding credentials; none without", () => {
    const entries = (...list: Partial<RoleEntry>[]) => new Map(list.map((patch, i) => [String(i), make(patch)]));
    expect(soonestExpiration(entries({ credentials: held, expiresAt: 5_000 }, { credentials: held, expiresAt: 4_000 }, { credentials: held, expiresAt: 6_000 }))).toEqual(new Date(4_000));
    // Credentials that never expire have no expiry to report; an unused entry's expiry is no alert.
    expect(soonestExpiration(entries({ credentials: held, expiresAt: undefined }))).toBeUndefined();
    expect(soonestExpiration(entries({ credentials: held, expiresAt: 4_000, usedSinceRefresh: false }, { credentials: held, expiresAt: 5_000 }))).toEqual(new Date(5_000));
  });
});

describe("the cache's clock", () => {
  it("a non-finite offset is ignored; a measured one is kept and known", () => {
    const clock: CacheClock = { offsetMs: 0, mandatoryWindowMs: 60_000, known: false };
    for (const bad of [NaN, Infinity]) noteClockOffset(clock, bad);
    expect(clock).toEqual({ offsetMs: 0, mandatoryWindowMs: 60_000, known: false });
    noteClockOffset(clock, -2_500);
    expect(clock).toEqual({ offsetMs: -2_500, mandatoryWindowMs: 60_000, known: true });
  });

  it("a stopped cache's error says until when the entry's credentials were valid", () => {
    const expiresAt = Date.now() + 600_000;
    expect(stoppedError(make({ expiresAt })).message).toContain(`(its credentials are valid until ${new Date(expiresAt).toISOString()})`);
    expect(stoppedError(make()).message).toBe("createAssumeRoleCache (role cache) was stopped; it no longer fetches credentials, create a new one");
  });
});

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
const caches: AssumeRoleCache[] = [];

function cache(options: Partial<AssumeRoleCacheOptions> = {}): AssumeRoleCache {
  const c = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", telemetry: false, ...options });
  caches.push(c);
  return c;
}
const assumeRoleCalls = () => fake.sts.calls.filter((c) => c.action === "AssumeRole").length;
/** A budget of this process only, as the cache's own, that records what the cache asks of its link. */
function recordingBudget(): StsBudget & { labels: string[]; stops: number; link?: StsBudgetLink } {
  const budget = {
    requestsPerSecond: 50,
    burst: 10,
    labels: [] as string[],
    stops: 0,
    link: undefined as StsBudgetLink | undefined,
    open(scope: { label: string; random: () => number }): StsBudgetLink {
      budget.labels.push(scope.label);
      const link = new RateBudget({ targetRate: 50, burst: 10, minRate: 1, decrease: 0.5, recoveryPerSecond: 1, basePauseMs: 500, maxPauseMs: 20_000 }, Date.now, scope.random);
      const stop = link.stop.bind(link);
      link.stop = (error) => {
        budget.stops += 1;
        stop(error);
      };
      return (budget.link = link);
    },
  };
  return budget;
}

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 6);
});
afterAll(() => fake.close());
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
  fake.sts.clearCalls();
});
afterEach(() => {
  while (caches.length) caches.pop()!.stop();
  vi.useRealTimers();
  restoreEnv();
});

describe("status() and describe() of a cache", () => {
  it("no clock offset until a client measured one; then the one measured", async () => {
    const roles = cache();
    const provider = roles.provider(tenantRole(1));
    expect(roles.status().clockOffsetMs).toBeUndefined();
    await provider.invalidate(undefined, { code: "ExpiredToken", clockOffsetMs: 5_000 });
    expect(roles.status().clockOffsetMs).toBe(5_000);
  });

  it("entries unless asked without them", () => {
    const roles = cache();
    roles.provider(tenantRole(1));
    expect(roles.status().entries).toHaveLength(1);
    expect(roles.status({ entries: true }).entries).toHaveLength(1);
    expect(roles.status({ entries: false }).entries).toBeUndefined();
  });

  it("describe() names the endpoint only when one is set", () => {
    expect(cache().describe().endpoint).toBe(new URL(fake.sts.endpoint).href);
    expect("endpoint" in cache({ endpoint: undefined, region: "eu-west-1" }).describe()).toBe(false);
  });

  it("the clock offset a rejecting client measured judges the held credentials: expired on AWS's clock, none to replace them with", async () => {
    const roles = cache();
    const provider = roles.provider(tenantRole(1));
    await provider();
    // AWS's clock is two hours ahead: the one-hour credentials held are expired there.
    const result = await provider.invalidate("ASIAOTHERKEY00000000", { code: "ExpiredToken", clockOffsetMs: 7_200_000 });
    expect(result).toEqual({ replaced: false, fetched: false, reason: `no valid credentials of ${tenantRole(1).roleArn} are held to replace them with` });
  });
});

describe("telemetry, read when collected", () => {
  it("size, lookups (a backoff answer counts as negative) and the soonest expiry, under the default name", async () => {
    const otel = startOtel();
    try {
      const roles = cache({ telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider }, retry: { maxAttempts: 1 }, backoff: { initialDelayMs: 30_000, jitter: "none" } });
      const good = roles.provider(tenantRole(1));
      await good();
      await good();
      fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
      const failing = roles.provider(tenantRole(2));
      await expect(failing()).rejects.toThrow(/ServiceUnavailable/);
      await expect(failing()).rejects.toThrow(/ServiceUnavailable/); // backing off: no STS call
      const m = await otel.metrics();
      const name = { "awscreds.provider": "awscreds role cache" };
      const requests = (result: string) => point(m, METRIC.roleCacheRequests, { ...name, result })?.value;
      expect([requests("hit"), requests("miss"), requests("negative")]).toEqual([1, 2, 1]);
      expect(point(m, METRIC.roleCacheSize, name)?.value).toBe(2);
      expect(point(m, METRIC.ttl, { ...name, "awscreds.source": "assume-role" })?.value).toBeGreaterThan(3_000);
    } finally {
      await otel.shutdown();
    }
  });

  it("under the cache's name when it has one; with telemetry off, nothing to observe or close", async () => {
    const otel = startOtel();
    try {
      const roles = cache({ name: "tenant-roles", telemetry: { meterProvider: otel.meterProvider } });
      roles.provider(tenantRole(1));
      expect(point(await otel.metrics(), METRIC.roleCacheSize, { "awscreds.provider": "tenant-roles" })?.value).toBe(1);
    } finally {
      await otel.shutdown();
    }
    expect(() => createAssumeRoleCache({ source: async () => keys, region: fake.region, telemetry: false }).stop()).not.toThrow();
  });
});

describe("a shared budget's link", () => {
  it("is opened under the cache's name (or the factory's), and stopped once however often the cache is", () => {
    const named = recordingBudget();
    cache({ stsBudget: named, name: "tenant-roles" });
    const unnamed = recordingBudget();
    const roles = cache({ stsBudget: unnamed });
    roles.stop();
    roles.stop();
    expect([named.labels, unnamed.labels, unnamed.stops]).toEqual([["tenant-roles"], ["createAssumeRoleCache"], 1]);
  });

  it("weighs a fetch by the callers waiting for it", () => {
    const budget = recordingBudget();
    const roles = cache({ stsBudget: budget });
    const weights: (() => number)[] = [];
    vi.spyOn(budget.link!, "acquire").mockImplementation((_priority, weight) => {
      weights.push(weight!);
      return new Promise(() => undefined); // the fetch waits for its token until the cache stops
    });
    const provider = roles.provider(tenantRole(1));
    for (let i = 0; i < 3; i++) void provider().catch(() => undefined);
    return vi.waitFor(() => expect(weights.map((w) => w())).toEqual([3]));
  });
});

describe("invalidate(): which entries", () => {
  it("one role's, all, or none (a role never asked for): the next call of those forgotten asks STS", async () => {
    const roles = cache();
    const [p1, p2] = [1, 2].map((n) => roles.provider(tenantRole(n)));
    await p1!();
    await p2!();
    expect(roles.invalidate(tenantRole(5))).toBe(false);
    expect(roles.invalidate(tenantRole(1))).toBe(true);
    await p2!();
    expect(assumeRoleCalls()).toBe(2);
    await p1!();
    expect(assumeRoleCalls()).toBe(3);
    expect(roles.invalidate()).toBe(true);
    await p1!();
    await p2!();
    expect(assumeRoleCalls()).toBe(5);
  });
});

describe("the slow paths of a call", () => {
  it("an evicted provider asked again hands over to the role's current entry: one AssumeRole for both", async () => {
    const roles = cache({ maxEntries: 1 });
    const old = roles.provider(tenantRole(1));
    roles.provider(tenantRole(2)); // room for it: 1 goes
    const current = roles.provider(tenantRole(1));
    expect(current).not.toBe(old);
    const [a, b] = await Promise.all([current(), old()]);
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(assumeRoleCalls()).toBe(1);
  });

  it("an evicted entry brought back ignores a fetch started before invalidate(): a call gets the new fetch's credentials", async () => {
    const roles = cache({ maxEntries: 1 });
    const provider = roles.provider(tenantRole(1));
    fake.sts.faults.setLatency(100);
    const before = provider();
    roles.invalidate(tenantRole(1));
    roles.provider(tenantRole(2)); // 1's fetch was forgotten: 1 can go
    const again = provider(); // back in, as new: fetches again
    const stale = await before;
    const after = await provider(); // the fetch from before must not have filled the entry
    expect(after.accessKeyId).not.toBe(stale.accessKeyId);
    expect(after.accessKeyId).toBe((await again).accessKeyId);
  });

  it("during a backoff with no valid credentials: the last error at once, counted, no STS call", async () => {
    const roles = cache({ retry: { maxAttempts: 1 }, backoff: { initialDelayMs: 30_000, jitter: "none" } });
    fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    const provider = roles.provider(tenantRole(1));
    const first = await provider().catch((e: unknown) => e);
    await expect(provider()).rejects.toBe(first);
    expect(assumeRoleCalls()).toBe(1);
    expect(roles.status()).toMatchObject({ misses: 1, backoffHits: 1, hits: 0 });
  });

  it("inside the mandatory window, a refresh failed and backing off: the held credentials, counted as a hit", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // only the clock: the wire stays real
    const roles = cache({ retry: { maxAttempts: 1 }, backoff: { initialDelayMs: 30_000, jitter: "none" } });
    const provider = roles.provider(tenantRole(1));
    const credentials = await provider();
    await provider(); // in use: the refresh-ahead timer is armed now, far ahead
    vi.setSystemTime(credentials.expiration!.getTime() - 1_000);
    fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    expect((await provider()).accessKeyId).toBe(credentials.accessKeyId); // the refresh failed: the held ones
    expect((await provider()).accessKeyId).toBe(credentials.accessKeyId); // backing off: no STS call
    expect(assumeRoleCalls()).toBe(2);
    expect(roles.status()).toMatchObject({ hits: 2, misses: 2, negativeHits: 0, backoffHits: 0 });
  });

  it("stopped before the fetch got its token, or while it was granted: RefresherStoppedError, no STS call", async () => {
    const roles = cache();
    const queued = roles.provider(tenantRole(1))();
    roles.stop();
    await expect(queued).rejects.toBeInstanceOf(RefresherStoppedError);
    const budget = recordingBudget();
    const racing = cache({ stsBudget: budget });
    vi.spyOn(budget.link!, "acquire").mockImplementation(() => {
      racing.stop(); // the cache stops between the grant and the fetch going on
      return Promise.resolve();
    });
    const error = await racing.provider(tenantRole(1))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefresherStoppedError);
    expect((error as Error).message).toMatch(/^createAssumeRoleCache \(role cache\) was stopped/);
    expect(assumeRoleCalls()).toBe(0);
  });
});
