/**
 * The role cache's pure rules (token bucket, entry decisions, keys) and its rate budget's order, with
 * fake timers where time matters.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { RateBudget } from "../../src/shared/rate-budget.js";
import { initialBucket, onAccepted, onThrottled, takeToken, type TokenBucketPolicy } from "../../src/shared/token-bucket.js";
import { entryState, idle, newEntry, nextWake, refreshDue, serveDecision, type RoleEntry } from "../../src/roles/entry.js";
import { roleCacheKey } from "../../src/roles/key.js";
import { recordFailure, recordSuccess } from "../../src/roles/outcome.js";
import { DEFAULT_SCHEDULE_POLICY } from "../../src/refresh/schedule.js";
import { toSafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";

const policy: TokenBucketPolicy = { targetRate: 10, burst: 2, minRate: 1, decrease: 0.5, recoveryPerSecond: 0.1, basePauseMs: 500, maxPauseMs: 20_000 };

describe("token bucket", () => {
  it("spends the burst, then one token per 1/rate", () => {
    let s = initialBucket(policy, 0);
    for (let i = 0; i < 2; i++) {
      const r = takeToken(s, policy, 0);
      expect(r.granted).toBe(true);
      s = r.state;
    }
    const denied = takeToken(s, policy, 0);
    expect(denied).toMatchObject({ granted: false, waitMs: 100 });
    expect(takeToken(denied.state, policy, 100).granted).toBe(true);
  });

  it("Throttling halves the rate and pauses with growing backoff; a burst of answers counts once", () => {
    let s = onThrottled(initialBucket(policy, 0), policy, 0, 0);
    expect(s).toMatchObject({ rate: 5, tokens: 0, pausedUntil: 250, streak: 1 });
    expect(takeToken(s, policy, 100)).toMatchObject({ granted: false, waitMs: 150 });
    s = onThrottled(s, policy, 200, 0); // still paused: from the same burst
    expect(s).toMatchObject({ rate: 5, streak: 1 });
    s = onThrottled(s, policy, 300, 1);
    expect(s).toMatchObject({ rate: 2.5, streak: 2, pausedUntil: 1300 });
    for (let i = 0; i < 10; i++) s = onThrottled(s, policy, s.pausedUntil, 1);
    expect(s.rate).toBe(1); // the floor
    expect(s.pausedUntil - s.at).toBeLessThanOrEqual(20_000);
  });

  it("earns nothing during the pause: it ends with one call, not a burst of what it held back", () => {
    let s = onThrottled(initialBucket(policy, 0), policy, 0, 0); // rate 5/s, paused until 250
    s = takeToken(s, policy, 100).state; // a caller looked during the pause
    const after = takeToken(s, policy, 450); // 200 ms after the pause: one token at 5/s
    expect(after.granted).toBe(true);
    expect(takeToken(after.state, policy, 450)).toMatchObject({ granted: false, waitMs: 200 });
  });

  it("grows back to the target once calls go through", () => {
    let s = onThrottled(initialBucket(policy, 0), policy, 0, 0);
    s = takeToken(s, policy, 5_000).state; // still in the streak: no growth
    expect(s.rate).toBe(5);
    s = onAccepted(s);
    s = takeToken(s, policy, 6_000).state;
    expect(s.rate).toBe(6);
    s = takeToken(s, policy, 60_000).state;
    expect(s.rate).toBe(10);
  });
});

describe("rate budget", () => {
  afterEach(() => vi.useRealTimers());

  it("serves callers that need credentials now before background refreshes", async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ ...policy, burst: 1, targetRate: 1 }, Date.now, () => 0.5);
    const order: string[] = [];
    await budget.acquire("background");
    const waiting = [
      budget.acquire("background").then(() => order.push("background 1")),
      budget.acquire("background").then(() => order.push("background 2")),
      budget.acquire("demand").then(() => order.push("demand")),
    ];
    expect(budget.status()).toMatchObject({ waitingDemand: 1, waitingBackground: 2 });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(["demand"]);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(waiting);
    expect(order).toEqual(["demand", "background 1", "background 2"]);
  });

  it("among demand, the fetch the most callers wait for goes first; equals in order", async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ ...policy, burst: 1, targetRate: 1 }, Date.now, () => 0.5);
    const order: string[] = [];
    await budget.acquire("demand");
    const weights: Record<string, number> = { rare: 1, hot: 1, warm: 1, other: 1 };
    const waiting = Object.keys(weights).map((name) => budget.acquire("demand", () => weights[name]!).then(() => order.push(name)));
    weights.hot = 40; // callers pile up on the hot tenant's fetch while it waits
    weights.warm = 3;
    await vi.advanceTimersByTimeAsync(4000);
    await Promise.all(waiting);
    expect(order).toEqual(["hot", "warm", "rare", "other"]);
  });

  it("stop() rejects the waiting and later calls", async () => {
    vi.useFakeTimers();
    const budget = new RateBudget({ ...policy, burst: 1 }, Date.now, () => 0.5);
    await budget.acquire("demand");
    const waiting = budget.acquire("demand");
    budget.stop(new Error("stopped"));
    await expect(waiting).rejects.toThrow("stopped");
    await expect(budget.acquire("demand")).rejects.toThrow("stopped");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("entry decisions", () => {
  const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
  const make = (patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry("k", { role, roleSessionName: "svc@t" }, 0), patch);
  const creds = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(10_000) });
  const inFlight = Promise.resolve(creds);

  it("what a caller gets", () => {
    expect(serveDecision(make(), 0)).toBe("miss");
    expect(serveDecision(make({ credentials: creds, expiresAt: 10_000 }), 9_999)).toBe("hit");
    expect(serveDecision(make({ credentials: creds, expiresAt: 10_000 }), 10_000)).toBe("miss");
    expect(serveDecision(make({ credentials: creds, expiresAt: 10_000, inFlight }), 5_000)).toBe("hit");
    expect(serveDecision(make({ inFlight }), 0)).toBe("coalesced");
    expect(serveDecision(make({ negativeUntil: 100, credentials: creds, expiresAt: 10_000 }), 50)).toBe("negative");
    expect(serveDecision(make({ negativeUntil: 100 }), 100)).toBe("miss");
    expect(serveDecision(make({ retryAt: 100, lastError: new Error("x") }), 50)).toBe("backoff");
    expect(serveDecision(make({ retryAt: 100, lastError: new Error("x") }), 100)).toBe("miss");
  });

  it("the mandatory window and AWS's clock: not fresh inside the window or past expiry on AWS's clock; held while backing off", () => {
    const windowed = { credentials: creds, expiresAt: 10_000, freshUntil: 9_000 };
    expect(serveDecision(make(windowed), 8_999)).toBe("hit");
    expect(serveDecision(make(windowed), 9_000)).toBe("miss");
    expect(serveDecision(make({ ...windowed, inFlight }), 9_500)).toBe("coalesced");
    // Backing off: no fetch can run, so the held (still valid) credentials; past expiry, the error.
    expect(serveDecision(make({ ...windowed, retryAt: 20_000, lastError: new Error("x") }), 9_500)).toBe("hit");
    expect(serveDecision(make({ ...windowed, retryAt: 20_000, lastError: new Error("x") }), 10_000)).toBe("backoff");
    // AWS's clock 2 s ahead of ours: 8 s here is 10 s there, past expiry.
    expect(serveDecision(make(windowed), 6_999, 2_000)).toBe("hit");
    expect(serveDecision(make(windowed), 7_000, 2_000)).toBe("miss");
    expect(entryState(make({ ...windowed, failures: 1 }), 8_000, 2_000)).toBe("expired");
  });

  it("rejected: AWS rejected the credentials held and nothing replaced them yet", () => {
    expect(entryState(make({ credentials: creds, expiresAt: 10_000, rejected: { at: 5, code: "ExpiredToken" } }), 10)).toBe("rejected");
    expect(entryState(make({ rejected: { at: 5, code: "ExpiredToken" }, inFlight }), 10)).toBe("rejected");
  });

  it("refreshes only entries used since their last refresh, when due, with nothing running", () => {
    const due = { credentials: creds, expiresAt: 10_000, nextRefreshAt: 5_000, usedSinceRefresh: true };
    expect(refreshDue(make(due), 5_000)).toBe(true);
    expect(refreshDue(make(due), 4_999)).toBe(false);
    expect(refreshDue(make({ ...due, usedSinceRefresh: false }), 6_000)).toBe(false);
    expect(refreshDue(make({ ...due, inFlight }), 6_000)).toBe(false);
    expect(refreshDue(make({ ...due, retryAt: 7_000 }), 6_000)).toBe(false);
    expect(refreshDue(make({ ...due, negativeUntil: 7_000 }), 6_000)).toBe(false);
  });

  it("idle eviction and the next wake-up", () => {
    expect(idle(make({ lastUsedAt: 0 }), 60_000, 60_000)).toBe(true);
    expect(idle(make({ lastUsedAt: 0, inFlight }), 60_000, 60_000)).toBe(false);
    expect(idle(make({ lastUsedAt: 1 }), 60_000, 60_000)).toBe(false);
    expect(nextWake(make({ lastUsedAt: 0, usedSinceRefresh: true, nextRefreshAt: 5_000 }), 60_000)).toBe(5_000);
    expect(nextWake(make({ lastUsedAt: 0, usedSinceRefresh: false, nextRefreshAt: 5_000 }), 60_000)).toBe(60_000);
    expect(nextWake(make({ lastUsedAt: 0, usedSinceRefresh: true, nextRefreshAt: 5_000, retryAt: 8_000 }), 60_000)).toBe(8_000);
  });

  it("states", () => {
    expect(entryState(make(), 0)).toBe("idle");
    expect(entryState(make({ inFlight }), 0)).toBe("pending");
    expect(entryState(make({ credentials: creds, expiresAt: 10_000 }), 0)).toBe("fresh");
    expect(entryState(make({ credentials: creds, expiresAt: 10_000, failures: 1 }), 0)).toBe("degraded");
    expect(entryState(make({ credentials: creds, expiresAt: 10_000, failures: 1 }), 10_000)).toBe("expired");
    expect(entryState(make({ credentials: creds, expiresAt: 10_000 }), 10_000)).toBe("idle"); // expired unused: not refreshed, by design
    expect(entryState(make({ lastError: new Error("x") }), 0)).toBe("failed");
  });
});

describe("keys", () => {
  it("tag order does not matter; every session parameter does", () => {
    const base = { roleArn: "arn:aws:iam::210987654321:role/saas", externalId: "e1", tags: { a: "1", b: "2" } };
    expect(roleCacheKey(base, "n")).toBe(roleCacheKey({ ...base, tags: { b: "2", a: "1" } }, "n"));
    expect(roleCacheKey(base, "n")).not.toBe(roleCacheKey(base, "m"));
    expect(roleCacheKey(base, "n")).not.toBe(roleCacheKey({ ...base, transitiveTagKeys: ["a"] }, "n"));
    expect(roleCacheKey(base, "n")).not.toBe(roleCacheKey({ ...base, policyArns: [{ arn: "arn:aws:iam::aws:policy/X" }] }, "n"));
  });
});

describe("outcomes", () => {
  const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
  const make = (patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry("k", { role, roleSessionName: "svc@t" }, 0), patch);
  const creds = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(3_600_000) });
  const backoff = { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: "none" as const };
  const providerError = (code: string) => Object.assign(new Error(`AssumeRole failed: ${code}`), { cause: Object.assign(new Error(code), { name: code }) });

  it("success: credentials served as one settled promise, next refresh 45-50 min ahead, failures cleared", async () => {
    const e = make({ failures: 3, retryAt: 5, negativeUntil: 5 });
    recordSuccess(e, creds, 0, DEFAULT_SCHEDULE_POLICY, () => 0.5);
    expect(await e.resolved).toBe(creds);
    expect(e).toMatchObject({ failures: 0, retryAt: undefined, negativeUntil: undefined, usedSinceRefresh: false, expiresAt: 3_600_000 });
    expect(e.nextRefreshAt).toBe(3_600_000 - 12.5 * 60_000);
  });

  it("success: fresh until the mandatory window (the refresher's rule: 1 min, at most a tenth of the lifetime), rejection cleared", () => {
    const e = make({ rejected: { at: 0, code: "ExpiredToken" } });
    recordSuccess(e, creds, 0, DEFAULT_SCHEDULE_POLICY, () => 0.5, { offsetMs: 0, mandatoryWindowMs: 60_000 });
    expect(e).toMatchObject({ freshUntil: 3_600_000 - 60_000, rejected: undefined });
    const short = toSafeCredentials({ ...creds, expiration: new Date(4_000) });
    recordSuccess(e, short, 0, DEFAULT_SCHEDULE_POLICY, () => 0.5, { offsetMs: 0, mandatoryWindowMs: 60_000 });
    expect(e.freshUntil).toBe(3_600);
    // AWS's clock 10 min ahead: 50 min left there; the refresh is planned on this host's clock.
    recordSuccess(e, creds, 0, DEFAULT_SCHEDULE_POLICY, () => 0.5, { offsetMs: 600_000, mandatoryWindowMs: 60_000 });
    expect(e.nextRefreshAt).toBe(3_000_000 - 12.5 * 60_000);
  });

  it("a refusal is cached for negativeTtlMs, with the time in the message; no backoff", () => {
    const e = make();
    const out = recordFailure(e, providerError("AccessDenied"), 1000, { negativeTtlMs: 60_000, backoff, random: () => 0 });
    expect(out).toMatchObject({ negative: true, serving: false });
    expect(out.error.message).toContain("AssumeRole failed: AccessDenied This refusal is cached until 1970-01-01T00:01:01.000Z");
    expect(e).toMatchObject({ negativeUntil: 61_000, failures: 0, retryAt: undefined });
    expect(recordFailure(make(), providerError("AccessDenied"), 0, { negativeTtlMs: 0, backoff, random: () => 0 }).negative).toBe(false);
  });

  it("a transient failure backs off; with valid credentials, they are served and the retry is the next refresh", () => {
    const e = make({ credentials: creds, expiresAt: 3_600_000 });
    const first = recordFailure(e, providerError("ServiceUnavailable"), 1000, { negativeTtlMs: 60_000, backoff, random: () => 0 });
    expect(first).toMatchObject({ negative: false, serving: true });
    expect(e).toMatchObject({ failures: 1, retryAt: 2000, nextRefreshAt: 2000 });
    recordFailure(e, providerError("ServiceUnavailable"), 2000, { negativeTtlMs: 60_000, backoff, random: () => 0 });
    expect(e).toMatchObject({ failures: 2, retryAt: 4000 });
    expect(recordFailure(make(), providerError("ServiceUnavailable"), 0, { negativeTtlMs: 1, backoff, random: () => 0 }).serving).toBe(false);
  });
});
