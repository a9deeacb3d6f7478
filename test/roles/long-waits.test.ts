/**
 * Waits longer than setTimeout allows (2^31−1 ms): an `idleTtlMs` of a month is accepted and the cache's
 * scheduler sleeps, instead of waking every millisecond with a TimeoutOverflowWarning.
 */
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createAssumeRoleCache } from "../../src/roles/index.js";
import { OneTimer } from "../../src/roles/one-timer.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

const MONTH_MS = 31 * 24 * 3_600_000;
let fake: FakeAws;
let keys: AwsCredentialIdentity;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 1);
});
afterAll(() => fake.close());
afterEach(() => vi.useRealTimers());

it("a cache with idleTtlMs of a month serves a role with no TimeoutOverflowWarning and no busy scheduler", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(w.name);
  process.on("warning", onWarning);
  const roles = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, idleTtlMs: MONTH_MS });
  try {
    await roles.provider(tenantRole(0))();
    await new Promise((r) => setTimeout(r, 300));
    expect(warnings).not.toContain("TimeoutOverflowWarning");
    expect(roles.status()).toMatchObject({ size: 1, evictions: 0 });
  } finally {
    roles.stop();
    process.off("warning", onWarning);
  }
});

it("the one timer sleeps a month in steps, and fires once at the end", () => {
  vi.useFakeTimers({ now: 0 });
  const run = vi.fn();
  const timer = new OneTimer(run, Date.now, 100);
  timer.arm(MONTH_MS);
  vi.advanceTimersByTime(MONTH_MS - 1);
  expect(run).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1);
  expect(run).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(MONTH_MS);
  expect(run).toHaveBeenCalledTimes(1);
  timer.stop();
});
