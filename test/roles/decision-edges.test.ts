/**
 * The edges of the role cache's pure rules that mutation testing found unpinned: what counts as a refusal
 * or as throttling for any shape of error, what the cache key tells apart, the boundaries of the entry
 * rules, non-expiring credentials, a partly earned token, and the rate budget's queue and status.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { hasValidCredentials, entryState, newEntry, nextWake, refreshDue, serveDecision, type RoleEntry } from "../../src/roles/entry.js";
import type { RoleCacheCore } from "../../src/roles/core.js";
import { forgetEntry } from "../../src/roles/forget.js";
import { roleCacheKey } from "../../src/roles/key.js";
import { lookupEntry, sessionNameFor } from "../../src/roles/lookup.js";
import { isThrottling, markSourceFailure, negativeCode } from "../../src/roles/negative.js";
import { recordFailure, recordSuccess } from "../../src/roles/outcome.js";
import { RateBudget } from "../../src/shared/rate-budget.js";
import type { StsBudgetLink } from "../../src/shared/sts-budget.js";
import { bucketPolicy, initialBucket, refill, takeToken, type TokenBucketPolicy } from "../../src/shared/token-bucket.js";
import { WaitQueue, type Waiter } from "../../src/shared/wait-queue.js";
import { DEFAULT_SCHEDULE_POLICY } from "../../src/refresh/schedule.js";
import { toSafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";

const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
const make = (patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry("k", { role, roleSessionName: "svc@t" }, 0), patch);
const expiring = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(3_600_000) });
const forever = toSafeCredentials({ accessKeyId: "AKIAX", secretAccessKey: "s" });
const stsError = (code: string) => Object.assign(new Error(`AssumeRole failed: ${code}`), { cause: Object.assign(new Error(code), { name: code }) });
const policy: TokenBucketPolicy = { targetRate: 10, burst: 2, minRate: 1, decrease: 0.5, recoveryPerSecond: 0.1, basePauseMs: 500, maxPauseMs: 20_000 };

describe("refusals and throttling, whatever was thrown", () => {
  it("null, undefined and primitives are neither, and can be marked without throwing", () => {
    for (const thrown of [null, undefined, "AccessDenied", 42]) {
      expect(negativeCode(thrown)).toBeUndefined();
      expect(isThrottling(thrown)).toBe(false);
      expect(() => markSourceFailure(thrown)).not.toThrow();
    }
  });

  it("every throttling code STS and the SDK use slows the budget; a refusal marked as the source's failure is none", () => {
    for (const code of ["Throttling", "TooManyRequests", "RequestLimitExceeded"]) expect(isThrottling(stsError(code))).toBe(true);
    expect(isThrottling(stsError("AccessDenied"))).toBe(false);
    const sourceDenied = stsError("AccessDenied");
    expect(negativeCode(sourceDenied)).toBe("AccessDenied");
    markSourceFailure(sourceDenied);
    expect(negativeCode(sourceDenied)).toBeUndefined();
  });
});

describe("the cache key", () => {
  const base = { roleArn: "arn:aws:iam::210987654321:role/saas", externalId: "e1" };
  it("tag and transitive-key order do not matter (three of each, any order); their values and the policy ARNs do", () => {
    const tagged = (tags: Record<string, string>, transitiveTagKeys: string[]) => roleCacheKey({ ...base, tags, transitiveTagKeys }, "s");
    const k = tagged({ b: "2", c: "3", a: "1" }, ["y", "z", "x"]);
    expect(tagged({ a: "1", b: "2", c: "3" }, ["x", "y", "z"])).toBe(k);
    expect(tagged({ c: "3", a: "1", b: "2" }, ["z", "x", "y"])).toBe(k);
    expect(tagged({ a: "1", b: "2", c: "4" }, ["x", "y", "z"])).not.toBe(k);
    expect(tagged({ a: "1", b: "2", c: "3" }, ["x", "y"])).not.toBe(k);
    expect(roleCacheKey({ ...base, tags: { a: "1" } }, "s")).not.toBe(roleCacheKey(base, "s"));
    const arns = (arn: string) => roleCacheKey({ ...base, policyArns: [{ arn }] }, "s");
    expect(arns("arn:aws:iam::aws:policy/ReadOnlyAccess")).not.toBe(arns("arn:aws:iam::aws:policy/AdministratorAccess"));
  });

  it("a role ARN that does not parse still gets a session name (the spec check then names the ARN, not a crash here)", () => {
    expect(sessionNameFor({ roleArn: "not-an-arn" }, "billing-api")).toBe("billing-api@tenant");
  });

  it("looking up something that is not an object (null, a string) says provider() takes an object", () => {
    const core = { entries: new Map(), settings: { serviceName: "billing-api" } } as unknown as RoleCacheCore;
    for (const role of [null, "arn:aws:iam::210987654321:role/saas"]) {
      expect(() => lookupEntry(core, role as never)).toThrow(TypeError);
      expect(() => lookupEntry(core, role as never)).toThrow(/provider\(\) takes an object with roleArn/);
    }
  });
});

describe("entry rule boundaries", () => {
  it("credentials without an expiry are valid and served forever", () => {
    const e = make({ credentials: forever, resolved: Promise.resolve(forever) });
    expect(hasValidCredentials(e, 1e15)).toBe(true);
    expect(serveDecision(e, 1e15)).toBe("hit");
  });

  it("a refusal and a backoff end at their instant: the refresh is due then, and the state is no longer negative", () => {
    const due = { credentials: expiring, expiresAt: 3_600_000, nextRefreshAt: 1_000, usedSinceRefresh: true };
    expect(refreshDue(make({ ...due, negativeUntil: 5_000 }), 5_000)).toBe(true);
    expect(refreshDue(make({ ...due, retryAt: 5_000 }), 5_000)).toBe(true);
    expect(entryState(make({ negativeUntil: 5_000 }), 4_999)).toBe("negative");
    expect(entryState(make({ negativeUntil: 5_000 }), 5_000)).toBe("idle");
    expect(entryState(make({ credentials: expiring, expiresAt: 3_600_000, negativeUntil: 5_000 }), 6_000)).toBe("fresh");
  });

  it("a retry time with no failure recorded is no backoff: the call fetches", () => {
    expect(serveDecision(make({ retryAt: 5_000 }), 1_000)).toBe("miss");
  });

  it("a refresh time planned but no credentials held is not the scheduler's refresh (the next caller fetches)", () => {
    expect(refreshDue(make({ usedSinceRefresh: true, nextRefreshAt: 1_000 }), 2_000)).toBe(false);
  });

  it("invalidate() moves the generation forward, so a fetch started before it never matches after a re-admission (+1)", () => {
    const e = make();
    const startedAt = e.generation;
    forgetEntry({} as StsBudgetLink, e);
    expect(e.generation).toBeGreaterThan(startedAt);
    expect(e.generation + 1).not.toBe(startedAt);
  });

  it("an entry in use with no refresh planned (first fetch pending) wakes the scheduler when it goes idle", () => {
    expect(nextWake(make({ lastUsedAt: 1_000, usedSinceRefresh: true }), 60_000)).toBe(61_000);
  });
});

describe("outcome edges", () => {
  it("the mandatory window is a tenth of the lifetime left at the fetch, not of the expiry's epoch", () => {
    const e = make();
    const fetchedAt = 3_000_000; // 5 min left: the window is 30 s (a tenth), not the full minute
    const fiveMinLeft = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(fetchedAt + 300_000) });
    recordSuccess(e, fiveMinLeft, fetchedAt, DEFAULT_SCHEDULE_POLICY, () => 0.5, { offsetMs: 0, mandatoryWindowMs: 60_000 });
    expect(e.freshUntil).toBe(fetchedAt + 300_000 - 30_000);
  });

  it("the mandatory window's lifetime is judged on AWS's clock: a clock 100 s ahead leaves 200 s, so a 20 s window", () => {
    const e = make();
    const fetchedAt = 3_000_000;
    const fiveMinLeft = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(fetchedAt + 300_000) });
    recordSuccess(e, fiveMinLeft, fetchedAt, DEFAULT_SCHEDULE_POLICY, () => 0.5, { offsetMs: 100_000, mandatoryWindowMs: 60_000 });
    expect(e.freshUntil).toBe(fetchedAt + 300_000 - 20_000);
  });

  it("credentials that never expire: no freshness limit and no refresh planned", () => {
    const e = make();
    recordSuccess(e, forever, 1_000, DEFAULT_SCHEDULE_POLICY, () => 0.5);
    expect(e).toMatchObject({ expiresAt: undefined, freshUntil: undefined, nextRefreshAt: undefined });
  });

  it("a failure with nothing valid held plans no background refresh (the next caller fetches)", () => {
    const e = make({ nextRefreshAt: undefined });
    recordFailure(e, new Error("socket hang up"), 1_000, { negativeTtlMs: 60_000, backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: "none" }, random: () => 0.5 });
    expect(e.retryAt).toBe(2_000);
    expect(e.nextRefreshAt).toBeUndefined();
  });
});

describe("token bucket and rate budget edges", () => {
  afterEach(() => vi.useRealTimers());

  it("a partly earned token: the wait is for the part missing", () => {
    let s = initialBucket(policy, 0);
    s = takeToken(takeToken(s, policy, 0).state, policy, 0).state; // burst spent
    expect(takeToken(s, policy, 50)).toMatchObject({ granted: false, waitMs: 50 }); // half a token at 10/s
  });

  it("a clock stepped back earns nothing: no tokens for time already counted", () => {
    const empty = { ...initialBucket(policy, 10_000), tokens: 0 };
    const stepped = refill(empty, policy, 9_000);
    expect(refill(stepped, policy, 10_000).tokens).toBe(0);
  });

  it("Throttling slows the bucket down to a twentieth of the rate, never below 1/s", () => {
    expect(bucketPolicy(100, 20).minRate).toBe(5);
    expect(bucketPolicy(10, 2).minRate).toBe(1);
  });

  it("the burst goes at once: two callers of a 2-token budget both go without waiting", async () => {
    vi.useFakeTimers();
    const budget = new RateBudget(policy, Date.now, () => 0.5);
    const went: number[] = [];
    void budget.acquire("demand").then(() => went.push(1));
    void budget.acquire("demand").then(() => went.push(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toEqual([1, 2]);
    budget.stop(new Error("stopped"));
  });

  it("a demand call with no weight given goes before the background ones queued ahead of it", async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ ...policy, burst: 1, targetRate: 1 }, Date.now, () => 0.5);
    await budget.acquire("background");
    const order: string[] = [];
    const all = [budget.acquire("background").then(() => order.push("background")), budget.acquire("demand").then(() => order.push("demand"))];
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(all);
    expect(order).toEqual(["demand", "background"]);
  });

  it("the wait for the next token holds the process only while a caller waits: not for a background refresh, yes once a caller joins it", async () => {
    // The budget's timer is private: the Timeout it is given is caught from setTimeout (real timers, a real ref count).
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const budget = new RateBudget({ ...policy, burst: 1, targetRate: 1 }, Date.now, () => 0.5);
    try {
      await budget.acquire("background");
      let callers = 0;
      const queued = budget.acquire("background", () => callers).catch(() => undefined);
      const wait = setTimeoutSpy.mock.results.at(-1)!.value as NodeJS.Timeout;
      expect(wait.hasRef()).toBe(false);
      callers = 1;
      budget.nudge();
      expect(wait.hasRef()).toBe(true);
      budget.stop(new Error("stopped"));
      await queued;
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it("status: no pause reported when none is on; a call accepted after Throttling lets the rate grow back", () => {
    let t = 0;
    const budget = new RateBudget(policy, () => t, () => 0.5);
    expect(budget.status().pausedUntil).toBeUndefined();
    budget.throttled();
    expect(budget.status().currentPerSecond).toBe(5);
    t = 10_000;
    budget.accepted();
    void budget.acquire("background"); // a token taken refills and grows the rate
    expect(budget.status().currentPerSecond).toBeGreaterThan(5);
    budget.stop(new Error("stopped"));
  });

  it("the wait queue: a demand call counts as demand whatever its weight; any demand among background ones is demand", () => {
    const waiter = (priority: "demand" | "background", weight: number): Waiter => ({ priority, weight: () => weight, resolve: () => undefined, reject: () => undefined });
    const q = new WaitQueue();
    q.push(waiter("background", 0));
    expect(q.hasDemand()).toBe(false);
    const zeroWeightDemand = waiter("demand", 0);
    q.push(zeroWeightDemand);
    expect(q.hasDemand()).toBe(true);
    expect(q.counts()).toEqual({ demand: 1, background: 1 });
    expect(q.shift()).toBe(zeroWeightDemand);
    q.remove(waiter("demand", 1)); // not queued: nothing taken out
    expect(q.size).toBe(1);
  });
});
