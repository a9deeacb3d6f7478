/**
 * Static stability (issue 20): instance-role credentials stay in use past their expiry while the metadata
 * service cannot renew them, as the SDK's IMDS provider does — logged, visible in `status()`; never for
 * other sources (STS credentials past expiry are rejected by AWS).
 */
import { describe, expect, it, vi } from "vitest";
import { createRefresher, createSwapper, CredentialsExpiredError } from "../../src/refresh/index.js";
import { markSourceKind } from "../../src/telemetry/source-kind.js";
import { capturingLogger, scriptedSource, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2026, 0, 1);
useFakeClockAndCatchUnhandled(T0);

describe("static stability", () => {
  it("instance-role credentials are served past expiry while IMDS fails, logged and in status(); renewed when it is back", async () => {
    const source = markSourceKind(scriptedSource({ lifetimeMs: 60_000 }), "instance-metadata");
    const logger = capturingLogger();
    const refresher = createRefresher(source, { logger, backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000, jitter: "none" } });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await refresher()).accessKeyId;
    source.fail(() => new Error("IMDS unreachable"));

    await vi.advanceTimersByTimeAsync(90_000);

    expect((await refresher()).accessKeyId).toBe(first);
    const status = refresher.status();
    expect(status.state).toBe("degraded");
    expect(status.staticStability).toEqual({ since: new Date(T0 + 60_000) });
    expect(logger.lines.some((l) => l.level === "warn" && /static stability/.test(l.text))).toBe(true);
    // Still one attempt per backoff interval, however many callers.
    const calls = source.calls.length;
    await Promise.all(Array.from({ length: 50 }, () => refresher()));
    expect(source.calls.length).toBe(calls);

    source.recover();
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await refresher()).accessKeyId).not.toBe(first);
    expect(refresher.status().staticStability).toBeUndefined();
    refresher.stop();
  });

  it("credentials AWS rejected are not served by static stability", async () => {
    const source = markSourceKind(scriptedSource({ lifetimeMs: 60_000 }), "instance-metadata");
    const refresher = createRefresher(source);
    await vi.advanceTimersByTimeAsync(0);
    source.fail(() => new Error("IMDS unreachable"));
    await vi.advanceTimersByTimeAsync(70_000);
    await refresher.invalidate(undefined, { code: "ExpiredToken" });

    await expect(refresher()).rejects.toThrow(/IMDS unreachable/);
    refresher.stop();
  });

  for (const kind of ["web-identity", "container", "assume-role"]) {
    it(`${kind} credentials (STS sessions) are never served past expiry`, async () => {
      const source = markSourceKind(scriptedSource({ lifetimeMs: 60_000 }), kind);
      const refresher = createRefresher(source);
      await vi.advanceTimersByTimeAsync(0);
      source.fail();
      await vi.advanceTimersByTimeAsync(61_000);

      await expect(refresher()).rejects.toBeInstanceOf(CredentialsExpiredError);
      expect(refresher.status().state).toBe("expired");
      refresher.stop();
    });
  }

  it("a swapper whose current provider is the instance role does the same", async () => {
    const source = markSourceKind(scriptedSource({ lifetimeMs: 60_000 }), "instance-metadata");
    const swapper = createSwapper(() => source, { backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000, jitter: "none" } });
    await vi.advanceTimersByTimeAsync(0);
    const first = (await swapper()).accessKeyId;
    source.fail();
    await vi.advanceTimersByTimeAsync(90_000);

    expect((await swapper()).accessKeyId).toBe(first);
    expect(swapper.status().staticStability).toEqual({ since: new Date(T0 + 60_000) });
    swapper.stop();
  });
});
