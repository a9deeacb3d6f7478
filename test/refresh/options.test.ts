/**
 * resolveEngineOptions: the public refresher/swapper options turned into the engine's, validated once at
 * construction. Pure: no timers, no sources.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF_POLICY } from "../../src/refresh/backoff.js";
import { resolveEngineOptions } from "../../src/refresh/options.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { DEFAULT_SCHEDULE_POLICY } from "../../src/refresh/schedule.js";
import { silentLogger } from "../../src/shared/logger.js";
import type { RefreshOptions } from "../../src/refresh/types.js";

const NAME = "awscreds refresher";

describe("resolveEngineOptions", () => {
  it("fills in the documented defaults", () => {
    expect(resolveEngineOptions({}, NAME)).toEqual({
      attemptTimeoutMs: 30_000,
      name: NAME,
      schedule: { ...DEFAULT_SCHEDULE_POLICY },
      backoff: { ...DEFAULT_BACKOFF_POLICY },
      logger: silentLogger,
      random: Math.random,
      onRefresh: undefined,
      onRefreshError: undefined,
      rejectionRefreshIntervalMs: 30_000,
      mandatoryWindowMs: 60_000,
    });
  });

  it("rejects a negative or non-finite rejectionRefreshIntervalMs or mandatoryWindowMs, and keeps 0", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveEngineOptions({ rejectionRefreshIntervalMs: bad }, NAME)).toThrow(/rejectionRefreshIntervalMs must be a non-negative/);
      expect(() => resolveEngineOptions({ mandatoryWindowMs: bad }, NAME)).toThrow(/mandatoryWindowMs must be a non-negative/);
    }
    expect(resolveEngineOptions({ rejectionRefreshIntervalMs: 0, mandatoryWindowMs: 0 }, NAME)).toMatchObject({ rejectionRefreshIntervalMs: 0, mandatoryWindowMs: 0 });
  });

  it("keeps what is given", () => {
    const random = (): number => 0.5;
    const onRefresh = (): void => undefined;
    const onRefreshError = (): void => undefined;
    const resolved = resolveEngineOptions(
      { attemptTimeoutMs: Number.POSITIVE_INFINITY, name: "orders", period: 60_000, schedule: { minDelayMs: 0 }, backoff: { multiplier: 3 }, logger: console, random, onRefresh, onRefreshError },
      NAME,
    );
    expect(resolved).toMatchObject({ attemptTimeoutMs: Number.POSITIVE_INFINITY, name: "orders", logger: console, random, onRefresh, onRefreshError });
    expect(resolved.schedule).toMatchObject({ periodMs: 60_000, minDelayMs: 0 });
    expect(resolved.backoff.multiplier).toBe(3);
  });

  it.each([
    ["a string", "fast"],
    ["a number", 5],
    ["null", null],
    ["a function", () => ({})],
  ])("refuses %s as options with a TypeError naming the provider", (_name, options) => {
    expect(() => resolveEngineOptions(options as unknown as RefreshOptions, NAME)).toThrow(new TypeError(`${NAME}: options must be an object`));
  });

  it("refuses null options through createRefresher too (the default only covers undefined)", () => {
    expect(() => createRefresher(async () => ({ accessKeyId: "a", secretAccessKey: "b" }), null as unknown as RefreshOptions)).toThrow(
      "awscreds refresher: options must be an object",
    );
  });

  it.each(["onRefresh", "onRefreshError", "random"] as const)("refuses a non-function %s", (key) => {
    expect(() => resolveEngineOptions({ [key]: "yes" } as unknown as RefreshOptions, NAME)).toThrow(new TypeError(`${NAME}: ${key} must be a function`));
    expect(() => resolveEngineOptions({ [key]: null } as unknown as RefreshOptions, NAME)).toThrow(TypeError);
  });

  it.each([0, -1, Number.NaN])("refuses attemptTimeoutMs %s", (attemptTimeoutMs) => {
    expect(() => resolveEngineOptions({ attemptTimeoutMs }, NAME)).toThrow(new RangeError(`${NAME}: attemptTimeoutMs must be a positive number of ms (or Infinity), got ${attemptTimeoutMs}`));
  });

  it("accepts the smallest positive attemptTimeoutMs", () => {
    expect(resolveEngineOptions({ attemptTimeoutMs: 1 }, NAME).attemptTimeoutMs).toBe(1);
  });
});
