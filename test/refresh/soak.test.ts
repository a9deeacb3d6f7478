/**
 * Chaos soak on fake timers: a simulated 24 h of a refresher (and of a swapper) over a source with random
 * latency, failures, hangs and outages (some longer than the credentials live), called at a steady rate.
 * Invariants, checked on every call and every attempt:
 * - no resolution ever returns expired credentials;
 * - no resolution fails while the provider held valid credentials;
 * - source attempts stay within the backoff envelope (after failure n, nothing before ceiling(n)/2);
 * - no unhandled rejection (checked for the whole file); heap flat across the run.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { AwsCredentialIdentity } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_BACKOFF_POLICY } from "../../src/refresh/backoff.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { createSwapper } from "../../src/refresh/swapper.js";
import type { RefreshErrorEvent, RefreshingProvider, RefreshOptions } from "../../src/refresh/types.js";
import { makeCredentials, seededRandom, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
useFakeClockAndCatchUnhandled(T0);

const HOUR = 3_600_000;
const SIMULATED_MS = 24 * HOUR;
const CALL_EVERY_MS = 5_000;
const LIFETIME_MS = HOUR;
const ATTEMPT_TIMEOUT_MS = 10_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Outages in hours from the start: some shorter than the credentials live, two well past expiry. */
const OUTAGES: readonly [number, number][] = [
  [2, 2.3],
  [5, 6.6], // 1.6 h: past expiry
  [9.5, 9.6],
  [13, 16], // 3 h: long past expiry
  [19, 19.8],
];

interface Chaos {
  source: (props?: Record<string, unknown>) => Promise<AwsCredentialIdentity>;
  attempts: number[];
}

/** The chaotic source: 50 ms–3 s latency, 15% failures, 10% hangs, and hard outages. */
function chaoticSource(random: () => number): Chaos {
  const attempts: number[] = [];
  let n = 0;
  const source = async (): Promise<AwsCredentialIdentity> => {
    attempts.push(Date.now());
    n += 1;
    const hours = (Date.now() - T0) / HOUR;
    const down = OUTAGES.some(([from, to]) => hours >= from && hours < to);
    const roll = random();
    if (!down && roll < 0.1) return new Promise<never>(() => undefined); // a hung connection
    await new Promise((resolve) => setTimeout(resolve, 50 + random() * 2_950));
    if (down) throw Object.assign(new Error("STS is down"), { name: "ServiceUnavailable" });
    if (roll < 0.25) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    return makeCredentials(n, LIFETIME_MS);
  };
  return { source, attempts };
}

interface Observed {
  calls: number;
  served: number;
  failed: number;
  violations: string[];
  heapGrowthBytes: number;
}

async function soak(build: (source: Chaos["source"], options: RefreshOptions) => RefreshingProvider, seed: number): Promise<{ observed: Observed; chaos: Chaos; errors: RefreshErrorEvent[] }> {
  const random = seededRandom(seed);
  const chaos = chaoticSource(seededRandom(seed + 1));
  const errors: { at: number; event: RefreshErrorEvent }[] = [];
  let heldUntil = 0;
  const provider = build(chaos.source, {
    random,
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    onRefresh: (e) => {
      heldUntil = e.expiration?.getTime() ?? Infinity;
    },
    onRefreshError: (event) => errors.push({ at: Date.now(), event }),
  });
  const observed: Observed = { calls: 0, served: 0, failed: 0, violations: [], heapGrowthBytes: 0 };
  let heapAtStart = 0;

  for (let t = 0; t < SIMULATED_MS; t += CALL_EVERY_MS) {
    if (t === 2 * HOUR) heapAtStart = heapAfterGc();
    const calledAt = Date.now();
    const validWhenCalled = calledAt < heldUntil;
    observed.calls += 1;
    provider().then(
      (credentials) => {
        observed.served += 1;
        const now = Date.now();
        if (credentials.expiration !== undefined && credentials.expiration.getTime() <= now) {
          observed.violations.push(`expired credentials served at +${now - T0} ms`);
        }
      },
      (error: unknown) => {
        observed.failed += 1;
        if (validWhenCalled && Date.now() < heldUntil) observed.violations.push(`failed at +${calledAt - T0} ms while valid credentials were held: ${String(error)}`);
      },
    );
    await vi.advanceTimersByTimeAsync(CALL_EVERY_MS);
  }
  observed.heapGrowthBytes = heapAfterGc() - heapAtStart;
  provider.stop();

  // The backoff envelope: after failure n (equal jitter), the next attempt is at least ceiling(n)/2 later.
  const policy = DEFAULT_BACKOFF_POLICY;
  for (const { at, event } of errors) {
    if (event.nextRetryAt === undefined) continue;
    const next = chaos.attempts.find((time) => time > at);
    if (next === undefined) continue;
    const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (event.attempt - 1));
    if (next - at < ceiling / 2) observed.violations.push(`attempt ${next - at} ms after failure ${event.attempt} (envelope ≥ ${ceiling / 2} ms)`);
  }
  return { observed, chaos, errors: errors.map((e) => e.event) };
}

function expectInvariants(result: Awaited<ReturnType<typeof soak>>): void {
  const { observed, chaos, errors } = result;
  if (process.env.SOAK_DEBUG) console.log({ ...observed, violations: observed.violations.length, attempts: chaos.attempts.length, errors: errors.length, kinds: [...new Set(errors.map((e) => (e.error as Error).name))] });
  expect(observed.violations).toEqual([]);
  // The run really was chaotic: outages past expiry failed callers, and the source was hit by hangs and errors...
  expect(observed.failed).toBeGreaterThan(100);
  expect(errors.some((e) => e.error instanceof Error && e.error.name === "AttemptTimeoutError")).toBe(true);
  expect(errors.filter((e) => !e.credentialsValid).length).toBeGreaterThan(5);
  // ...yet callers were served nearly all the time, and the source saw the backoff, not the callers' 17,280 calls.
  expect(observed.served / observed.calls).toBeGreaterThan(0.8);
  expect(chaos.attempts.length).toBeLessThan(600);
  // Heap flat: nothing accumulates per call or per attempt (hung attempts included).
  expect(observed.heapGrowthBytes).toBeLessThan(8 * 1024 * 1024);
}

describe("chaos soak: 24 simulated hours", () => {
  it("refresher", async () => {
    expectInvariants(await soak((source, options) => createRefresher(source, options), 11));
  }, 180_000);

  it("swapper", async () => {
    expectInvariants(await soak((source, options) => createSwapper(() => source, options), 23));
  }, 180_000);
});
