/**
 * Issue 25, defect 4, end to end through `createAssumeRoleCache` and the fake STS: a role whose credentials
 * expired while its background refresh waited in the rate budget goes as demand as soon as callers with
 * nothing to serve join it — ahead of other roles' background refreshes queued before it.
 *
 * Real timers (the fetches are real HTTP); the budget (0.5 STS calls/s) makes each token 2 s apart, and the
 * test asserts an order (how many of the other roles' refreshes still wait when the callers are answered),
 * never a duration.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAssumeRoleCache } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = isolateEnv();
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 6);
  fake.sts.setCredentialLifetime(4);
});
afterAll(async () => {
  await fake.close();
  restoreEnv();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("20 callers of a role whose credentials expired while its refresh was queued are served before the refreshes queued ahead of it", async () => {
  const cache = createAssumeRoleCache({
    source: async () => keys,
    region: fake.region,
    endpoint: fake.sts.endpoint,
    stsRequestsPerSecond: 0.5,
    stsBurst: 6,
    // Every refresh at 70% of the lifetime: the five other roles' refreshes come due (and queue) before A's.
    schedule: { minLeadFraction: 0.3, maxLeadFraction: 0.3, minDelayMs: 0 },
  });
  try {
    const others = [1, 2, 3, 4, 5].map((n) => cache.provider(tenantRole(n)));
    await Promise.all(others.map((p) => p()));
    await sleep(1_200);
    const a = cache.provider(tenantRole(0));
    const first = await a();
    for (const p of [...others, a]) await p(); // in use: each gets its background refresh

    // A's refresh is queued behind the others' (one token per 2 s) when its credentials expire.
    while (Date.now() < first.expiration!.getTime() + 50) await sleep(50);
    const roleA = tenantRole(0).roleArn;
    const stateOf = (arn: string) => cache.status().entries!.find((e) => e.roleArn === arn)!.state;
    expect(stateOf(roleA)).toBe("pending");
    expect(cache.status().rate.waitingBackground).toBeGreaterThanOrEqual(3);

    const answered = await Promise.all(Array.from({ length: 20 }, () => a()));
    // The others' refreshes not done yet (their credentials expired meanwhile too: nobody asked for them).
    const stillWaiting = cache.status().entries!.filter((e) => e.roleArn !== roleA && (e.state === "pending" || e.state === "refreshing")).length;

    for (const c of answered) expect(c.accessKeyId).not.toBe(first.accessKeyId);
    // Without the promotion A's refresh would go last, after every other one (0 still waiting).
    expect(stillWaiting).toBeGreaterThanOrEqual(2);
  } finally {
    cache.stop();
  }
}, 40_000);
