/**
 * What one fetch of a cached role leaves on its entry (fetch-lifecycle.ts), at its edges: a fetch overtaken
 * by `invalidate()` writes neither its credentials nor its failure, and does not end the fetch that replaced
 * it; a failure is logged only when it is a cached refusal or served over; the refresh metric says why the
 * fetch ran. Real STS client against the fake STS.
 */
import { describe, expect, it, vi } from "vitest";
import { METRIC } from "../../src/telemetry/names.js";
import { histogramCount, otelEachTest, point } from "../telemetry/support.js";
import { recordingLogger, roleCacheHarness, tenantRole } from "./support.js";

const harness = roleCacheHarness(1);
const roles = harness.roles;
const otel = otelEachTest({ globalContext: false });

const assumeRoleCalls = (): number => harness.fake().sts.count("AssumeRole");
/** Resolves once the fake STS holds `n` AssumeRole calls (answered or not). */
const arrived = (n: number) => vi.waitFor(() => expect(harness.fake().sts.calls.filter((c) => c.action === "AssumeRole").length).toBeGreaterThanOrEqual(n), { interval: 5, timeout: 5_000 });

describe("a fetch overtaken by invalidate()", () => {
  it("its credentials reach its callers but are not stored: the next call asks STS again", async () => {
    const cache = roles();
    const provider = cache.provider(tenantRole(0));
    harness.fake().sts.clearCalls();
    harness.fake().sts.faults.setLatency(150);
    const first = provider();
    await arrived(1);
    cache.invalidate(tenantRole(0));

    await expect(first).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(cache.status().entries![0]).toMatchObject({ state: "idle" });
    await provider();
    expect(cache.status()).toMatchObject({ misses: 2, hits: 0 });
    expect(assumeRoleCalls()).toBe(2);
  });

  it("its refusal reaches its callers but is not recorded: no cached refusal, no failure counted", async () => {
    const cache = roles();
    const provider = cache.provider(tenantRole(0));
    harness.fake().sts.clearCalls();
    harness.fake().sts.faults.setLatency(150);
    harness.fake().sts.faults.failNext(1, { status: 403, code: "AccessDenied" });
    const first = provider();
    await arrived(1);
    cache.invalidate(tenantRole(0));

    await expect(first).rejects.toThrow(/AccessDenied/);
    expect(cache.status()).toMatchObject({ failures: 0, entries: [{ state: "idle", failures: 0 }] });
    await expect(provider()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
  });

  it("settling after the fetch that replaced it, it leaves that one in flight: a caller meanwhile joins it", async () => {
    const cache = roles();
    const provider = cache.provider(tenantRole(0));
    harness.fake().sts.clearCalls();
    harness.fake().sts.faults.setLatency(100);
    const first = provider();
    await arrived(1);
    cache.invalidate(tenantRole(0));
    harness.fake().sts.faults.setLatency(3_000); // the replacing fetch is still running when the first settles (~2.9 s of margin on a loaded box)
    const second = provider();
    await arrived(2);

    await first;
    const third = provider();
    expect(cache.status()).toMatchObject({ misses: 2, coalesced: 1 });
    expect((await third).accessKeyId).toBe((await second).accessKeyId);
    expect(assumeRoleCalls()).toBe(2);
  });
});

describe("a failed fetch's log", () => {
  it("a first fetch failing with a 5xx (nothing held, not a refusal) logs no warning of its own", async () => {
    const logger = recordingLogger();
    const provider = roles({ logger, retry: { maxAttempts: 1 } }).provider(tenantRole(0));
    harness.fake().sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    await expect(provider()).rejects.toThrow(/ServiceUnavailable/);
    expect(logger.lines.filter((l) => /serving its credentials|ServiceUnavailable/.test(l))).toEqual([]);
  });
});

describe("the refresh metric's reason", () => {
  it("a caller's fetch is `demand`, the scheduler's ahead of expiry `scheduled`", async () => {
    // A refresh every 100 ms: the scheduler's is due soon after the role was used again.
    const schedule = { periodMs: 100, periodJitterFraction: 0, minDelayMs: 0 };
    const provider = roles({ schedule, telemetry: otel.providers(), name: "reasons" }).provider(tenantRole(0));
    harness.fake().sts.clearCalls();
    await provider();
    await provider();

    const reasonCount = async (reason: string) =>
      histogramCount(point(await otel.metrics(), METRIC.refreshDuration, { "awscreds.provider": "reasons", "awscreds.source": "assume-role", "awscreds.refresh.reason": reason, outcome: "success" }));
    await vi.waitFor(async () => expect(await reasonCount("scheduled")).toBeGreaterThanOrEqual(1), { interval: 10, timeout: 5_000 });
    expect(await reasonCount("demand")).toBe(1);
  });
});
