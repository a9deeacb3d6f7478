/**
 * One fetch of a cached role through the rate budget (budgeted-fetch.ts), at its edges: how many attempts
 * Throttling, 5xx and refusals get, the backoff between attempts, what is shared with the fleet's budget, and
 * the words of a refusal another replica got. Real STS transport against the fake STS; the budget is a
 * recording link (an interface of ours, not the SDK); the backoff sleep is recorded and not waited for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { fetchThroughBudget, type BudgetedFetchDeps } from "../../src/roles/budgeted-fetch.js";
import { newEntry, type RoleEntry } from "../../src/roles/entry.js";
import type { RoleCacheCounters } from "../../src/roles/status.js";
import { tryNextLinkOf } from "../../src/shared/errors.js";
import type { StsBudgetLink, StsCallPriority } from "../../src/shared/sts-budget.js";
import { resolveAssumeRoleRequest } from "../../src/sources/assume-role-config.js";
import { createStsTransport, type StsTransport } from "../../src/sts/transport.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

// The backoff between attempts (the only sleep given `ref`): recorded, and not waited for.
const sleeps = vi.hoisted(() => [] as { ms: number; ref: boolean | undefined }[]);
vi.mock("node:timers/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:timers/promises")>();
  return {
    ...real,
    setTimeout: (ms: number, value?: unknown, options?: { ref?: boolean; signal?: AbortSignal }) => {
      if (options === undefined || !("ref" in options)) return real.setTimeout(ms, value, options);
      sleeps.push({ ms, ref: options.ref });
      return real.setTimeout(0, value);
    },
  };
});

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let transport: StsTransport;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 1);
  transport = createStsTransport({ region: fake.region, useFipsEndpoint: false, customEndpoint: `${fake.sts.endpoint}/`, logger: recordingLogger(), label: "Assume role" });
});
afterEach(() => {
  fake.sts.faults.restore();
  sleeps.splice(0);
  vi.restoreAllMocks();
});
afterAll(async () => {
  transport.destroy();
  await fake.close();
});

/** A budget link that grants at once and records what the fetch tells it. */
function recordingBudget(fleetRefusal?: string) {
  const seen = {
    acquired: [] as { priority: StsCallPriority; weight: number | undefined }[],
    throttled: 0,
    asked: [] as string[],
    shared: [] as [string, string, number][],
  };
  const link: StsBudgetLink = {
    acquire: async (priority, weight) => void seen.acquired.push({ priority, weight: weight?.() }),
    nudge: () => undefined,
    throttled: () => void (seen.throttled += 1),
    accepted: () => undefined,
    status: () => ({ targetPerSecond: 50, currentPerSecond: 25, pausedUntil: undefined, waitingDemand: 0, waitingBackground: 0 }),
    stop: () => undefined,
    sharedRefusal: async (key) => {
      seen.asked.push(key);
      return fleetRefusal;
    },
    shareRefusal: (key, code, ttlMs) => void seen.shared.push([key, code, ttlMs]),
  };
  return { link, seen };
}

function deps(budget: StsBudgetLink, overrides: Partial<BudgetedFetchDeps> = {}): BudgetedFetchDeps & { logger: ReturnType<typeof recordingLogger> } {
  const counters: RoleCacheCounters = { hits: 0, misses: 0, coalesced: 0, negativeHits: 0, backoffHits: 0, evictions: 0, stsCalls: 0, throttled: 0, failures: 0 };
  return {
    transport,
    source: async () => keys,
    budget,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150 },
    counters,
    random: () => 0.5,
    stopped: () => false,
    stoppedError: () => new Error("the cache was stopped"),
    clampsLogged: new Set(),
    throttleLog: { at: -Infinity },
    negativeTtlMs: 60_000,
    ...overrides,
    logger: recordingLogger(),
  };
}

function entry(withExternalId = true): RoleEntry {
  const { roleArn, externalId } = tenantRole(0);
  const spec = withExternalId ? { roleArn, externalId, roleSessionName: "edges" } : { roleArn, roleSessionName: "edges" };
  return newEntry("tenant-0-key", resolveAssumeRoleRequest(spec, () => "edges", "test"), Date.now());
}

/** What `fetch` failed with (a fetch that succeeds fails the test). */
const failure = (fetch: Promise<unknown>): Promise<Error> =>
  fetch.then(
    () => Promise.reject(new Error("expected the fetch to fail")),
    (error: unknown) => error as Error,
  );

describe("fetchThroughBudget: attempts", () => {
  it("Throttling: 8 attempts, each through the budget (which is told each time), then the caller gets it", async () => {
    const { link, seen } = recordingBudget();
    fake.sts.faults.failNext(20, { status: 400, code: "Throttling" });
    await expect(fetchThroughBudget(entry(), "demand", deps(link))).rejects.toThrow(/Throttling/);
    expect(seen.acquired).toHaveLength(8);
    expect(seen.throttled).toBe(8);
  });

  it("Throttling stops once the cache is stopped: no further attempt", async () => {
    const { link, seen } = recordingBudget();
    let stopped = false;
    fake.sts.faults.failNext(20, { status: 400, code: "Throttling" });
    const d = deps(link, { stopped: () => stopped });
    link.throttled = () => void (stopped = true);
    await expect(fetchThroughBudget(entry(), "demand", d)).rejects.toThrow(/Throttling/);
    expect(seen.acquired).toHaveLength(1);
  });

  it("logs the throttling once per 10 s, however many attempts STS throttles; at exactly 10 s since the last, not yet", async () => {
    const { link } = recordingBudget();
    fake.sts.faults.failNext(20, { status: 400, code: "Throttling" });
    const first = deps(link);
    await expect(fetchThroughBudget(entry(), "demand", first)).rejects.toThrow(/Throttling/);
    expect(first.logger.lines.filter((l) => /STS throttled AssumeRole; the role cache slows to 25\/s \(of 50\/s\)/.test(l))).toHaveLength(1);

    fake.sts.faults.restore();
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now);
    fake.sts.faults.failNext(1, { status: 400, code: "Throttling" });
    const edge = deps(link, { throttleLog: { at: now - 10_000 } });
    await fetchThroughBudget(entry(), "demand", edge);
    expect(edge.logger.lines).toEqual([]);
  });

  it("a 5xx is retried up to retry.maxAttempts, with full-jitter exponential backoff capped at maxDelayMs", async () => {
    const { link, seen } = recordingBudget();
    fake.sts.faults.failNext(20, { status: 503, code: "ServiceUnavailable" });
    await expect(fetchThroughBudget(entry(), "demand", deps(link))).rejects.toThrow(/ServiceUnavailable/);
    expect(seen.acquired).toHaveLength(3);
    // random() 0.5 of min(150, 100 * 2^(attempt-1)): 100, then 150 (capped).
    expect(sleeps.map((s) => s.ms)).toEqual([50, 75]);
  });

  it("a 5xx then success: the fetch returns the credentials of the third attempt", async () => {
    const { link, seen } = recordingBudget();
    fake.sts.faults.failNext(2, { status: 500, code: "InternalFailure" });
    const credentials = await fetchThroughBudget(entry(), "demand", deps(link));
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(seen.acquired).toHaveLength(3);
  });

  it("InvalidIdentityToken and refusals are not retried", async () => {
    for (const code of ["InvalidIdentityToken", "AccessDenied"]) {
      const { link, seen } = recordingBudget();
      fake.sts.faults.failNext(20, { status: 400, code });
      await expect(fetchThroughBudget(entry(), "demand", deps(link))).rejects.toThrow(new RegExp(code));
      expect(seen.acquired).toHaveLength(1);
      fake.sts.faults.restore();
    }
  });

  it("a waiting caller's backoff keeps the process alive (ref); a background refresh's does not", async () => {
    for (const priority of ["demand", "background"] as const) {
      fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
      await fetchThroughBudget(entry(), priority, deps(recordingBudget().link));
    }
    expect(sleeps.map((s) => s.ref)).toEqual([true, false]);
  });

  it("each attempt waits for the budget with the entry's priority and its callers as weight", async () => {
    const { link, seen } = recordingBudget();
    const e = entry();
    e.waiting = 3;
    await fetchThroughBudget(e, "background", deps(link));
    expect(seen.acquired).toEqual([{ priority: "background", weight: 3 }]);
  });

  it("a cache stopped while the fetch waited for the budget: the stopped error, no STS call", async () => {
    const { link } = recordingBudget();
    const before = fake.sts.count("AssumeRole");
    await expect(fetchThroughBudget(entry(), "demand", deps(link, { stopped: () => true }))).rejects.toThrow("the cache was stopped");
    expect(fake.sts.count("AssumeRole")).toBe(before);
  });
});

describe("fetchThroughBudget: refusals shared with the fleet", () => {
  it("STS's refusal is shared for negativeTtlMs; a 5xx is not", async () => {
    const { link, seen } = recordingBudget();
    fake.sts.faults.failNext(1, { status: 403, code: "AccessDenied" });
    await expect(fetchThroughBudget(entry(), "demand", deps(link))).rejects.toThrow(/AccessDenied/);
    expect(seen.shared).toEqual([["tenant-0-key", "AccessDenied", 60_000]]);

    fake.sts.faults.failNext(20, { status: 503, code: "ServiceUnavailable" });
    await expect(fetchThroughBudget(entry(), "demand", deps(link))).rejects.toThrow(/ServiceUnavailable/);
    expect(seen.shared).toHaveLength(1);
  });

  it("negativeTtlMs 0: the fleet's refusal is not asked for, and STS's is not shared", async () => {
    const { link, seen } = recordingBudget("AccessDenied");
    await expect(fetchThroughBudget(entry(), "demand", deps(link, { negativeTtlMs: 0 }))).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(seen.asked).toEqual([]);

    fake.sts.faults.failNext(1, { status: 403, code: "AccessDenied" });
    await expect(fetchThroughBudget(entry(), "demand", deps(link, { negativeTtlMs: 0 }))).rejects.toThrow(/AccessDenied/);
    expect(seen.shared).toEqual([]);
  });

  it("another replica's refusal: a final error naming the code and what to check (the ExternalId when there is one), no STS call", async () => {
    const { link } = recordingBudget("AccessDenied");
    const before = fake.sts.count("AssumeRole");
    const withId = await failure(fetchThroughBudget(entry(), "demand", deps(link)));
    expect(withId.message).toMatch(/STS refused AssumeRole with AccessDenied to another replica/);
    expect(withId.message).toContain(`its sts:ExternalId condition against "${tenantRole(0).externalId}") and the request.`);
    expect(tryNextLinkOf(withId)).toBe(false);

    const without = await failure(fetchThroughBudget(entry(false), "demand", deps(link)));
    expect(without.message).toContain("(the principal, and its sts:ExternalId condition) and the request.");
    expect(fake.sts.count("AssumeRole")).toBe(before);
  });
});
