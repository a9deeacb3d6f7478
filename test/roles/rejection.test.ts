/**
 * A role-cache tenant's client recovers from credentials AWS rejects while they look valid (issue 20):
 * `provider.attach(client)`; the next request succeeds with one AssumeRole; 50 at once share it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createAssumeRoleCache, type AssumeRoleCache } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
let queueUrl: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  restoreEnv = isolateEnv();
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 2);
  // Tenant 0 sends to a queue of its own account (the fake SQS keeps accounts apart).
  queueUrl = fake.sqs.createQueue("tenant-rejection", {}, tenantRole(0).roleArn.split(":")[4]);
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  fake.sts.faults.restore();
});
afterAll(async () => {
  await fake.close();
  restoreEnv();
});

function roles(logger = recordingLogger()): AssumeRoleCache {
  const cache = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", logger });
  cleanups.push(() => cache.stop());
  return cache;
}
const assumeRoleCalls = (): number => fake.sts.count("AssumeRole");

function tenantSqs(): SQSClient {
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint });
  cleanups.push(() => client.destroy());
  return client;
}
const send = (sqs: SQSClient, body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

describe("role-cache provider: invalidate() and attach()", () => {
  it("a tenant's client: after fake.expireCredentials(key), the next request succeeds with one AssumeRole", async () => {
    const logger = recordingLogger();
    const provider = roles(logger).provider(tenantRole(0));
    const sqs = provider.attach(tenantSqs());
    await send(sqs, "first");
    const key = (await provider()).accessKeyId;
    const before = assumeRoleCalls();
    fake.expireCredentials(key);

    const failures: unknown[] = [];
    for (let i = 0; i < 10; i++) await send(sqs, `after ${i}`).catch((e: unknown) => failures.push(e));

    expect(failures).toEqual([]);
    expect(assumeRoleCalls() - before).toBe(1);
    expect((await provider()).accessKeyId).not.toBe(key);
    expect(provider.describe().lastRejection).toMatchObject({ code: "ExpiredToken" });
    expect(logger.lines.some((l) => /AWS rejected credentials .* of arn:aws:iam::200000000000:role\/saas-access/.test(l))).toBe(true);
  });

  it("50 requests of one tenant rejected at once: one AssumeRole; another tenant is not touched", async () => {
    const cache = roles();
    const provider = cache.provider(tenantRole(0));
    const other = cache.provider(tenantRole(1));
    const sqs = provider.attach(tenantSqs());
    const otherKey = (await other()).accessKeyId;
    const key = (await provider()).accessKeyId;
    fake.sts.faults.setLatency(200);
    const before = assumeRoleCalls();
    fake.expireCredentials(key);

    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => send(sqs, `burst ${i}`)));

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(assumeRoleCalls() - before).toBe(1);
    expect((await other()).accessKeyId).toBe(otherKey);
  });

  it("invalidate() of credentials no longer held fetches nothing; a second rejection within the interval is not fetched and says why", async () => {
    const provider = roles().provider(tenantRole(0));
    const first = (await provider()).accessKeyId;
    const renewed = await provider.invalidate(first, { code: "ExpiredToken" });
    expect(renewed).toEqual({ replaced: true, fetched: true });
    const before = assumeRoleCalls();

    expect(await provider.invalidate(first)).toEqual({ replaced: true, fetched: false });
    const second = (await provider()).accessKeyId;
    const blocked = await provider.invalidate(second, { code: "InvalidClientTokenId" });

    expect(blocked.replaced).toBe(false);
    expect(blocked.reason).toMatch(/at most one such fetch per 30000 ms/);
    expect(assumeRoleCalls() - before).toBe(0);
  });
});
