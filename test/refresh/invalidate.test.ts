/**
 * `invalidate()` and the mandatory window of the refresh engine, on a scripted source and fake timers
 * (the end-to-end behaviour with real clients is in rejection.test.ts).
 */
import { describe, expect, it, vi } from "vitest";
import { createRefresher, CredentialsRejectedError, type RefreshErrorEvent, type RefreshEvent } from "../../src/refresh/index.js";
import { capturingLogger, makeCredentials, scriptedSource, SECRET_MARK, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2026, 0, 1);
useFakeClockAndCatchUnhandled(T0);

describe("invalidate()", () => {
  it("withdraws the credentials held and fetches once for every concurrent caller; the reason is rejected", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000, latencyMs: 100 });
    const events: RefreshEvent[] = [];
    const refresher = createRefresher(source, { onRefresh: (e) => events.push(e) });
    await vi.advanceTimersByTimeAsync(100);
    const first = (await refresher()).accessKeyId;

    const invalidations = Array.from({ length: 20 }, () => refresher.invalidate(first, { code: "ExpiredToken" }));
    const calls = Array.from({ length: 20 }, () => refresher());
    expect(refresher.status().state).toBe("rejected");
    await vi.advanceTimersByTimeAsync(100);

    expect(source.calls).toHaveLength(2);
    expect((await Promise.all(invalidations)).filter((r) => r.fetched)).toHaveLength(1);
    for (const r of await Promise.all(invalidations)) expect(r.replaced).toBe(true);
    for (const c of await Promise.all(calls)) expect(c.accessKeyId).not.toBe(first);
    expect(events.map((e) => e.reason)).toEqual(["initial", "rejected"]);
    expect(refresher.status()).toMatchObject({ state: "ready", lastRejection: { code: "ExpiredToken", accessKeyId: "ASIA…0001" } });
    refresher.stop();
  });

  it("credentials no longer held: nothing is fetched", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    const refresher = createRefresher(source);
    await vi.advanceTimersByTimeAsync(0);
    const first = (await refresher()).accessKeyId;
    await refresher.refresh();

    expect(await refresher.invalidate(first)).toEqual({ replaced: true, fetched: false });
    expect(source.calls).toHaveLength(2);
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("a source that hands back the rejected credentials: they are not served again, and callers are told why", async () => {
    let n = 0;
    const same = makeCredentials(1, 3_600_000, T0);
    const source = async (): Promise<typeof same> => {
      n += 1;
      return same;
    };
    const errors: RefreshErrorEvent[] = [];
    const refresher = createRefresher(source, { onRefreshError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(0);

    const result = await refresher.invalidate(undefined, { code: "InvalidClientTokenId" });

    expect(result.replaced).toBe(false);
    expect(result.reason).toMatch(/already rejected/);
    expect(n).toBe(2);
    await expect(refresher()).rejects.toBeInstanceOf(CredentialsRejectedError);
    expect(errors.map((e) => e.reason)).toEqual(["rejected"]);
    expect(refresher.status().state).toBe("rejected");
    expect(JSON.stringify(refresher.status())).not.toContain(SECRET_MARK);
    refresher.stop();
  });

  it("at most one rejection-driven fetch per rejectionRefreshIntervalMs: the next rejection keeps the credentials and says why", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    const logger = capturingLogger();
    const errors: RefreshErrorEvent[] = [];
    const refresher = createRefresher(source, { rejectionRefreshIntervalMs: 10_000, logger, onRefreshError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(0);
    await refresher.invalidate(undefined, { code: "ExpiredToken" });
    const second = (await refresher()).accessKeyId;

    const blocked = await refresher.invalidate(second, { code: "ExpiredToken", clockOffsetMs: 1_234 });

    expect(blocked).toMatchObject({ replaced: false, fetched: false });
    expect(blocked.reason).toMatch(/at most once per 10000 ms after rejections \(rejectionRefreshIntervalMs\)/);
    expect(source.calls).toHaveLength(2);
    // Kept in service: they may still work for other clients (a false alarm must not take the process down).
    expect((await refresher()).accessKeyId).toBe(second);
    expect(refresher.status()).toMatchObject({ state: "rejected", clockOffsetMs: 1_234 });
    expect(errors.at(-1)).toMatchObject({ reason: "rejected", error: expect.any(CredentialsRejectedError) });
    expect(logger.lines.some((l) => l.level === "error" && /AWS rejected ASIA…0002 \(ExpiredToken\)/.test(l.text))).toBe(true);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(await refresher.invalidate(second)).toEqual({ replaced: true, fetched: true });
    expect(source.calls).toHaveLength(3);
    refresher.stop();
  });

  it("a failed fetch after a rejection: callers get its error, never the withdrawn credentials", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    const refresher = createRefresher(source);
    await vi.advanceTimersByTimeAsync(0);
    source.fail();

    const result = await refresher.invalidate();

    expect(result).toMatchObject({ replaced: false, fetched: true });
    expect(result.reason).toMatch(/STS unavailable/);
    await expect(refresher()).rejects.toThrow(/STS unavailable/);
    expect(refresher.status().state).toBe("rejected");
    refresher.stop();
  });
});

describe("the mandatory window", () => {
  it("credentials within a minute of expiry are not handed out while a fetch can replace them", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    // No background refresh before the window: the schedule would otherwise replace them long before.
    const refresher = createRefresher(source, { schedule: { minLeadMs: 0, maxLeadMs: 0, minLeadFraction: 0, maxLeadFraction: 0 } });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await refresher()).accessKeyId;
    vi.setSystemTime(T0 + 3_600_000 - 61_000);
    expect((await refresher()).accessKeyId).toBe(first);

    vi.setSystemTime(T0 + 3_600_000 - 59_000);
    expect((await refresher()).accessKeyId).not.toBe(first);
    expect(source.calls).toHaveLength(2);
    refresher.stop();
  });

  it("if that fetch fails, the credentials are served until they expire (not an error before then)", async () => {
    const source = scriptedSource({ lifetimeMs: 3_600_000 });
    const refresher = createRefresher(source, { schedule: { minLeadMs: 0, maxLeadMs: 0, minLeadFraction: 0, maxLeadFraction: 0 } });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await refresher()).accessKeyId;
    source.fail();
    vi.setSystemTime(T0 + 3_600_000 - 30_000);

    expect((await refresher()).accessKeyId).toBe(first);
    // Backing off: served again without another attempt.
    expect((await refresher()).accessKeyId).toBe(first);
    expect(source.calls).toHaveLength(2);
    expect(refresher.status().state).toBe("degraded");
    refresher.stop();
  });

  it("is at most a tenth of the lifetime: 4-second credentials are served for 3.6 s", async () => {
    const source = scriptedSource({ lifetimeMs: 4_000 });
    const refresher = createRefresher(source, { schedule: { minLeadMs: 0, maxLeadMs: 0, minLeadFraction: 0, maxLeadFraction: 0 } });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await refresher()).accessKeyId;
    vi.setSystemTime(T0 + 3_550);
    expect((await refresher()).accessKeyId).toBe(first);
    vi.setSystemTime(T0 + 3_650);
    expect((await refresher()).accessKeyId).not.toBe(first);
    refresher.stop();
  });
});
