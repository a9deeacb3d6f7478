/**
 * The engine's promises at their edges (DESIGN "Edges of the contract"): no STS storm after expiry or
 * before the first success, one redaction point for every error that leaves it, and background fetches
 * that ask as the most recent caller would. Refresher and swapper alike: they share the engine.
 */
import { inspect } from "node:util";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { CredentialsExpiredError } from "../../src/refresh/errors.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { createSwapper } from "../../src/refresh/swapper.js";
import type { RefreshingProvider } from "../../src/refresh/types.js";
import { everythingThatLeaves } from "./every-face.js";
import { SECRET_MARK, makeCredentials, scriptedSource, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
useFakeClockAndCatchUnhandled(T0);

const settle = () => vi.advanceTimersByTimeAsync(0);
const backoff = { initialDelayMs: 1_000, maxDelayMs: 8_000, jitter: "none" as const };

/**
 * 200 callers per second for `seconds` (10 every 50 ms), each call checked: while no attempt is running,
 * a call must settle without the clock moving (callers never wait between attempts). Returns the failures.
 */
async function hammer(provider: RefreshingProvider, seconds: number): Promise<{ failed: number; waitedBetweenAttempts: number }> {
  let failed = 0;
  let waitedBetweenAttempts = 0;
  const all: Promise<unknown>[] = [];
  for (let tick = 0; tick < seconds * 20; tick++) {
    const idle = !provider.status().refreshing;
    let settled = 0;
    const calls = Array.from({ length: 10 }, () =>
      provider().then(
        () => (settled += 1),
        () => {
          settled += 1;
          failed += 1;
        },
      ),
    );
    await settle();
    if (idle && !provider.status().refreshing) waitedBetweenAttempts += 10 - settled;
    all.push(...calls);
    await vi.advanceTimersByTimeAsync(50);
  }
  // Calls that joined an attempt settle with it (at most one attempt's latency later).
  await vi.advanceTimersByTimeAsync(1_000);
  await Promise.all(all);
  return { failed, waitedBetweenAttempts };
}

/** Attempts a failing engine may make in `ms` with `backoff` (no jitter): 1 + retries at 1, 2, 4, 8, 8, … s. */
function envelope(ms: number): number {
  let attempts = 1;
  let at = 0;
  for (let n = 1; ; n++) {
    at += Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** (n - 1));
    if (at > ms) return attempts;
    attempts += 1;
  }
}

describe("no STS storm: at most one source attempt per backoff interval, whatever the callers", () => {
  it("refresher, before the first success: 200 callers/s for 30 s start no attempts of their own, and are answered at once", async () => {
    const source = scriptedSource({ latencyMs: 200 });
    source.fail(() => new Error("InvalidIdentityToken: token expired"));
    const refresher = createRefresher(source, { backoff });
    const { failed, waitedBetweenAttempts } = await hammer(refresher, 30);
    expect(failed).toBe(30 * 200);
    expect(waitedBetweenAttempts).toBe(0);
    // Initial, then retries 1, 2, 4, 8, 8 s after each failure (plus 200 ms per attempt): 5 or 6 in 30 s.
    expect(source.calls.length).toBeLessThanOrEqual(envelope(30_000));
    expect(source.calls.length).toBeGreaterThanOrEqual(4);
    expect(refresher.status().state).toBe("failed");
    // The callers' error is the last one, at once.
    await expect(refresher()).rejects.toThrow("InvalidIdentityToken: token expired");

    // refresh() and { forceRefresh: true } still force an attempt.
    const before = source.calls.length;
    const forced = refresher.refresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    await forced;
    expect(source.calls.length).toBe(before + 1);
    const forcedToo = refresher({ forceRefresh: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    await forcedToo;
    expect(source.calls.length).toBe(before + 2);
    refresher.stop();
  });

  it("refresher, after expiry: callers get CredentialsExpiredError at once, the source sees only the backoff schedule, recovery is served", async () => {
    const source = scriptedSource({ lifetimeMs: 20_000, latencyMs: 100 });
    const refresher = createRefresher(source, { backoff });
    await vi.advanceTimersByTimeAsync(100);
    const held = await refresher();
    source.fail();
    await vi.advanceTimersByTimeAsync(held.expiration!.getTime() - Date.now() + 1);
    expect(refresher.status().state).toBe("expired");
    const before = source.calls.length;
    const startedAt = Date.now();
    const { failed, waitedBetweenAttempts } = await hammer(refresher, 40);
    expect(failed).toBe(40 * 200);
    expect(waitedBetweenAttempts).toBe(0);
    // Attempts went on at the backoff's pace (8 s apart by now), never at the callers' 200/s.
    const made = source.calls.length - before;
    expect(made).toBeGreaterThanOrEqual(3);
    expect(made).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / backoff.maxDelayMs) + 1);
    const late = refresher().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await late).toBeInstanceOf(CredentialsExpiredError);
    source.recover();
    await vi.advanceTimersByTimeAsync(backoff.maxDelayMs + 100);
    await expect(refresher()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIATEST/) });
    expect(refresher.status().state).toBe("ready");
    refresher.stop();
  });

  it("swapper, before the first success and after expiry: builds only on the backoff schedule", async () => {
    let builds = 0;
    let failing = true;
    const factory = (): AwsCredentialIdentityProvider => {
      builds += 1;
      const n = builds;
      return async () => {
        await new Promise((r) => setTimeout(r, 100));
        if (failing) throw new Error("container endpoint refused the connection");
        return makeCredentials(n, 20_000);
      };
    };
    const swapper = createSwapper(factory, { backoff });
    const first = await hammer(swapper, 20);
    expect(first.failed).toBe(20 * 200);
    expect(first.waitedBetweenAttempts).toBe(0);
    expect(builds).toBeLessThanOrEqual(envelope(20_000));
    failing = false;
    await vi.advanceTimersByTimeAsync(backoff.maxDelayMs + 100);
    expect(swapper.status().state).toBe("ready");
    failing = true;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(swapper.status().state).toBe("expired");
    const before = builds;
    const after = await hammer(swapper, 20);
    expect(after.failed).toBe(20 * 200);
    expect(after.waitedBetweenAttempts).toBe(0);
    expect(builds - before).toBeLessThanOrEqual(4);
    const forced = swapper.swap().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await forced).toBeInstanceOf(Error);
    expect(builds - before).toBeLessThanOrEqual(5);
    swapper.stop();
  });
});

/** An SDK-style failure that carries new keys everywhere an SDK error can: message, raw response, body text, cause, extra fields. */
function leakyError(): Error {
  const body = `<AssumeRoleWithWebIdentityResponse><Credentials><AccessKeyId>ASIANEW</AccessKeyId><SecretAccessKey>${SECRET_MARK}-new-secret</SecretAccessKey><SessionToken>${SECRET_MARK}-new-token</SessionToken></Credentials></AssumeRoleWithWebIdentityResponse>`;
  const cause = Object.assign(new Error(`Deserialization error: ${body}`), { name: "SyntaxError", $responseBodyText: body });
  return Object.assign(new Error(`unexpected reply ${body.slice(0, 200)}`, { cause }), {
    name: "InvalidResponse",
    Code: "InvalidResponse",
    $fault: "server",
    $metadata: { httpStatusCode: 200, requestId: "req-1" },
    $response: { statusCode: 200, body },
    $responseBodyText: body,
    rawBody: body,
    response: { headers: { "x-amz-security-token": `${SECRET_MARK}-new-token` } },
  });
}

function expectNoSecret(value: unknown): void {
  expect(inspect(value, { showHidden: true, depth: Infinity, getters: true })).not.toContain(SECRET_MARK);
  try {
    expect(JSON.stringify(value) ?? "").not.toContain(SECRET_MARK);
  } catch {
    // Cyclic: inspect above covered it.
  }
}

describe("no failure yet, nothing in flight, credentials expired (a laptop woke from sleep)", () => {
  it("the first caller starts an attempt and everyone shares it: the storm gate turns away callers only after a failure", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000, latencyMs: 100 });
    const refresher = createRefresher(source, { backoff });
    await vi.advanceTimersByTimeAsync(100);
    expect(source.calls).toHaveLength(1);
    // The clock jumps past expiry without the refresh timer having run (the process was suspended).
    vi.setSystemTime(Date.now() + 120_000);
    expect(refresher.status()).toMatchObject({ state: "expired", consecutiveFailures: 0 });
    const callers = [refresher(), refresher(), refresher()];
    expect(source.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    const results = await Promise.all(callers);
    expect(new Set(results.map((c) => c.accessKeyId))).toEqual(new Set(["ASIATEST00000002"]));
    refresher.stop();
  });
});

describe("after a failure, the retry falls due while its timer has not run (the process was suspended)", () => {
  for (const face of ["refresher", "swapper"] as const) {
    it(`${face}: callers are turned away until the retry is due, and from the due instant the first caller starts it`, async () => {
      const source = scriptedSource({ lifetimeMs: 60_000 });
      source.fail();
      const provider = face === "refresher" ? createRefresher(source, { backoff }) : createSwapper(() => source, { backoff });
      await settle();
      expect(source.calls).toHaveLength(1);
      const due = provider.status().nextRefreshAt!.getTime();
      expect(due).toBeGreaterThan(Date.now());
      // One millisecond before the retry: the last error at once, no attempt.
      vi.setSystemTime(due - 1);
      await expect(provider()).rejects.toThrow(/STS unavailable/);
      expect(source.calls).toHaveLength(1);
      // At the due instant, the timer not having run: the caller starts the retry and gets its credentials.
      source.recover();
      vi.setSystemTime(due);
      const credentials = await provider();
      expect(credentials.accessKeyId).toBe("ASIATEST00000002");
      expect(source.calls).toHaveLength(2);
      expect(provider.status()).toMatchObject({ state: "ready", consecutiveFailures: 0 });
      provider.stop();
    });
  }
});

describe("one redaction point: only the redacted copy leaves the engine", () => {
  for (const face of ["refresher", "swapper"] as const) {
    it(`${face}: ready, callers, refresh(), onRefreshError, logs and status() never carry a secret from the source's error`, async () => {
      const { seen, events, lines, status } = await everythingThatLeaves(face, leakyError, { forceRefresh: true });

      expect(seen.length).toBeGreaterThanOrEqual(7);
      for (const error of seen) {
        expect(error).toBeInstanceOf(Error);
        expectNoSecret(error);
      }
      // What callers classify errors by survives the copy.
      const copy = seen[1] as Error & { Code?: string; $metadata?: unknown; $fault?: string };
      expect(copy.name).toBe("InvalidResponse");
      expect(copy.Code).toBe("InvalidResponse");
      expect(copy.$fault).toBe("server");
      expect(copy.$metadata).toEqual({ httpStatusCode: 200, requestId: "req-1" });
      expect(copy.message).toContain("<SecretAccessKey>[redacted]</SecretAccessKey>");
      expect(copy.message).toContain("<SessionToken>[redacted]");
      expect((copy.cause as Error).name).toBe("SyntaxError");
      // One copy per failure: the event, ready and the callers see the same object.
      expect(seen[0]).toBe(events[0]!.error);
      expect(seen[1]).toBe(seen[0]);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).not.toContain(SECRET_MARK);
      expectNoSecret(status);
    });
  }

  it("a thrown non-error (an object holding a reply) reaches callers as an Error that describes it, values withheld", async () => {
    const refresher = createRefresher(async () => {
      throw { status: 500, body: `{"Credentials":{"SecretAccessKey":"${SECRET_MARK}-x","SessionToken":"${SECRET_MARK}-y"}}` };
    }, { backoff });
    await settle();
    const error = await refresher.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("Object with fields status, body (values withheld: they may hold secrets)");
    expectNoSecret(error);
    refresher.stop();
  });
});

describe("background fetches ask as the most recent caller", () => {
  it("refresher and swapper pass the caller's identity properties (an SDK client's config) to scheduled and retried attempts", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const refresher = createRefresher(source, { backoff });
    await settle();
    expect(source.calls[0]).toEqual({ forceRefresh: true });
    const callerClientConfig = { region: "eu-central-1" };
    await refresher({ callerClientConfig });
    await vi.advanceTimersByTimeAsync(refresher.status().nextRefreshAt!.getTime() - Date.now());
    expect(source.calls).toHaveLength(2);
    expect(source.calls[1]).toEqual({ callerClientConfig, forceRefresh: true });
    // A later caller with other properties wins; forceRefresh is always set.
    const other = { region: "ap-southeast-2" };
    await refresher({ callerClientConfig: other, forceRefresh: false });
    source.fail();
    await vi.advanceTimersByTimeAsync(refresher.status().nextRefreshAt!.getTime() - Date.now());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(source.calls.slice(2).every((c) => c.callerClientConfig === other && c.forceRefresh === true)).toBe(true);
    expect(source.calls.length).toBeGreaterThanOrEqual(4);
    refresher.stop();

    const resolved: Record<string, unknown>[] = [];
    const swapper = createSwapper(() => async (props?: Record<string, unknown>) => {
      resolved.push(props ?? {});
      return makeCredentials(resolved.length, 60_000);
    });
    await settle();
    await swapper({ callerClientConfig });
    await vi.advanceTimersByTimeAsync(swapper.status().nextRefreshAt!.getTime() - Date.now());
    expect(resolved).toEqual([{ forceRefresh: true }, { callerClientConfig, forceRefresh: true }]);
    swapper.stop();
  });

  it("a forced resolution (forceRefresh: true, as the SDK asks after an auth error) is remembered as the most recent caller too", async () => {
    const source = scriptedSource({ lifetimeMs: 60_000 });
    const refresher = createRefresher(source, { backoff });
    await settle();
    const callerClientConfig = { region: "sa-east-1" };
    await refresher({ callerClientConfig, forceRefresh: true });
    expect(source.calls[1]).toEqual({ callerClientConfig, forceRefresh: true });
    await vi.advanceTimersByTimeAsync(refresher.status().nextRefreshAt!.getTime() - Date.now());
    expect(source.calls).toHaveLength(3);
    expect(source.calls[2]).toEqual({ callerClientConfig, forceRefresh: true });
    refresher.stop();
  });
});
