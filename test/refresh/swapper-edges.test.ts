/**
 * The swapper's ownership rules at their edges: a factory that hands out the same provider every time
 * (the provider in use is never disposed by its own refresh, and once at stop), a given provider whose
 * swap is cut short by stop() (still the caller's), and arguments that are not providers or clients.
 */
import { describe, expect, it, vi } from "vitest";
import { createSwapper } from "../../src/refresh/swapper.js";
import { makeCredentials, useFakeClockAndCatchUnhandled } from "./helpers.js";

useFakeClockAndCatchUnhandled(Date.UTC(2025, 0, 1, 12, 0, 0));

/** A provider that counts its calls and disposals; `failing` makes it throw, `latencyMs` slows it. */
function countingProvider(id: number, latencyMs = 0) {
  const state = { calls: 0, stopped: 0, failing: false };
  const provider = Object.assign(
    async () => {
      state.calls += 1;
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (state.failing) throw new Error(`provider ${id} failed`);
      return makeCredentials(id, 3_600_000);
    },
    { stop: () => void (state.stopped += 1) },
  );
  return { provider, state };
}

describe("createSwapper: ownership edges", () => {
  it("a factory handing out the same provider: never disposed by its own refresh or failure, once at stop()", async () => {
    const { provider, state } = countingProvider(1, 100);
    const swapper = createSwapper(() => provider, { backoff: { initialDelayMs: 1_000, maxDelayMs: 1_000, jitter: "none" } });
    await vi.advanceTimersByTimeAsync(100);
    expect(swapper.current).toBe(provider);

    const refreshed = swapper.refresh();
    await vi.advanceTimersByTimeAsync(100);
    await refreshed;
    expect(state.stopped).toBe(0); // swapped in over itself: not disposed

    state.failing = true;
    const failed = swapper.refresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await failed).toMatchObject({ message: "provider 1 failed" });
    expect(state.stopped).toBe(0); // the failing build is the provider in use: kept
    expect(swapper.current).toBe(provider);

    state.failing = false;
    const cut = swapper.refresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    swapper.stop(); // releases the current provider...
    await vi.advanceTimersByTimeAsync(50);
    await cut;
    expect(state.stopped).toBe(1); // ...and the abandoned answer (the same provider) is not released again
  });

  it("a given provider whose swap is cut short by stop() is not disposed: it is still the caller's", async () => {
    const built = countingProvider(1);
    const swapper = createSwapper(() => built.provider);
    await vi.advanceTimersByTimeAsync(0);
    const given = countingProvider(2, 100);
    const swapping = swapper.swap(given.provider).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    swapper.stop();
    await vi.advanceTimersByTimeAsync(50);
    await swapping;
    expect(given.state.calls).toBe(1);
    expect(given.state.stopped).toBe(0);
    expect(built.state.stopped).toBe(1);
  });

  it("rejects swap() of a non-function without an attempt, and names a null factory result", async () => {
    const built = countingProvider(1);
    const swapper = createSwapper(() => built.provider);
    await vi.advanceTimersByTimeAsync(0);
    const before = swapper.status();
    await expect(swapper.swap(42 as never)).rejects.toThrow(/swap\(\) takes a credential provider function/);
    expect(swapper.status()).toMatchObject({ refreshCount: before.refreshCount, failureCount: 0 });
    swapper.stop();

    const nulls = createSwapper(() => null as never);
    await expect(nulls.ready).rejects.toThrow(/the factory returned null, not a credential provider function/);
    nulls.stop();
  });

  it("exposes `current` as an enumerable property, and attach() refuses what is not a client", async () => {
    const built = countingProvider(1);
    const swapper = createSwapper(() => built.provider);
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.keys(swapper)).toContain("current");
    for (const client of [null, "client", {}, { config: null }]) {
      expect(() => swapper.attach(client as never)).toThrow(/attach\(\) takes an AWS SDK v3 client/);
    }
    const client = { config: {} as { credentials?: unknown } };
    expect(swapper.attach(client)).toBe(client);
    expect(client.config.credentials).toBe(swapper);
    swapper.stop();
  });
});
