/**
 * A role-cache tenant's credentials seen as AWS sees them (issue 20): credentials within the mandatory
 * window of expiry are not handed out while an AssumeRole can replace them, and once a client attached to
 * a role measured AWS's clock ahead of ours, expiry is judged on AWS's clock.
 *
 * Only `Date` is faked, and frozen (real timers, real HTTP): the fakes and the cache read the same clock,
 * so moving it to the edge of expiry takes no waiting. The schedule has no lead, so no background refresh replaces the
 * credentials first: what is measured is the mandatory window alone.
 */
import { SendMessageCommand, SQSClient, type ServiceInputTypes, type ServiceOutputTypes } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { awsClockAhead } from "../support/aws-clock.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

const NO_LEAD = { minLeadMs: 0, maxLeadMs: 0, minLeadFraction: 0, maxLeadFraction: 0 };
const SKEW_MS = 10 * 60_000;

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
let queueUrl: string;
const cleanups: (() => void)[] = [];

const T0 = Date.now();

beforeAll(async () => {
  restoreEnv = isolateEnv();
  // Before the fakes start: they read the clock they find (\`Date.now\`), the faked one.
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 1);
  queueUrl = fake.sqs.createQueue("tenant-window", {}, tenantRole(0).roleArn.split(":")[4]);
});
beforeEach(() => {
  vi.setSystemTime(T0);
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  fake.sts.faults.restore();
});
afterAll(async () => {
  await fake.close();
  vi.useRealTimers();
  restoreEnv();
});

function roles(options: Partial<AssumeRoleCacheOptions> = {}): AssumeRoleCache {
  const cache = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", schedule: NO_LEAD, ...options });
  cleanups.push(() => cache.stop());
  return cache;
}
function tenantSqs(skewMs = 0): SQSClient {
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, maxAttempts: 1 });
  client.middlewareStack.add(awsClockAhead<ServiceInputTypes, ServiceOutputTypes>(skewMs), { step: "deserialize", priority: "low", name: "testAwsClock" });
  cleanups.push(() => client.destroy());
  return client;
}
const send = (sqs: SQSClient, body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
const assumeRoleCalls = (): number => fake.sts.count("AssumeRole");
const sendsSignedWith = (key: string) => fake.sqs.calls.filter((c) => c.action === "SendMessage" && c.accessKeyId === key);

describe("role cache: the mandatory window", () => {
  it("30 s before expiry (1-hour credentials), a tenant's request is signed with new credentials, one AssumeRole", async () => {
    const provider = roles().provider(tenantRole(0));
    const sqs = provider.attach(tenantSqs());
    const first = await provider();
    vi.setSystemTime(first.expiration!.getTime() - 61_000);
    await send(sqs, "outside the window");
    expect(sendsSignedWith(first.accessKeyId)).toHaveLength(1);
    const before = assumeRoleCalls();

    vi.setSystemTime(first.expiration!.getTime() - 30_000);
    await send(sqs, "inside the window");

    expect(sendsSignedWith(first.accessKeyId)).toHaveLength(1);
    expect(assumeRoleCalls() - before).toBe(1);
    expect((await provider()).accessKeyId).not.toBe(first.accessKeyId);
  });

  it("mandatoryWindowMs widens it (up to a tenth of the lifetime); 0 serves them to the last millisecond", async () => {
    const wide = roles({ mandatoryWindowMs: 5 * 60_000 }).provider(tenantRole(0));
    const first = await wide();
    vi.setSystemTime(first.expiration!.getTime() - 4 * 60_000);
    expect((await wide()).accessKeyId).not.toBe(first.accessKeyId);

    const none = roles({ mandatoryWindowMs: 0 }).provider(tenantRole(0));
    const held = await none();
    vi.setSystemTime(held.expiration!.getTime() - 1);
    expect((await none()).accessKeyId).toBe(held.accessKeyId);
    expect(() => roles({ mandatoryWindowMs: -1 })).toThrow(/mandatoryWindowMs must be a non-negative number of ms, got -1/);
  });

  it("if that AssumeRole fails, the held credentials are served until they expire (logged with when it retries), then the error", async () => {
    const logger = recordingLogger();
    const cache = roles({ logger });
    const provider = cache.provider(tenantRole(0));
    const first = await provider();
    fake.sts.faults.failNext(Infinity, { status: 503, code: "ServiceUnavailable" });
    vi.setSystemTime(first.expiration!.getTime() - 30_000);

    expect((await provider()).accessKeyId).toBe(first.accessKeyId);
    const entry = cache.status().entries![0]!;
    expect(entry).toMatchObject({ state: "degraded", failures: 1 });
    // While served, the retry is the entry's next refresh.
    const served = `awscreds: refreshing ${tenantRole(0).roleArn} failed; serving its credentials until ${first.expiration!.toISOString()} and retrying at ${entry.nextRefreshAt!.toISOString()}: `;
    expect(logger.lines.filter((l) => l.startsWith(served) && /ServiceUnavailable/.test(l))).toHaveLength(1);
    vi.setSystemTime(first.expiration!.getTime());
    await expect(provider()).rejects.toThrow(/ServiceUnavailable/);
  });
});

describe("role cache: expiry on AWS's clock", () => {
  it("with AWS's clock 10 min ahead, an attached client's offset makes the cache replace credentials AWS considers expired: no ExpiredToken answer", async () => {
    const cache = roles();
    const provider = cache.provider(tenantRole(0));
    const sqs = provider.attach(tenantSqs(SKEW_MS));
    await send(sqs, "measures the offset");
    await send(sqs, "reports it to the provider");
    expect(Math.abs((cache.status().clockOffsetMs ?? 0) - SKEW_MS)).toBeLessThan(5_000);
    const first = await provider();
    const before = assumeRoleCalls();

    // 9.5 minutes before expiry by this host's clock: 30 s past it by AWS's, which rejects the key now.
    vi.setSystemTime(first.expiration!.getTime() - SKEW_MS + 30_000);
    fake.expireCredentials(first.accessKeyId);
    await send(sqs, "after AWS's expiry");

    const rejected = fake.sqs.calls.filter((c) => c.action === "SendMessage" && c.errorCode === "ExpiredToken");
    expect(rejected).toEqual([]);
    expect(assumeRoleCalls() - before).toBe(1);
    expect(cache.status().entries![0]).toMatchObject({ state: "fresh" });
  });
});
