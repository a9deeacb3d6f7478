import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { createSwapper } from "../../src/refresh/swapper.js";
import { CredentialsExpiredError } from "../../src/refresh/errors.js";
import type { RefreshErrorEvent } from "../../src/refresh/types.js";
import { makeCredentials, seededRandom, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
useFakeClockAndCatchUnhandled(T0);

interface BuiltProvider extends AwsCredentialIdentityProvider {
  id: number;
  calls: number;
  stopped: number;
  stop(): void;
}

/** A factory of distinct providers; each one hands out credentials tagged with its build number. */
function providerFactory(init: { lifetimeMs?: number; latencyMs?: number } = {}) {
  const built: BuiltProvider[] = [];
  let failBuild: Error | undefined;
  let failResolve: Error | undefined;
  const factory = async (): Promise<AwsCredentialIdentityProvider> => {
    if (failBuild) throw failBuild;
    const id = built.length + 1;
    const resolveFails = failResolve;
    const provider = (async () => {
      provider.calls += 1;
      if (init.latencyMs) await new Promise((r) => setTimeout(r, init.latencyMs));
      if (resolveFails) throw resolveFails;
      return makeCredentials(id, init.lifetimeMs ?? 4_000);
    }) as BuiltProvider;
    Object.assign(provider, { id, calls: 0, stopped: 0 });
    provider.stop = () => {
      provider.stopped += 1;
    };
    built.push(provider);
    return provider;
  };
  return {
    factory,
    built,
    failBuilds: (error?: Error) => (failBuild = error),
    failResolves: (error?: Error) => (failResolve = error),
  };
}

describe("createSwapper", () => {
  it("builds, resolves and swaps in a new provider each cycle, disposing the previous one", async () => {
    const f = providerFactory({ latencyMs: 200 });
    const swapper = createSwapper(f.factory, { random: seededRandom(1) });
    await vi.advanceTimersByTimeAsync(200);
    await swapper.ready;
    expect(f.built).toHaveLength(1);
    expect(swapper.current).toBe(f.built[0]);
    expect((await swapper()).accessKeyId).toBe("ASIATEST00000001");

    for (let cycle = 2; cycle <= 4; cycle++) {
      await vi.advanceTimersByTimeAsync(swapper.status().nextRefreshAt!.getTime() - Date.now());
      expect(f.built).toHaveLength(cycle);
      // Built but not yet resolved: callers keep the previous provider's credentials, without waiting.
      expect(swapper.current).toBe(f.built[cycle - 2]);
      expect((await swapper()).accessKeyId).toBe(`ASIATEST0000000${cycle - 1}`);
      await vi.advanceTimersByTimeAsync(200);
      expect(swapper.current).toBe(f.built[cycle - 1]);
      expect((await swapper()).accessKeyId).toBe(`ASIATEST0000000${cycle}`);
      expect(f.built[cycle - 2]!.stopped).toBe(1);
      expect(f.built[cycle - 1]!.stopped).toBe(0);
    }
    swapper.stop();
    expect(f.built[3]!.stopped).toBe(1);
  });

  it("keeps the previous provider when a build or a resolution fails, retrying with backoff", async () => {
    const f = providerFactory({ lifetimeMs: 60_000 });
    const errors: RefreshErrorEvent[] = [];
    const swapper = createSwapper(f.factory, {
      backoff: { initialDelayMs: 1_000, jitter: "none" },
      onRefreshError: (e) => errors.push(e),
    });
    await swapper.ready;
    const first = f.built[0]!;

    f.failBuilds(new Error("config unreadable"));
    await expect(swapper.swap()).rejects.toThrow("config unreadable");
    expect(swapper.current).toBe(first);
    expect((await swapper()).accessKeyId).toBe("ASIATEST00000001");

    f.failBuilds(undefined);
    f.failResolves(new Error("AccessDenied"));
    await vi.advanceTimersByTimeAsync(1_000);
    // The retry built provider 2, which failed to resolve: disposed, never swapped in.
    expect(f.built).toHaveLength(2);
    expect(f.built[1]!.stopped).toBe(1);
    expect(swapper.current).toBe(first);
    expect(errors.map((e) => [e.reason, e.attempt, e.credentialsValid])).toEqual([
      ["forced", 1, true],
      ["retry", 2, true],
    ]);
    expect(errors[1]!.nextRetryAt!.getTime() - Date.now()).toBe(2_000);

    f.failResolves(undefined);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(swapper.current).toBe(f.built[2]);
    expect(first.stopped).toBe(1);
    expect(swapper.status()).toMatchObject({ state: "ready", failureCount: 2, refreshCount: 2 });
    swapper.stop();
  });

  it("swaps in a given provider with swap(next), queued behind a build under way", async () => {
    const f = providerFactory({ lifetimeMs: 3_600_000, latencyMs: 100 });
    const swapper = createSwapper(f.factory);
    await vi.advanceTimersByTimeAsync(100);
    const rebuild = swapper.swap();
    const given = Object.assign(async () => makeCredentials(99, 3_600_000), { stop: vi.fn() });
    const swapped = swapper.swap(given);
    await vi.advanceTimersByTimeAsync(100);
    expect((await rebuild).accessKeyId).toBe("ASIATEST00000002");
    expect((await swapped).accessKeyId).toBe("ASIATEST00000099");
    expect(swapper.current).toBe(given);
    expect((await swapper()).accessKeyId).toBe("ASIATEST00000099");
    expect(f.built.map((p) => p.stopped)).toEqual([1, 1]);
    await expect(swapper.swap("x" as never)).rejects.toThrow(TypeError);
    swapper.stop();
    expect(given.stop).toHaveBeenCalledTimes(1);
  });

  it("status() carries the STS endpoints report of the provider in use: none before the first, then each swapped-in one's", async () => {
    const report = (region: string) => ({ endpointInUse: `https://sts.${region}.amazonaws.com`, regionInUse: region, failedOver: false, endpoints: [] });
    const first = Object.assign(async () => makeCredentials(1, 3_600_000), { stsStatus: () => report("eu-west-1") });
    let build: (provider: AwsCredentialIdentityProvider) => void = () => undefined;
    const swapper = createSwapper(() => new Promise<AwsCredentialIdentityProvider>((resolve) => (build = resolve)));
    expect(swapper.status().sts).toBeUndefined();
    build(first);
    await swapper.ready;
    expect(swapper.status().sts).toEqual(report("eu-west-1"));
    await swapper.swap(Object.assign(async () => makeCredentials(2, 3_600_000), { stsStatus: () => report("eu-central-1") }));
    expect(swapper.status().sts).toEqual(report("eu-central-1"));
    await swapper.swap(async () => makeCredentials(3, 3_600_000));
    expect("sts" in swapper.status()).toBe(false);
    swapper.stop();
  });

  it("queues swap(next) behind a scheduled cycle under way: both land in order, no extra build, nothing unhandled", async () => {
    const f = providerFactory({ lifetimeMs: 4_000, latencyMs: 200 });
    const swapper = createSwapper(f.factory, { random: seededRandom(7) });
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(swapper.status().nextRefreshAt!.getTime() - Date.now());
    expect(swapper.status().refreshing).toBe(true);
    expect(f.built).toHaveLength(2);

    const broken = Object.assign(async () => Promise.reject(new Error("given provider broken")), { stop: vi.fn() });
    const failed = swapper.swap(broken).then(() => undefined, (e: unknown) => e);
    const given = Object.assign(async () => makeCredentials(42, 4_000), { stop: vi.fn() });
    const swapped = swapper.swap(given);
    await vi.advanceTimersByTimeAsync(200);
    expect(String(await failed)).toBe("Error: given provider broken");
    expect((await swapped).accessKeyId).toBe("ASIATEST00000042");
    expect(f.built).toHaveLength(2);
    expect(swapper.current).toBe(given);
    expect(f.built.map((p) => p.stopped)).toEqual([1, 1]);
    expect(broken.stop).not.toHaveBeenCalled();
    // The plan follows the provider swapped in last.
    expect(swapper.status()).toMatchObject({ state: "ready", refreshing: false, refreshCount: 3, failureCount: 1 });
    expect(swapper.status().nextRefreshAt!.getTime()).toBeGreaterThan(Date.now());
    swapper.stop();
    expect(given.stop).toHaveBeenCalledTimes(1);
  });

  it("does not dispose a given provider that fails to resolve (it is still the caller's)", async () => {
    const f = providerFactory({ lifetimeMs: 3_600_000 });
    const swapper = createSwapper(f.factory);
    await swapper.ready;
    const given = Object.assign(async () => Promise.reject(new Error("nope")), { stop: vi.fn() });
    await expect(swapper.swap(given)).rejects.toThrow("nope");
    expect(given.stop).not.toHaveBeenCalled();
    expect(swapper.current).toBe(f.built[0]);
    swapper.stop();
  });

  it("re-points an already-built SDK client with attach(client)", async () => {
    const f = providerFactory({ lifetimeMs: 3_600_000 });
    const swapper = createSwapper(f.factory);
    const client = new SQSClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "AKIAOLD", secretAccessKey: "old" } });
    expect(swapper.attach(client)).toBe(client);
    // The SDK's config setter keeps a marked provider as is: no memoization, so each request calls the swapper.
    expect(client.config.credentials).toBe(swapper);
    expect((await client.config.credentials()).accessKeyId).toBe("ASIATEST00000001");
    await swapper.swap();
    expect((await client.config.credentials()).accessKeyId).toBe("ASIATEST00000002");
    expect(() => swapper.attach({} as never)).toThrow(/attach\(\) takes an AWS SDK v3 client/);
    client.destroy();
    swapper.stop();
  });

  it("disposes via [Symbol.dispose] or [Symbol.asyncDispose], tolerating failures", async () => {
    const disposed: string[] = [];
    const providers: AwsCredentialIdentityProvider[] = [
      Object.assign(async () => makeCredentials(1, 3_600_000), {
        [Symbol.dispose]: () => {
          disposed.push("sync");
          throw new Error("dispose bug");
        },
      }),
      Object.assign(async () => makeCredentials(2, 3_600_000), {
        [Symbol.asyncDispose]: async () => {
          disposed.push("async");
          throw new Error("async dispose bug");
        },
      }),
      async () => makeCredentials(3, 3_600_000),
    ];
    let n = 0;
    const warnings: string[] = [];
    const swapper = createSwapper(() => providers[n++]!, {
      logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined },
    });
    await swapper.ready;
    await swapper.swap();
    await swapper.swap();
    await vi.advanceTimersByTimeAsync(0);
    expect(disposed).toEqual(["sync", "async"]);
    expect(warnings.join("\n")).toMatch(/disposing a provider failed: Error: dispose bug/);
    expect(warnings.join("\n")).toMatch(/async dispose bug/);
    expect((await swapper()).accessKeyId).toBe("ASIATEST00000003");
    swapper.stop();
  });

  it("fails clearly when the factory returns something that is not a provider, and after expiry", async () => {
    let value: unknown = { not: "a function" };
    const swapper = createSwapper(() => value as AwsCredentialIdentityProvider, { backoff: { initialDelayMs: 60_000 } });
    await expect(swapper.ready).rejects.toThrow(/the factory returned object, not a credential provider function/);
    value = async () => makeCredentials(1, 2_000);
    await swapper.swap();
    value = async () => Promise.reject(new Error("STS down"));
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(swapper()).rejects.toBeInstanceOf(CredentialsExpiredError);
    await expect(swapper()).rejects.toThrow(/credentials expired at .*; last refresh error: Error: STS down/);
    swapper.stop();
  });

  it("disposes a provider whose resolution answered only after the attempt timed out", async () => {
    const late = Object.assign(() => new Promise<ReturnType<typeof makeCredentials>>((resolve) => setTimeout(() => resolve(makeCredentials(2, 3_600_000)), 5_000)), {
      stop: vi.fn(),
    });
    let n = 0;
    const swapper = createSwapper(async () => (n++ === 0 ? async () => makeCredentials(1, 3_600_000) : late), { attemptTimeoutMs: 1_000 });
    await swapper.ready;
    const swapped = swapper.swap().then(() => undefined, (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(String(await swapped)).toMatch(/AttemptTimeoutError: awscreds swapper: the source did not answer within 1000 ms/);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(late.stop).toHaveBeenCalledTimes(1);
    expect(swapper.current).not.toBe(late);
    expect((await swapper()).accessKeyId).toBe("ASIATEST00000001");
    swapper.stop();
  });

  it("validates its arguments", () => {
    expect(() => createSwapper(undefined as never)).toThrow(TypeError);
    expect(() => createSwapper(async () => async () => makeCredentials(1, 1), { backoff: { multiplier: 0 } })).toThrow(RangeError);
  });
});
