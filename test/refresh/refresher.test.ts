import { inspect } from "node:util";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { createRefresher } from "../../src/refresh/refresher.js";
import { AttemptTimeoutError, CredentialsExpiredError, RefresherStoppedError } from "../../src/refresh/errors.js";
import type { RefreshErrorEvent, RefreshEvent } from "../../src/refresh/types.js";
import { SafeCredentials } from "../../src/shared/safe-credentials.js";
import type { StsFailoverStatus } from "../../src/sts/failover.js";
import { SECRET_MARK, capturingLogger, makeCredentials, scriptedSource, seededRandom, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
useFakeClockAndCatchUnhandled(T0);

/** Lets pending promise callbacks run without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("createRefresher: prefetch and the hot path", () => {
  it("fetches at creation with forceRefresh, settles ready, and serves one cached SafeCredentials", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    const refresher = createRefresher(source, { random: seededRandom(1) });
    expect(source.calls).toEqual([{ forceRefresh: true }]);
    expect(refresher.status().state).toBe("starting");
    await refresher.ready;
    const first = refresher();
    const second = refresher({});
    // The hot path hands out the same already-resolved promise: nothing allocated per call.
    expect(second).toBe(first);
    const credentials = await first;
    expect(credentials).toBeInstanceOf(SafeCredentials);
    expect(credentials.accessKeyId).toBe("ASIATEST00000001");
    expect(source.calls).toHaveLength(1);
    expect(refresher.status()).toMatchObject({ state: "ready", refreshCount: 1, failureCount: 0 });
    refresher.stop();
  });

  it("shares the prefetch among callers that arrive before it completes", async () => {
    const source = scriptedSource({ latencyMs: 300 });
    const refresher = createRefresher(source);
    const calls = Promise.all([refresher(), refresher(), refresher()]);
    expect(refresher.status().refreshing).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    const results = await calls;
    expect(new Set(results.map((c) => c.accessKeyId)).size).toBe(1);
    expect(source.calls).toHaveLength(1);
    refresher.stop();
  });

  it("keeps secrets out of inspect, JSON and strings of what it returns", async () => {
    const refresher = createRefresher(scriptedSource());
    const credentials = await refresher();
    for (const text of [inspect(credentials), JSON.stringify(credentials), String(credentials), inspect(refresher.status())]) {
      expect(text).not.toContain(SECRET_MARK);
    }
    // Still real credentials for the signer.
    expect(credentials.secretAccessKey).toContain(SECRET_MARK);
    refresher.stop();
  });

  it("is marked so an SDK v3 client uses it as is, without its own memoization", () => {
    const refresher = createRefresher(scriptedSource());
    expect([refresher.memoized, refresher.configBound, refresher.attributed]).toEqual([true, true, true]);
    const client = new STSClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: refresher });
    expect(client.config.credentials).toBe(refresher);
    client.destroy();
    refresher.stop();
  });
});

describe("createRefresher: background refresh", () => {
  it("refreshes before expiry on the planned schedule, and callers never wait for it", async () => {
    const source = scriptedSource({ lifetimeMs: 4_000, latencyMs: 300 });
    const refreshes: RefreshEvent[] = [];
    const refresher = createRefresher(source, { onRefresh: (e) => refreshes.push(e), random: seededRandom(2) });
    await vi.advanceTimersByTimeAsync(300);
    await refresher.ready;
    for (let cycle = 0; cycle < 5; cycle++) {
      const status = refresher.status();
      const plannedIn = status.nextRefreshAt!.getTime() - Date.now();
      // 4 s credentials: refresh after 50–75% of their lifetime.
      expect(plannedIn).toBeGreaterThanOrEqual(2_000);
      expect(plannedIn).toBeLessThanOrEqual(3_000);
      const before = await refresher();
      await vi.advanceTimersByTimeAsync(plannedIn);
      expect(refresher.status().refreshing).toBe(true);
      // While STS is busy, calls resolve at once with the still-valid credentials (no timer advance needed).
      const during = await refresher();
      expect(during.accessKeyId).toBe(before.accessKeyId);
      await vi.advanceTimersByTimeAsync(300);
      const after = await refresher();
      expect(after.accessKeyId).not.toBe(before.accessKeyId);
    }
    expect(source.calls).toHaveLength(6);
    expect(source.calls.every((c) => c.forceRefresh === true)).toBe(true);
    expect(refreshes.map((e) => e.reason)).toEqual(["initial", "scheduled", "scheduled", "scheduled", "scheduled", "scheduled"]);
    expect(refreshes[1]).toMatchObject({ durationMs: 300, refreshCount: 2 });
    expect(refreshes[1]!.expiration).toBeInstanceOf(Date);
    refresher.stop();
  });

  it("draws the refresh time from the injected random, so a fleet started together spreads out", async () => {
    const planned = async (random: () => number): Promise<number> => {
      const refresher = createRefresher(scriptedSource({ lifetimeMs: 4_000 }), { random });
      await refresher.ready;
      const at = refresher.status().nextRefreshAt!.getTime() - Date.now();
      refresher.stop();
      return at;
    };
    // 4-second credentials: the whole window, 2 to 3 s after the fetch, is used.
    expect(await planned(() => 0)).toBe(3_000);
    expect(await planned(() => 0.999_999)).toBe(2_000);
    const fleet = await Promise.all(Array.from({ length: 20 }, (_, i) => planned(seededRandom(100 + i))));
    expect(new Set(fleet).size).toBeGreaterThan(15);
  });

  it("fetches credentials without expiration once, and again every `period` if asked", async () => {
    const once = scriptedSource({ lifetimeMs: undefined });
    const refresher = createRefresher(once);
    await refresher.ready;
    expect(refresher.status().nextRefreshAt).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(once.calls).toHaveLength(1);

    const periodic = scriptedSource({ lifetimeMs: undefined });
    const withPeriod = createRefresher(periodic, { period: 60_000 });
    await withPeriod.ready;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    // Every 54–60 s: 10 or 11 refreshes in 10 minutes, plus the initial fetch.
    expect(periodic.calls.length).toBeGreaterThanOrEqual(11);
    expect(periodic.calls.length).toBeLessThanOrEqual(12);
    withPeriod.stop();
    refresher.stop();
  });

  it("forces a single-flight refresh with refresh() or { forceRefresh: true }", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000, latencyMs: 100 });
    const refresher = createRefresher(source);
    await vi.advanceTimersByTimeAsync(100);
    const forced = Promise.all([refresher.refresh(), refresher.refresh(), refresher({ forceRefresh: true })]);
    await vi.advanceTimersByTimeAsync(100);
    const results = await forced;
    expect(source.calls).toHaveLength(2);
    expect(new Set(results.map((c) => c.accessKeyId))).toEqual(new Set(["ASIATEST00000002"]));
    expect((await refresher()).accessKeyId).toBe("ASIATEST00000002");
    refresher.stop();
  });
});

describe("createRefresher: failures", () => {
  it("keeps serving valid credentials while refreshes fail, retrying with exponential backoff", async () => {
    const source = scriptedSource({ lifetimeMs: 120_000 });
    const errors: RefreshErrorEvent[] = [];
    const logger = capturingLogger();
    const refresher = createRefresher(source, {
      onRefreshError: (e) => errors.push(e),
      logger,
      backoff: { initialDelayMs: 1_000, maxDelayMs: 8_000, jitter: "none" },
      random: seededRandom(3),
    });
    await refresher.ready;
    const good = await refresher();
    source.fail();
    const plannedIn = refresher.status().nextRefreshAt!.getTime() - Date.now();
    await vi.advanceTimersByTimeAsync(plannedIn);
    expect(source.calls).toHaveLength(2);
    // 30 s of outage with calls every 100 ms: all served, STS tried only on the backoff schedule.
    for (let i = 0; i < 300; i++) {
      expect((await refresher()).accessKeyId).toBe(good.accessKeyId);
      await vi.advanceTimersByTimeAsync(100);
    }
    // Retries 1, 2, 4, 8, 8 s (capped) apart, at +1, +3, +7, +15, +23 s: 5 in 30 s, after the failed
    // scheduled one and the initial fetch.
    expect(source.calls).toHaveLength(7);
    expect(errors.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(errors.map((e) => e.reason)).toEqual(["scheduled", "retry", "retry", "retry", "retry", "retry"]);
    expect(errors.every((e) => e.credentialsValid)).toBe(true);
    expect(errors[0]!.nextRetryAt!.getTime() - plannedIn - T0).toBe(1_000);
    const status = refresher.status();
    expect(status).toMatchObject({ state: "degraded", failureCount: 6, consecutiveFailures: 6, refreshCount: 1 });
    expect(status.lastError?.message).toMatch(/STS unavailable/);
    expect(logger.lines.filter((l) => l.level === "warn")).toHaveLength(6);
    expect(logger.lines[logger.lines.length - 1]!.text).toMatch(/still serving credentials valid until .*Z; next attempt at .*: Error: STS unavailable/);

    source.recover();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(logger.lines[logger.lines.length - 1]).toMatchObject({ level: "info", text: expect.stringMatching(/obtained \(retry\) in 0 ms after 6 failed attempts/) });
    expect((await refresher()).accessKeyId).not.toBe(good.accessKeyId);
    expect(refresher.status()).toMatchObject({ state: "ready", consecutiveFailures: 0, refreshCount: 2 });
    refresher.stop();
  });

  it("after expiry fails callers at once with an error naming the expiry and the cause, tries again only when the retry is due, then recovers", async () => {
    const source = scriptedSource({ lifetimeMs: 10_000, latencyMs: 50 });
    const refresher = createRefresher(source, { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: "none" } });
    await vi.advanceTimersByTimeAsync(50);
    const expiration = (await refresher()).expiration!;
    source.fail(() => new Error("connect ECONNREFUSED sts.us-east-1.amazonaws.com"));
    await vi.advanceTimersByTimeAsync(expiration.getTime() - Date.now());
    expect(refresher.status().state).toBe("expired");
    const retryAt = refresher.status().nextRefreshAt!.getTime();

    const callsBefore = source.calls.length;
    // Callers between attempts: answered at once (no clock moves), none starts a source call.
    const concurrent = [refresher(), refresher(), refresher()].map((p) => p.then(() => undefined, (e: unknown) => e));
    await settle();
    const failures = await Promise.all(concurrent);
    expect(source.calls.length).toBe(callsBefore);
    const error = failures[0];
    expect(error).toBeInstanceOf(CredentialsExpiredError);
    expect(failures[1]).toBe(error);
    const expired = error as CredentialsExpiredError;
    expect(expired.message).toBe(
      `credentials expired at ${expiration.toISOString()}; last refresh error: Error: connect ECONNREFUSED sts.us-east-1.amazonaws.com`,
    );
    expect(expired.expiration).toEqual(expiration);
    expect((expired.cause as Error).message).toMatch(/ECONNREFUSED/);
    expect(expired.message).not.toContain(SECRET_MARK);

    // STS is back, but callers still wait for the retry that is due: no attempt of their own before it.
    source.recover();
    await vi.advanceTimersByTimeAsync(retryAt - Date.now() - 100);
    await expect(refresher()).rejects.toBeInstanceOf(CredentialsExpiredError);
    expect(source.calls.length).toBe(callsBefore);
    await vi.advanceTimersByTimeAsync(100 + 50);
    expect(source.calls.length).toBe(callsBefore + 1);
    expect((await refresher()).expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("keeps the raw HTTP response and the expired secrets out of the expiry error's cause (util.inspect prints it)", async () => {
    const source = scriptedSource({ lifetimeMs: 10_000 });
    const refresher = createRefresher(source, { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    await refresher.ready;
    const held = await refresher();
    // An SDK-style error: a message echoing a secret, the raw response (a reply holding new keys) attached.
    source.fail(() =>
      Object.assign(new Error(`rejected ${held.sessionToken!}`), {
        name: "ServiceUnavailable",
        $metadata: { httpStatusCode: 503 },
        $response: { statusCode: 503, body: `<SecretAccessKey>${SECRET_MARK}-new-secret</SecretAccessKey>` },
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await refresher().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsExpiredError);
    expect(inspect(error, { showHidden: true, depth: Infinity })).not.toContain(SECRET_MARK);
    const cause = (error as Error).cause as Error & { $metadata?: unknown; $response?: unknown };
    expect(cause.name).toBe("ServiceUnavailable");
    expect(cause.message).toBe("rejected [redacted]");
    expect(cause.$metadata).toEqual({ httpStatusCode: 503 });
    expect(cause.$response).toBeUndefined();
    refresher.stop();
  });

  it("rejects ready without an unhandled rejection when the first fetch fails, then recovers in the background", async () => {
    const source = scriptedSource();
    source.fail(() => new Error("token file missing"));
    const refresher = createRefresher(source, { backoff: { initialDelayMs: 1_000, jitter: "none" } });
    await settle();
    await expect(refresher.ready).rejects.toThrow("token file missing");
    expect(refresher.status()).toMatchObject({ state: "failed", failureCount: 1, refreshCount: 0 });
    // No credentials ever: callers see the source's own error (a chain can still read tryNextLink on it).
    await expect(refresher()).rejects.toThrow("token file missing");
    source.recover();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("never rejects an unawaited ready unhandled", async () => {
    const source = scriptedSource();
    source.fail();
    const refresher = createRefresher(source);
    await settle();
    refresher.stop();
    expect(refresher.status().state).toBe("stopped");
  });

  it("treats malformed or already-expired credentials from the source as failures", async () => {
    const bad = [null, { accessKeyId: "AKIA" }, { accessKeyId: "A", secretAccessKey: "s", expiration: "tomorrow" }];
    for (const value of bad) {
      const refresher = createRefresher(async () => value as never);
      await settle();
      await expect(refresher.ready).rejects.toThrow(TypeError);
      refresher.stop();
    }
    const stale = createRefresher(async () => ({ accessKeyId: "A", secretAccessKey: "s", expiration: new Date(Date.now() - 1) }));
    await settle();
    await expect(stale.ready).rejects.toThrow(/already expired at/);
    stale.stop();
  });

  it("times out a hung attempt, retries with backoff, and never adopts its late answer", async () => {
    let calls = 0;
    let release: ((credentials: ReturnType<typeof makeCredentials>) => void) | undefined;
    const source = async () => {
      calls += 1;
      if (calls === 2) return new Promise<ReturnType<typeof makeCredentials>>((resolve) => (release = resolve));
      return makeCredentials(calls, 60_000);
    };
    const refresher = createRefresher(source, { attemptTimeoutMs: 1_000, backoff: { initialDelayMs: 500, jitter: "none" } });
    await refresher.ready;
    const forced = refresher.refresh().then(() => undefined, (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await forced;
    expect(error).toBeInstanceOf(AttemptTimeoutError);
    expect((error as Error).message).toBe("awscreds refresher: the source did not answer within 1000 ms");
    expect(refresher.status()).toMatchObject({ state: "degraded", refreshing: false });
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(3);
    expect((await refresher()).accessKeyId).toBe("ASIATEST00000003");
    release!(makeCredentials(2, 60_000));
    await settle();
    expect((await refresher()).accessKeyId).toBe("ASIATEST00000003");
    expect(() => createRefresher(source, { attemptTimeoutMs: 0 })).toThrow(/attemptTimeoutMs/);
    refresher.stop();
  });

  it("survives callbacks and loggers that throw or reject", async () => {
    const source = scriptedSource({ lifetimeMs: 4_000 });
    const broken = () => {
      throw new Error("callback bug");
    };
    const logger = { debug: broken, info: broken, warn: broken, error: broken };
    const refresher = createRefresher(source, {
      logger,
      onRefresh: broken,
      onRefreshError: async () => {
        throw new Error("async callback bug");
      },
      backoff: { initialDelayMs: 500, jitter: "none" },
    });
    await refresher.ready;
    source.fail();
    await vi.advanceTimersByTimeAsync(3_000);
    source.recover();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refresher.status().failureCount).toBeGreaterThanOrEqual(1);
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("logs what happened without secrets", async () => {
    const source = scriptedSource({ lifetimeMs: 4_000 });
    const logger = capturingLogger();
    const refresher = createRefresher(source, { logger, name: "orders-api credentials" });
    await refresher.ready;
    source.fail(() => new Error(`echoed ${SECRET_MARK}-secret-1 in a message`));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(logger.lines.some((l) => l.level === "debug" && /orders-api credentials: credentials obtained \(initial\)/.test(l.text))).toBe(true);
    expect(logger.lines.some((l) => l.level === "error" && /credentials expired at/.test(l.text))).toBe(true);
    for (const line of logger.lines) expect(line.text).not.toContain(`${SECRET_MARK}-secret-1`);
    expect(JSON.stringify(refresher.status())).not.toContain(`${SECRET_MARK}-secret-1`);
    refresher.stop();
  });
});

describe("createRefresher: status, stop and disposal", () => {
  it("reports a JSON-safe, secret-free status", async () => {
    const refresher = createRefresher(scriptedSource({ lifetimeMs: 3_600_000 }), { random: seededRandom(4) });
    await refresher.ready;
    const status = refresher.status();
    expect(status).toEqual({
      state: "ready",
      expiration: new Date(T0 + 3_600_000),
      lastRefreshAt: new Date(T0),
      lastError: undefined,
      lastErrorAt: undefined,
      refreshCount: 1,
      failureCount: 0,
      consecutiveFailures: 0,
      nextRefreshAt: status.nextRefreshAt,
      refreshing: false,
    });
    const json = JSON.parse(JSON.stringify(status)) as Record<string, unknown>;
    expect(json.expiration).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(JSON.stringify(status)).not.toContain(SECRET_MARK);
    refresher.stop();
  });

  it("includes the STS endpoints report of a source that has one (stsStatus(), called on the source), and nothing else's", async () => {
    const sts: StsFailoverStatus = { endpointInUse: "https://sts.eu-west-1.amazonaws.com", regionInUse: "eu-west-1", failedOver: false, endpoints: [] };
    const withReport = (stsStatus: unknown) => Object.assign(scriptedSource({ lifetimeMs: 3_600_000 }), { stsStatus });
    // Called as a method: a source's report may read its own state through `this`.
    const reporting = withReport(function (this: { sts: StsFailoverStatus }) {
      return this.sts;
    });
    Object.assign(reporting, { sts });
    const cases: [string, AwsCredentialIdentityProvider, StsFailoverStatus | undefined][] = [
      ["a reporting source", reporting, sts],
      ["no report yet (undefined)", withReport(() => undefined), undefined],
      ["a report that throws", withReport(() => { throw new Error("broken report"); }), undefined],
      ["a stsStatus that is not a function", withReport("eu-west-1"), undefined],
      ["a source without stsStatus", scriptedSource({ lifetimeMs: 3_600_000 }), undefined],
    ];
    for (const [what, source, expected] of cases) {
      const refresher = createRefresher(source, { random: seededRandom(4) });
      await refresher.ready;
      const status = refresher.status();
      expect(status.sts, what).toEqual(expected);
      expect("sts" in status, what).toBe(expected !== undefined);
      expect(status.state, what).toBe("ready");
      refresher.stop();
    }
  });

  it("stops background work: no timers left, cached credentials until expiry, then RefresherStoppedError", async () => {
    const source = scriptedSource({ lifetimeMs: 4_000 });
    const refresher = createRefresher(source);
    await refresher.ready;
    refresher.stop();
    refresher.stop();
    expect(vi.getTimerCount()).toBe(0);
    await expect(refresher.refresh()).rejects.toThrow(/was stopped \(its credentials are valid until .*Z\)/);
    expect(refresher.status()).toMatchObject({ state: "stopped", nextRefreshAt: undefined });
    await expect(refresher()).resolves.toMatchObject({ accessKeyId: "ASIATEST00000001" });
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(refresher()).rejects.toBeInstanceOf(RefresherStoppedError);
    await expect(refresher.refresh()).rejects.toThrow(/^awscreds refresher was stopped and its credentials expired at .*Z; it no longer fetches credentials/);
    expect(source.calls).toHaveLength(1);
  });

  it("stops on [Symbol.dispose], also while the first fetch is still running", async () => {
    const source = scriptedSource({ latencyMs: 1_000 });
    const refresher = createRefresher(source);
    refresher[Symbol.dispose]();
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(refresher.ready).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    expect(refresher.status().state).toBe("stopped");
  });

  it("stops cleanly while a failing fetch is in flight: no retry planned, no timer left, nothing unhandled", async () => {
    const source = scriptedSource({ latencyMs: 500 });
    source.fail(() => new Error("STS down"));
    const errors: RefreshErrorEvent[] = [];
    const refresher = createRefresher(source, { onRefreshError: (e) => errors.push(e) });
    const caller = refresher().then(() => undefined, (e: unknown) => e);
    refresher.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(String(await caller)).toBe("Error: STS down");
    await expect(refresher.ready).rejects.toThrow("STS down");
    expect(errors.map((e) => e.nextRetryAt)).toEqual([undefined]);
    expect(vi.getTimerCount()).toBe(0);
    expect(refresher.status()).toMatchObject({ state: "stopped", refreshing: false, nextRefreshAt: undefined });
    await expect(refresher()).rejects.toBeInstanceOf(RefresherStoppedError);
    expect(source.calls).toHaveLength(1);
  });

  it("validates its arguments at construction", () => {
    expect(() => createRefresher("nope" as never)).toThrow(TypeError);
    expect(() => createRefresher(scriptedSource(), { schedule: { minLeadFraction: 2 } })).toThrow(RangeError);
    expect(() => createRefresher(scriptedSource(), { period: -1 })).toThrow(/period/);
    expect(() => createRefresher(scriptedSource(), { onRefresh: 5 as never })).toThrow(/onRefresh must be a function/);
  });
});
