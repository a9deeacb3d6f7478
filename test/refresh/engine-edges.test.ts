/**
 * The engine's smaller promises, each pinned where it can break: what an unusable answer is called,
 * who is told to abandon an answer the engine will not adopt, what the log says after how many failures,
 * timers that drift or lie beyond setTimeout's range, and callers that race stop() or a forced refresh.
 * Fake timers throughout; the engine is driven through its faces where they show the behaviour, and
 * directly where only an `Acquire` can produce the case (an acquisition with `commit`/`abandon`).
 */
import { describe, expect, it, vi } from "vitest";
import { RefreshEngine, type Acquire, type Acquired, type EngineOptions } from "../../src/refresh/engine.js";
import { AttemptTimeoutError } from "../../src/refresh/errors.js";
import { resolveEngineOptions } from "../../src/refresh/options.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { createSwapper } from "../../src/refresh/swapper.js";
import type { RefreshErrorEvent, RefreshOptions } from "../../src/refresh/types.js";
import { METRIC } from "../../src/telemetry/names.js";
import { markSourceKind } from "../../src/telemetry/source-kind.js";
import { point, points, startOtel } from "../telemetry/support.js";
import { capturingLogger, makeCredentials, scriptedSource, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
useFakeClockAndCatchUnhandled(T0);

const settle = () => vi.advanceTimersByTimeAsync(0);
const backoff = { initialDelayMs: 1_000, maxDelayMs: 8_000, jitter: "none" as const };
const DAY = 86_400_000;

/** An engine over `acquire`, started, with a capturing logger. */
function engineOver(acquire: Acquire, options: RefreshOptions = {}) {
  const logger = capturingLogger();
  const engine = new RefreshEngine(acquire, resolveEngineOptions({ logger, backoff, ...options }, "engine under test"));
  engine.start();
  return { engine, logger };
}

/** An acquisition that records whether the engine committed or abandoned it. */
function tracked(credentials: unknown): Acquired & { calls: string[] } {
  const calls: string[] = [];
  return {
    credentials: credentials as Acquired["credentials"],
    calls,
    commit: () => void calls.push("commit"),
    abandon: () => void calls.push("abandon"),
  };
}

const errorLines = (logger: ReturnType<typeof capturingLogger>) => logger.lines.filter((l) => l.level === "error").map((l) => l.text);

describe("unusable answers from a source are named for what they are", () => {
  const cases: [string, unknown, RegExp][] = [
    ["undefined", undefined, /^awscreds refresher: the source resolved to undefined, not credentials$/],
    ["null", null, /^awscreds refresher: the source resolved to null, not credentials$/],
    ["a string", "ASIAEXAMPLE", /^awscreds refresher: the source resolved to string, not credentials$/],
    ["a numeric accessKeyId", { accessKeyId: 5, secretAccessKey: "secret-key-1" }, /resolved to credentials without accessKeyId or secretAccessKey$/],
    ["an empty accessKeyId", { accessKeyId: "", secretAccessKey: "secret-key-1" }, /resolved to credentials without accessKeyId or secretAccessKey$/],
    ["a numeric secretAccessKey", { accessKeyId: "ASIA1", secretAccessKey: 5 }, /resolved to credentials without accessKeyId or secretAccessKey$/],
    ["an empty secretAccessKey", { accessKeyId: "ASIA1", secretAccessKey: "" }, /resolved to credentials without accessKeyId or secretAccessKey$/],
    ["an expiration string", { accessKeyId: "ASIA1", secretAccessKey: "secret-key-1", expiration: "tomorrow" }, /whose expiration is not a valid Date$/],
    ["an Invalid Date", { accessKeyId: "ASIA1", secretAccessKey: "secret-key-1", expiration: new Date(Number.NaN) }, /whose expiration is not a valid Date$/],
  ];
  for (const [what, value, message] of cases) {
    it(`${what}: a TypeError saying so, and no credentials served`, async () => {
      const refresher = createRefresher(async () => value as never);
      await settle();
      const error = await refresher.ready.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect(refresher.status()).toMatchObject({ state: "failed", refreshCount: 0 });
      refresher.stop();
    });
  }

  it("credentials expiring at this very instant are already expired; one millisecond later they are taken", async () => {
    const now = Date.now();
    const stale = createRefresher(async () => ({ accessKeyId: "ASIA1", secretAccessKey: "secret-key-1", expiration: new Date(now) }));
    await settle();
    await expect(stale.ready).rejects.toThrow(`awscreds refresher: the source returned credentials that had already expired at ${new Date(now).toISOString()}`);
    stale.stop();
    const fresh = createRefresher(async () => ({ accessKeyId: "ASIA1", secretAccessKey: "secret-key-1", expiration: new Date(now + 1) }));
    await settle();
    await expect(fresh.ready).resolves.toBeUndefined();
    fresh.stop();
  });

  it("an acquisition that resolves to nothing at all fails the attempt with the same words, not a crash on reading it", async () => {
    const { engine, logger } = engineOver(async () => undefined as unknown as Acquired);
    await settle();
    await expect(engine.ready).rejects.toThrow(/^engine under test: the source resolved to undefined, not credentials$/);
    expect(errorLines(logger)).toEqual([expect.stringMatching(/could not obtain credentials \(initial, attempt 1; no credentials yet\)/)]);
    engine.stop();
  });

  it("an unusable acquisition is abandoned, never committed; one without an abandon() is simply dropped", async () => {
    const first = tracked(null);
    const second = tracked({ accessKeyId: "ASIA1" });
    const plain: Acquired = { credentials: null as never };
    const answers: Acquired[] = [first, second, plain];
    const { engine, logger } = engineOver(async () => answers.shift()!);
    await settle();
    expect(first.calls).toEqual(["abandon"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(second.calls).toEqual(["abandon"]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(engine.status()).toMatchObject({ failureCount: 3, refreshCount: 0 });
    // Only the three failures are logged as errors: nothing about a missing abandon().
    expect(errorLines(logger)).toHaveLength(3);
    for (const line of errorLines(logger)) expect(line).toMatch(/could not obtain credentials/);
    engine.stop();
  });
});

describe("an answer that arrives after its attempt timed out", () => {
  it("is abandoned (never committed, never served), and one without abandon() or a late rejection is dropped silently", async () => {
    const late = tracked(makeCredentials(1, 60_000));
    const lateWithout: Acquired = { credentials: makeCredentials(2, 60_000) };
    const slow = [
      (resolve: (a: Acquired) => void) => setTimeout(() => resolve(late), 5_000),
      (resolve: (a: Acquired) => void) => setTimeout(() => resolve(lateWithout), 5_000),
      (_: unknown, reject: (e: unknown) => void) => setTimeout(() => reject(new Error("late refusal")), 5_000),
    ];
    const events: RefreshErrorEvent[] = [];
    const { engine, logger } = engineOver(
      () => new Promise<Acquired>((resolve, reject) => (slow.length > 0 ? slow.shift()!(resolve, reject) : resolve(tracked(makeCredentials(9, 60_000))))),
      { attemptTimeoutMs: 1_000, backoff: { initialDelayMs: 500, maxDelayMs: 500, jitter: "none" }, onRefreshError: (e) => events.push(e) },
    );
    // Attempts time out at 1 s, 2.5 s and 4 s; the fourth (at 4.5 s) answers at once.
    await vi.advanceTimersByTimeAsync(4_500);
    expect(events.map((e) => e.error)).toEqual([expect.any(AttemptTimeoutError), expect.any(AttemptTimeoutError), expect.any(AttemptTimeoutError)]);
    expect(engine.status()).toMatchObject({ state: "ready", refreshCount: 1 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(late.calls).toEqual(["abandon"]);
    expect((await engine.get()).accessKeyId).toBe("ASIATEST00000009");
    expect(engine.status()).toMatchObject({ refreshCount: 1, failureCount: 3 });
    // Three timeouts logged, nothing about the late answers.
    expect(errorLines(logger)).toHaveLength(3);
    engine.stop();
  });

  it("attemptTimeoutMs: Infinity never times out (setTimeout would fire an Infinity delay at once)", async () => {
    const source = scriptedSource({ latencyMs: 3_600_000 });
    const refresher = createRefresher(source, { attemptTimeoutMs: Number.POSITIVE_INFINITY });
    await vi.advanceTimersByTimeAsync(3_600_000);
    await expect(refresher.ready).resolves.toBeUndefined();
    expect(refresher.status()).toMatchObject({ state: "ready", failureCount: 0 });
    refresher.stop();
  });
});

describe("what the log says", () => {
  it("a first success: debug, no talk of failed attempts, the planned refresh named; a recovery after one failure: info, 'after 1 failed attempt'", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const logger = capturingLogger();
    const refresher = createRefresher(source, { logger, backoff });
    await refresher.ready;
    const next = refresher.status().nextRefreshAt!;
    expect(logger.lines).toEqual([
      {
        level: "debug",
        text: `awscreds refresher: credentials obtained (initial) in 0 ms; expire at ${new Date(T0 + 60_000).toISOString()}; next refresh at ${next.toISOString()}`,
      },
    ]);
    source.fail();
    await vi.advanceTimersByTimeAsync(next.getTime() - Date.now());
    source.recover();
    await vi.advanceTimersByTimeAsync(1_000);
    const last = logger.lines[logger.lines.length - 1]!;
    expect(last.level).toBe("info");
    expect(last.text).toMatch(/credentials obtained \(retry\) in 0 ms after 1 failed attempt; expire at /);
    refresher.stop();
  });

  it("credentials without expiry: 'expire never; next refresh not planned', and a failed forced refresh keeps serving them 'without expiry'", async () => {
    const source = scriptedSource({ lifetimeMs: undefined, latencyMs: 300 });
    const logger = capturingLogger();
    const errors: RefreshErrorEvent[] = [];
    const refresher = createRefresher(source, { logger, backoff, onRefreshError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(300);
    expect(logger.lines.map((l) => l.text)).toEqual([`awscreds refresher: credentials obtained (initial) in 300 ms; expire never; next refresh not planned`]);
    source.fail(() => new Error("STS throttled"));
    const forced = refresher.refresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await forced).toBeInstanceOf(Error);
    const warn = logger.lines[logger.lines.length - 1]!;
    expect(warn.level).toBe("warn");
    expect(warn.text).toBe(
      `awscreds refresher: refresh failed (forced, attempt 1); still serving credentials without expiry; next attempt at ${new Date(Date.now() + 1_000).toISOString()}: Error: STS throttled`,
    );
    expect(errors).toMatchObject([{ reason: "forced", durationMs: 300, credentialsValid: true, expiration: undefined }]);
    refresher.stop();
  });

  it("stop() is idempotent: one 'stopped' line, no error logged by a face without onStop, the swapper's provider disposed once", async () => {
    const logger = capturingLogger();
    const refresher = createRefresher(scriptedSource(), { logger });
    await refresher.ready;
    refresher.stop();
    refresher.stop();
    expect(logger.lines.filter((l) => /stopped/.test(l.text))).toEqual([{ level: "debug", text: "awscreds refresher: stopped" }]);
    expect(errorLines(logger)).toEqual([]);

    let disposed = 0;
    const provider = Object.assign(async () => makeCredentials(1, 60_000), { [Symbol.dispose]: () => void (disposed += 1) });
    const swapper = createSwapper(() => provider, { logger });
    await swapper.ready;
    swapper.stop();
    swapper.stop();
    expect(disposed).toBe(1);
  });
});

describe("timers", () => {
  it("a refresh planned beyond setTimeout's range (~24.8 days) waits for its day: the timer is re-armed, not taken as due", async () => {
    const source = scriptedSource({ lifetimeMs: undefined });
    const refresher = createRefresher(source, { period: 30 * DAY, random: () => 0 });
    await refresher.ready;
    const due = refresher.status().nextRefreshAt!.getTime();
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1 + 1_000);
    expect(source.calls).toHaveLength(1);
    expect(refresher.status().nextRefreshAt!.getTime()).toBe(due);
    await vi.advanceTimersByTimeAsync(due - Date.now() - 1);
    expect(source.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.calls).toHaveLength(2);
    refresher.stop();
  });

  it("a timer firing up to 5 ms before its due time (the wall clock stepped back) counts as due; 6 ms early, it waits out the rest", async () => {
    for (const [back, waits] of [
      [5, 0],
      [6, 6],
    ] as const) {
      vi.setSystemTime(T0);
      const source = scriptedSource({ lifetimeMs: 60_000 });
      const refresher = createRefresher(source, { random: () => 0 });
      await refresher.ready;
      const due = refresher.status().nextRefreshAt!.getTime();
      vi.setSystemTime(Date.now() - back);
      await vi.advanceTimersByTimeAsync(due - T0);
      expect(Date.now()).toBe(due - back);
      expect(source.calls).toHaveLength(waits === 0 ? 2 : 1);
      if (waits > 0) {
        await vi.advanceTimersByTimeAsync(waits - 1);
        expect(source.calls).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(1);
        expect(source.calls).toHaveLength(2);
      }
      refresher.stop();
    }
  });
});

describe("callers and the attempt in flight", () => {
  it("credentials without expiry are served from the cache for good: no further source call", async () => {
    const source = scriptedSource({ lifetimeMs: undefined });
    const refresher = createRefresher(source);
    await refresher.ready;
    vi.setSystemTime(Date.now() + 365 * DAY);
    await refresher();
    await refresher();
    expect(source.calls).toHaveLength(1);
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("a caller arriving after stop() while the first fetch runs joins it and gets its credentials", async () => {
    const source = scriptedSource({ latencyMs: 500 });
    const refresher = createRefresher(source);
    refresher.stop();
    const caller = refresher();
    await vi.advanceTimersByTimeAsync(500);
    expect((await caller).accessKeyId).toBe("ASIATEST00000001");
    expect(source.calls).toHaveLength(1);
  });

  it("a swap queued behind an attempt keeps the engine refreshing until the swap ends", async () => {
    const slow = (n: number) => async () => {
      await new Promise((r) => setTimeout(r, 100));
      return makeCredentials(n, 60_000);
    };
    const swapper = createSwapper(() => slow(1));
    const swapped = swapper.swap(slow(2));
    await vi.advanceTimersByTimeAsync(100);
    // The initial attempt is done; the swap runs now.
    expect(swapper.status()).toMatchObject({ refreshCount: 1, refreshing: true });
    await vi.advanceTimersByTimeAsync(100);
    expect((await swapped).accessKeyId).toBe("ASIATEST00000002");
    expect(swapper.status()).toMatchObject({ refreshCount: 2, refreshing: false });
    swapper.stop();
  });

  for (const withTelemetry of [true, false]) {
    it(`a caller that joined a swap which failed is served the credentials the attempt before it obtained (telemetry ${withTelemetry ? "on" : "off"})`, async () => {
      let built = 0;
      const factory = () => {
        built += 1;
        const n = built;
        return async () => {
          await new Promise((r) => setTimeout(r, 100));
          return makeCredentials(n, 10_000);
        };
      };
      const refusing = async () => {
        await new Promise((r) => setTimeout(r, 100));
        throw new Error("swap refused");
      };
      const otel = startOtel();
      const telemetry = withTelemetry && { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
      const swapper = createSwapper(factory, { backoff: { initialDelayMs: 60_000, jitter: "none" }, telemetry });
      await vi.advanceTimersByTimeAsync(100);
      // The process sleeps past expiry: the first caller starts an attempt, a swap queues behind it, a second caller joins the swap.
      vi.setSystemTime(Date.now() + 20_000);
      const first = swapper();
      const swapped = swapper.swap(refusing).catch((e: unknown) => e);
      const joined = swapper();
      await vi.advanceTimersByTimeAsync(200);
      expect(await swapped).toMatchObject({ message: "swap refused" });
      expect((await first).accessKeyId).toBe("ASIATEST00000002");
      expect((await joined).accessKeyId).toBe("ASIATEST00000002");
      // Only the caller whose own attempt failed counts as served stale; the first got its attempt's credentials.
      const stale = points(await otel.metrics(), METRIC.staleServed).reduce((sum, p) => sum + (p.value as number), 0);
      expect(stale).toBe(withTelemetry ? 1 : 0);
      swapper.stop();
      await otel.shutdown();
    });
  }

  it("credentials shorter-lived than the minimum delay: a caller after their expiry, before the planned refresh, starts an attempt (no failure to turn it away with)", async () => {
    const source = scriptedSource({ lifetimeMs: 500 });
    const refresher = createRefresher(source);
    await refresher.ready;
    // The refresh is planned no sooner than 1 s (minDelayMs), after the credentials expire.
    expect(refresher.status().nextRefreshAt!.getTime()).toBe(T0 + 1_000);
    await vi.advanceTimersByTimeAsync(700);
    expect(refresher.status()).toMatchObject({ state: "expired", consecutiveFailures: 0 });
    expect((await refresher()).accessKeyId).toBe("ASIATEST00000002");
    refresher.stop();
  });

  it("a call without identity properties keeps the last caller's for background attempts", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const refresher = createRefresher(source, { random: () => 0 });
    await refresher.ready;
    await refresher({ callerClientConfig: { region: "eu-west-1" } });
    await refresher();
    // refresh() has no identity properties of its own either.
    await refresher.refresh();
    await vi.advanceTimersByTimeAsync(refresher.status().nextRefreshAt!.getTime() - Date.now());
    expect(source.calls).toHaveLength(3);
    expect(source.calls[2]).toEqual({ callerClientConfig: { region: "eu-west-1" }, forceRefresh: true });
    refresher.stop();
  });
});

describe("the telemetry the engine feeds", () => {
  it("stale_served counts only resolutions served while refreshing fails; ttl reads the credentials held, until stop()", async () => {
    // Delta: each collection shows what it observed (a cumulative gauge would repeat its last value after stop()).
    const otel = startOtel({ temporality: "delta" });
    const source = scriptedSource({ lifetimeMs: 60_000, latencyMs: 100 });
    const refresher = createRefresher(source, { name: "engine-telemetry", backoff, telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider } });
    const attributes = { "awscreds.provider": "engine-telemetry", "awscreds.source": "custom" };
    // Collected while the first fetch runs: no credentials, no ttl (and no error reading it).
    let m = await otel.metrics();
    expect(point(m, METRIC.ttl, attributes)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    await refresher.ready;
    await refresher();
    await refresher();
    m = await otel.metrics();
    expect(point(m, METRIC.staleServed, attributes)?.value ?? 0).toBe(0);
    expect(point(m, METRIC.ttl, attributes)?.value).toBe(60);

    source.fail();
    const failed = refresher.refresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await failed).toMatchObject({ message: expect.stringMatching(/STS unavailable/) });
    await refresher();
    await refresher();
    m = await otel.metrics();
    expect(point(m, METRIC.staleServed, attributes)?.value).toBe(2);
    expect(point(m, METRIC.ttl, attributes)?.value).toBe(50);

    refresher.stop();
    m = await otel.metrics();
    expect(point(m, METRIC.ttl, attributes)).toBeUndefined();
    await otel.shutdown();
  });

  it("after a swap, reports carry the kind of the provider swapped in", async () => {
    const otel = startOtel({ temporality: "delta" });
    const factory = () => markSourceKind(async () => makeCredentials(1, 60_000), "container");
    const swapper = createSwapper(factory, { name: "engine-kind", telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider } });
    await swapper.ready;
    const m = await otel.metrics();
    expect(point(m, METRIC.ttl, { "awscreds.provider": "engine-kind", "awscreds.source": "container" })?.value).toBe(60);
    swapper.stop();
    await otel.shutdown();
  });

  it("telemetry: false — the hot path while degraded, stop() and commits run without it", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const refresher = createRefresher(source, { telemetry: false, backoff });
    await refresher.ready;
    source.fail();
    await expect(refresher.refresh()).rejects.toThrow(/STS unavailable/);
    expect((await refresher()).accessKeyId).toBe("ASIATEST00000001");
    expect(refresher.status().state).toBe("degraded");
    source.recover();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresher.status()).toMatchObject({ state: "ready", refreshCount: 2 });
    refresher.stop();
    expect(refresher.status().state).toBe("stopped");
  });
});

describe("the held credentials' secrets are masked in a source's error", () => {
  it("while they are valid: the forced refresh's rejection, the event and the log carry [redacted], not the secret the source echoed", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const logger = capturingLogger();
    const events: RefreshErrorEvent[] = [];
    const refresher = createRefresher(source, { logger, backoff, onRefreshError: (e) => events.push(e) });
    const held = await refresher();
    source.fail(() => new Error(`signature does not match for key ${held.secretAccessKey!} and token ${held.sessionToken!}`));
    const error = await refresher.refresh().then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).toBe("signature does not match for key [redacted] and token [redacted]");
    expect((events[0]!.error as Error).message).toBe("signature does not match for key [redacted] and token [redacted]");
    expect(logger.lines[logger.lines.length - 1]!.text).toMatch(/: Error: signature does not match for key \[redacted\] and token \[redacted\]$/);
    refresher.stop();
  });
});

/** An engine over `acquire` with the engine-only options (static stability, onCommitted) and a 10 s rejection limit, started. */
function rawEngine(acquire: Acquire, extra: Partial<EngineOptions> = {}) {
  const logger = capturingLogger();
  const base = resolveEngineOptions({ logger, backoff }, "engine under test");
  const engine = new RefreshEngine(acquire, { ...base, rejectionRefreshIntervalMs: 10_000, mandatoryWindowMs: 60_000, ...extra });
  engine.start();
  return { engine, logger };
}

/** Numbered credentials (ASIATEST0000000n) living `lifetimeMs`; every call fails while `failing` is set, or waits for `hold` to settle. */
function numbered(lifetimeMs: number | undefined) {
  const state: { n: number; failing: boolean; hold: Promise<void> | undefined } = { n: 0, failing: false, hold: undefined };
  const acquire: Acquire = async () => {
    state.n += 1;
    const n = state.n;
    if (state.hold) await state.hold;
    if (state.failing) throw new Error(`STS unavailable (call ${n})`);
    return { credentials: makeCredentials(n, lifetimeMs) };
  };
  return { acquire, state };
}

/** A promise the test settles. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe("invalidate(): what it answers when it cannot or need not fetch", () => {
  it("with nothing ever held: nothing to replace, and the rejection recorded without a key", async () => {
    const { acquire, state } = numbered(120_000);
    state.failing = true;
    const { engine } = rawEngine(acquire);
    await settle();
    expect(await engine.invalidate()).toEqual({ replaced: false, fetched: false, reason: "engine under test holds no valid credentials to replace them with" });
    expect(engine.status().lastRejection).toEqual({ at: new Date(T0), code: undefined, accessKeyId: undefined });
    engine.stop();
  });

  it("an older key while a fetch runs: waits for that fetch and reports its failure, without a fetch of its own", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    const held = gate();
    state.hold = held.promise;
    const forced = engine.refresh().catch((e: unknown) => e);
    const result = engine.invalidate("ASIATEST00000099");
    held.fail(new Error("STS unavailable (held)"));
    expect(await result).toEqual({ replaced: false, fetched: false, reason: expect.stringMatching(/^fetching new credentials failed: .*STS unavailable/) as string });
    await forced;
    engine.stop();
  });

  it("an older key while only expired credentials are held (no static stability): nothing to replace them with", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    state.failing = true;
    await vi.advanceTimersByTimeAsync(121_000);
    expect(engine.status()).toMatchObject({ state: "expired", refreshing: false });
    expect(engine.status().staticStability).toBeUndefined();
    expect(await engine.invalidate("ASIATEST00000099")).toEqual({ replaced: false, fetched: false, reason: "engine under test holds no valid credentials to replace them with" });
    engine.stop();
  });

  it("after stop(): says so and fetches nothing", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    engine.stop();
    expect(await engine.invalidate()).toEqual({ replaced: false, fetched: false, reason: "engine under test was stopped and no longer fetches credentials" });
    expect(state.n).toBe(1);
  });

  it("a second rejection inside rejectionRefreshIntervalMs: no fetch; the reason says when the next may run, the event that nothing valid is held", async () => {
    const { acquire, state } = numbered(3_600_000);
    const events: RefreshErrorEvent[] = [];
    const { engine } = rawEngine(acquire, { onRefreshError: (e) => events.push(e) });
    await settle();
    expect(await engine.invalidate()).toEqual({ replaced: true, fetched: true });
    await vi.advanceTimersByTimeAsync(2_000);
    const result = await engine.invalidate();
    expect(result).toMatchObject({ replaced: false, fetched: false });
    expect(result.reason).toContain(`AWS rejected ASIA…0002 as well; `);
    expect(result.reason).toMatch(new RegExp(`not before ${new Date(T0 + 10_000).toISOString()}$`));
    expect(state.n).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: "rejected", credentialsValid: false });
    engine.stop();
  });

  it("a rejection whose fetch fails: the reason names the failure", async () => {
    const { acquire, state } = numbered(3_600_000);
    const { engine } = rawEngine(acquire);
    await settle();
    state.failing = true;
    const result = await engine.invalidate();
    expect(result).toMatchObject({ replaced: false, fetched: true });
    expect(result.reason).toMatch(/^engine under test could not fetch new credentials: .*STS unavailable \(call 2\)/);
    engine.stop();
  });

  it("credentials without expiry are rejected and replaced like any others; none plans a refresh", async () => {
    const { acquire } = numbered(undefined);
    const { engine } = rawEngine(acquire);
    await settle();
    expect(engine.status().nextRefreshAt).toBeUndefined();
    expect(await engine.invalidate()).toEqual({ replaced: true, fetched: true });
    expect((await engine.get()).accessKeyId).toBe("ASIATEST00000002");
    engine.stop();
  });

  it("credentials rejected while a fetch runs are withdrawn: when that fetch fails, callers get the error, not them", async () => {
    const { acquire, state } = numbered(3_600_000);
    const { engine } = rawEngine(acquire);
    await settle();
    const held = gate();
    state.hold = held.promise;
    const forced = engine.refresh().catch((e: unknown) => e);
    const result = engine.invalidate();
    state.failing = true;
    held.open();
    expect(await result).toMatchObject({ replaced: false, fetched: false });
    await forced;
    await expect(engine.get()).rejects.toThrow(/STS unavailable/);
    engine.stop();
  });
});

describe("the engine's other edges: clock offset, static stability, stop, serving between retries", () => {
  it("a clock offset that is not a finite number is ignored", async () => {
    const { acquire } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    engine.noteClockOffset(Number.NaN);
    expect(engine.status()).not.toHaveProperty("clockOffsetMs");
    expect(engine.status().state).toBe("ready");
    engine.stop();
  });

  it("a static-stability check that throws counts as not stable: expired credentials are not served", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire, {
      staticStability: () => {
        throw new Error("metadata check broke");
      },
    });
    await settle();
    state.failing = true;
    await vi.advanceTimersByTimeAsync(121_000);
    expect(engine.status().state).toBe("expired");
    engine.stop();
  });

  it("static stability starts at the very millisecond of expiry", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire, { staticStability: () => true });
    await settle();
    state.failing = true;
    await vi.advanceTimersByTimeAsync(120_000 - 1);
    expect(engine.status().staticStability).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(engine.status().staticStability).toEqual({ since: new Date(T0 + 120_000) });
    engine.stop();
  });

  it("stopped inside the mandatory window: get() still serves the held credentials", async () => {
    const { acquire } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    engine.stop();
    await vi.advanceTimersByTimeAsync(119_000);
    expect((await engine.get()).accessKeyId).toBe("ASIATEST00000001");
  });

  it("without telemetry, between retries inside the mandatory window: the held credentials are served", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire);
    await settle();
    state.failing = true;
    // The mandatory window of 2 min credentials is their last 12 s: get() asks the engine, not the cache.
    await vi.advanceTimersByTimeAsync(115_000);
    expect(engine.status()).toMatchObject({ state: "degraded", refreshing: false });
    expect((await engine.get()).accessKeyId).toBe("ASIATEST00000001");
    engine.stop();
  });

  it("a fetch that completes after stop() is not committed (onCommitted is not called for it)", async () => {
    const { acquire, state } = numbered(120_000);
    const onCommitted = vi.fn();
    const { engine } = rawEngine(acquire, { onCommitted });
    await settle();
    expect(onCommitted).toHaveBeenCalledTimes(1);
    const held = gate();
    state.hold = held.promise;
    const forced = engine.refresh();
    engine.stop();
    held.open();
    await forced;
    expect(onCommitted).toHaveBeenCalledTimes(1);
  });
});

describe("expiry is judged on AWS's clock once a client measured the offset", () => {
  it("AWS 30 s ahead: 2 min credentials are expired 90 s in by our clock, and static stability starts then", async () => {
    const plain = numbered(120_000);
    const { engine } = rawEngine(plain.acquire);
    await settle();
    plain.state.failing = true;
    engine.noteClockOffset(30_000);
    await vi.advanceTimersByTimeAsync(90_000);
    expect(engine.status().state).toBe("expired");
    engine.stop();
    const stable = numbered(120_000);
    const imds = rawEngine(stable.acquire, { staticStability: () => true }).engine;
    await settle();
    stable.state.failing = true;
    imds.noteClockOffset(30_000);
    await vi.advanceTimersByTimeAsync(90_000);
    expect(imds.status().staticStability).toEqual({ since: new Date(Date.now() - 90_000 + 120_000) });
    imds.stop();
  });

  it("AWS ahead: the next refresh is planned sooner than with no offset", async () => {
    const planned = async (offsetMs: number) => {
      const { acquire } = numbered(3_600_000);
      const engine = new RefreshEngine(acquire, { ...resolveEngineOptions({ backoff, random: () => 0.5 }, "engine under test") });
      engine.noteClockOffset(offsetMs);
      engine.start();
      await settle();
      const at = engine.status().nextRefreshAt!.getTime() - Date.now();
      engine.stop();
      return at;
    };
    expect(await planned(0)).toBeGreaterThan(await planned(300_000));
  });
});

describe("the hot path's edge: the mandatory window starts at freshUntil exactly", () => {
  it("2 min credentials with a refresh hanging: served from the cache until 108 s, from 108 s on callers wait for the refresh", async () => {
    const { acquire, state } = numbered(120_000);
    const { engine } = rawEngine(acquire, { attemptTimeoutMs: Infinity });
    await settle();
    state.hold = new Promise<void>(() => undefined);
    const served = () => Promise.race([engine.get().then((c) => c.accessKeyId), settle().then(() => "waiting")]);
    await vi.advanceTimersByTimeAsync(108_000 - 1);
    expect(await served()).toBe("ASIATEST00000001");
    await vi.advanceTimersByTimeAsync(1);
    expect(await served()).toBe("waiting");
    engine.stop();
  });
});

describe("the hot path on AWS's clock", () => {
  it("AWS 30 s ahead: 2 min credentials have 90 s left, so a 9 s window; served from the cache until 81 s by our clock", async () => {
    const { acquire, state } = numbered(120_000);
    const engine = new RefreshEngine(acquire, { ...resolveEngineOptions({ backoff }, "engine under test"), attemptTimeoutMs: Infinity });
    engine.noteClockOffset(30_000);
    engine.start();
    await settle();
    state.hold = new Promise<void>(() => undefined);
    const served = () => Promise.race([engine.get().then((c) => c.accessKeyId), settle().then(() => "waiting")]);
    await vi.advanceTimersByTimeAsync(81_000 - 1);
    expect(await served()).toBe("ASIATEST00000001");
    await vi.advanceTimersByTimeAsync(1);
    expect(await served()).toBe("waiting");
    engine.stop();
  });
});
