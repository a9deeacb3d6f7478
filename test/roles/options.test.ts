/**
 * resolveRoleCacheOptions: createAssumeRoleCache's options checked once at construction. Pure. What is
 * pinned is the error class and the option the message names (what a user reads at startup), and each
 * limit's edge: the smallest value accepted next to the first one refused.
 */
import { describe, expect, it } from "vitest";
import { resolveRoleCacheOptions, type AssumeRoleCacheOptions } from "../../src/roles/options.js";
import type { StsBudget } from "../../src/shared/sts-budget.js";

const source = async () => ({ accessKeyId: "AKIAX", secretAccessKey: "s" });
const resolve = (patch: Partial<AssumeRoleCacheOptions> = {}, env: Record<string, string | undefined> = {}) =>
  resolveRoleCacheOptions({ source, region: "eu-west-1", ...patch }, env);
const budget = { requestsPerSecond: 100, burst: 10, open: () => { throw new Error("not opened here"); } } as StsBudget;

describe("resolveRoleCacheOptions", () => {
  it("options that are not an object (null, a string) are refused as such, not as a missing source", () => {
    for (const options of [null, "eu-west-1"]) {
      expect(() => resolveRoleCacheOptions(options as unknown as AssumeRoleCacheOptions, {})).toThrow(TypeError);
      expect(() => resolveRoleCacheOptions(options as unknown as AssumeRoleCacheOptions, {})).toThrow(/options must be an object/);
    }
  });

  it("idleTtlMs must be above 0: 0 is refused, 1 ms kept", () => {
    expect(() => resolve({ idleTtlMs: 0 })).toThrow(RangeError);
    expect(() => resolve({ idleTtlMs: 0 })).toThrow(/idleTtlMs/);
    expect(resolve({ idleTtlMs: 1 }).idleTtlMs).toBe(1);
  });

  it("negativeTtlMs must be finite and not negative: -1 and Infinity are refused, 0 kept (no negative caching)", () => {
    for (const bad of [-1, Number.POSITIVE_INFINITY]) {
      expect(() => resolve({ negativeTtlMs: bad })).toThrow(RangeError);
      expect(() => resolve({ negativeTtlMs: bad })).toThrow(/negativeTtlMs/);
    }
    expect(resolve({ negativeTtlMs: 0 }).negativeTtlMs).toBe(0);
  });

  it("stsRequestsPerSecond must be above 0: 0 and -1 are refused", () => {
    for (const bad of [0, -1]) {
      expect(() => resolve({ stsRequestsPerSecond: bad })).toThrow(RangeError);
      expect(() => resolve({ stsRequestsPerSecond: bad })).toThrow(/stsRequestsPerSecond/);
    }
    expect(resolve({ stsRequestsPerSecond: 0.5, stsBurst: 1 }).bucket.targetRate).toBe(0.5);
  });

  it("stsBurst must be at least 1: 0.5 is refused, 1 kept", () => {
    expect(() => resolve({ stsBurst: 0.5 })).toThrow(RangeError);
    expect(() => resolve({ stsBurst: 0.5 })).toThrow(/stsBurst/);
    expect(resolve({ stsBurst: 1 }).bucket.burst).toBe(1);
  });

  it("with an stsBudget, stsBurst (alone) is refused too; a budget that is null is refused as not a budget", () => {
    expect(() => resolve({ stsBudget: budget, stsBurst: 5 })).toThrow(TypeError);
    expect(() => resolve({ stsBudget: budget, stsBurst: 5 })).toThrow(/stsBurst belong to the stsBudget/);
    expect(() => resolve({ stsBudget: null as unknown as StsBudget })).toThrow(/stsBudget must be a budget from createRedisStsBudget/);
    expect(resolve({ stsBudget: budget }).bucket).toMatchObject({ targetRate: 100, burst: 10 });
  });

  it("random must be a function when given", () => {
    expect(() => resolve({ random: 0.5 as unknown as () => number })).toThrow(TypeError);
    expect(() => resolve({ random: 0.5 as unknown as () => number })).toThrow(/random must be a function/);
  });

  it("serviceName from OTEL_SERVICE_NAME is trimmed; a blank one falls back to awscreds", () => {
    expect(resolve({}, { OTEL_SERVICE_NAME: "  billing-api \n" }).serviceName).toBe("billing-api");
    expect(resolve({}, { OTEL_SERVICE_NAME: "   " }).serviceName).toBe("awscreds");
  });
});
