/**
 * Shared helpers of the refresh tests: a seeded random, a scripted credential source and a capturing logger.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, afterEach, beforeEach, expect, vi } from "vitest";

/** mulberry32, shared with the bench's fleet simulation, so property-style loops are reproducible. */
export { seededRandom } from "../../bench/lib/random.js";
export { capturingLogger } from "../support/capturing-logger.js";

export const SECRET_MARK = "SuperSecretKeyMaterial";

/** Distinct credentials per fetch; secrets carry a recognizable mark so tests can grep for leaks. */
export function makeCredentials(n: number, lifetimeMs: number | undefined, now = Date.now()): AwsCredentialIdentity {
  return {
    accessKeyId: `ASIATEST${String(n).padStart(8, "0")}`,
    secretAccessKey: `${SECRET_MARK}-secret-${n}`,
    sessionToken: `${SECRET_MARK}-token-${n}`,
    ...(lifetimeMs === undefined ? {} : { expiration: new Date(now + lifetimeMs) }),
  };
}

export interface ScriptedSource {
  (options?: Record<string, unknown>): Promise<AwsCredentialIdentity>;
  calls: Record<string, unknown>[];
  /** Makes the next calls fail (until `recover()`), with an error whose message names the attempt. */
  fail(error?: () => unknown): void;
  recover(): void;
  /** Milliseconds each call takes (via setTimeout, so fake timers control it). */
  latencyMs: number;
  lifetimeMs: number | undefined;
}

/** A credential source whose behaviour a test scripts: lifetime, latency, failures. */
export function scriptedSource(init: { lifetimeMs?: number | undefined; latencyMs?: number } = {}): ScriptedSource {
  let failure: (() => unknown) | undefined;
  const source = (async (options?: Record<string, unknown>) => {
    source.calls.push(options ?? {});
    const n = source.calls.length;
    if (source.latencyMs > 0) await new Promise((r) => setTimeout(r, source.latencyMs));
    if (failure) throw failure();
    return makeCredentials(n, source.lifetimeMs);
  }) as ScriptedSource;
  source.calls = [];
  source.latencyMs = init.latencyMs ?? 0;
  source.lifetimeMs = "lifetimeMs" in init ? init.lifetimeMs : 60_000;
  source.fail = (error) => {
    failure = error ?? (() => new Error(`STS unavailable (call ${source.calls.length})`));
  };
  source.recover = () => {
    failure = undefined;
  };
  return source;
}


/** Collects unhandled rejections while a test file runs. */
export function trackUnhandledRejections(): { reasons: unknown[]; dispose(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on("unhandledRejection", listener);
  return { reasons, dispose: () => process.off("unhandledRejection", listener) };
}

/**
 * The setup of the engine's unit-test files: fake timers starting at `now` for every test, and, once the
 * file is done, the check that nothing rejected unhandled. Call at the top level of the file.
 */
export function useFakeClockAndCatchUnhandled(now: number): void {
  const unhandled = trackUnhandledRejections();
  beforeEach(() => {
    vi.useFakeTimers({ now });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(() => {
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
  });
}
