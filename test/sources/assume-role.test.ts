/**
 * fromRegionalAssumeRole: the real STS client against the fake STS, signed with a source's credentials.
 */
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createRefresher } from "../../src/refresh/index.js";
import type { Logger } from "../../src/shared/logger.js";
import { fromRegionalAssumeRole, type RegionalAssumeRoleOptions } from "../../src/sources/assume-role.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { createAssumeRoleCache } from "../../src/roles/index.js";
import { isolateEnv, rejection } from "./support/env.js";
import { watchFs } from "./support/fs-watch.js";

const ROLE = "arn:aws:iam::210987654321:role/saas-access";
const HOP = "arn:aws:iam::123456789012:role/saas-service";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;
const disposers: (() => void)[] = [];

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, debug: push, info: push, warn: push, error: push };
}

function assumeRole(options: Partial<RegionalAssumeRoleOptions> = {}) {
  const provider = fromRegionalAssumeRole({ roleArn: ROLE, externalId: "acme-7f3k9", source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, ...options });
  disposers.push(provider.destroy);
  return provider;
}

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/saas-service" });
});
afterAll(() => fake.close());
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
  fake.sts.clearCalls();
  fake.sts.registerRole({ roleArn: ROLE, externalId: "acme-7f3k9", maxSessionDuration: 7200, trustedPrincipals: ["123456789012"] });
  fake.sts.registerRole({ roleArn: HOP, maxSessionDuration: 43_200 });
});
afterEach(() => {
  while (disposers.length) disposers.pop()!();
  restoreEnv();
});

describe("inputs are checked against STS's limits at construction", () => {
  const bad: [Partial<RegionalAssumeRoleOptions>, RegExp][] = [
    [{ durationSeconds: 600 }, /durationSeconds must be an integer from 900 to 43200 \(STS's limit.*got 600/],
    [{ durationSeconds: 43_201 }, /from 900 to 43200/],
    [{ externalId: "x" }, /externalId must be 2 to 1224 characters long \(STS's limit\), got 1/],
    [{ externalId: "has space" }, /externalId may only contain/],
    [{ roleSessionName: "a".repeat(65) }, /roleSessionName must be 2 to 64 characters long/],
    [{ roleSessionName: "tenant/acme" }, /roleSessionName may only contain/],
    [{ policy: "x".repeat(2049) }, /policy must be 1 to 2048 characters long/],
    [{ policyArns: Array.from({ length: 11 }, () => ({ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })) }, /policyArns takes at most 10 managed policies \(STS's limit\), got 11/],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }, /tags takes at most 50 session tags \(STS's limit\), got 51/],
    [{ tags: { ["k".repeat(129)]: "v" } }, /tag key "k+" must be 1 to 128 characters long/],
    [{ tags: { team: "v".repeat(257) } }, /the value of tag "team" must be 0 to 256 characters long/],
    [{ tags: { Team: "a", team: "b" } }, /appears twice; session tag keys are case-insensitive/],
    [{ tags: { "aws:x": "a" } }, /starts with "aws:", which AWS reserves/],
    [{ tags: { team: "a" }, transitiveTagKeys: ["tenant"] }, /transitiveTagKeys names "tenant", which is not one of the tags/],
    [{ sourceIdentity: "a" }, /sourceIdentity must be 2 to 64 characters long/],
    [{ roleArn: "arn:aws:iam::210987654321:user/alice" }, /is not an IAM role ARN/],
    [{ region: "global" }, /STS is always called regionally/],
    [{ endpoint: "http://sts.example.com" }, /plain http to another host/],
  ];
  it.each(bad)("%o", (options, message) => {
    expect(() => assumeRole(options)).toThrow(message);
    expect(fake.sts.count()).toBe(0);
  });

  it("names a missing region and a missing source", () => {
    expect(() => fromRegionalAssumeRole({ roleArn: ROLE, source: async () => keys })).toThrow(/no region is configured for STS\. Set AWS_REGION/);
    expect(() => fromRegionalAssumeRole({ roleArn: ROLE, region: "eu-west-1" } as RegionalAssumeRoleOptions)).toThrow(/source must be a credential provider/);
  });

  it("lists every problem at once", () => {
    expect(() => assumeRole({ durationSeconds: 1, externalId: "x" })).toThrow(/externalId must be 2 to 1224.*; durationSeconds must be/);
  });
});

describe("AssumeRole on the wire", () => {
  it("sends every parameter, signed with the source's credentials, and returns the role's credentials", async () => {
    const provider = assumeRole({
      roleSessionName: "billing-api@acme",
      durationSeconds: 7200,
      tags: { tenant: "acme", plan: "gold" },
      transitiveTagKeys: ["tenant"],
      sourceIdentity: "billing-api",
      policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
    });
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.accountId).toBe("210987654321");
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
    const call = fake.sts.calls.at(-1)!;
    expect(call).toMatchObject({ action: "AssumeRole", status: 200, accessKeyId: keys.accessKeyId });
    expect(call.details).toMatchObject({
      roleArn: ROLE,
      roleSessionName: "billing-api@acme",
      externalId: "acme-7f3k9",
      durationSeconds: 7200,
      tags: { tenant: "acme", plan: "gold" },
      transitiveTagKeys: ["tenant"],
      sourceIdentity: "billing-api",
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    });
    expect(fake.sts.issued.at(-1)).toMatchObject({ accessKeyId: credentials.accessKeyId, callerArn: "arn:aws:iam::123456789012:user/saas-service" });
  });

  it("works as createRefresher's source, and a client signs with the tenant's credentials", async () => {
    const credentials = createRefresher(assumeRole());
    disposers.push(() => credentials.stop());
    await credentials.ready;
    // The tenant's queue, in the tenant's account: the fake SQS keeps accounts apart, as SQS does.
    const queueUrl = fake.sqs.createQueue("tenant-acme", {}, ROLE.split(":")[4]);
    const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
    disposers.push(() => sqs.destroy());
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
    const issued = fake.sts.issued.at(-1)!;
    expect(issued.roleArn).toBe(ROLE);
    expect(fake.sqs.calls.at(-1)).toMatchObject({ status: 200, accessKeyId: issued.accessKeyId });
  });

  it("role chaining: 7,200 s asked, 3,600 s sent, said once in the log", async () => {
    const hop = assumeRole({ roleArn: HOP, externalId: undefined });
    const logger = recordingLogger();
    const provider = assumeRole({ source: hop, durationSeconds: 7200, logger });
    await provider();
    await provider();
    const sent = fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.details.roleArn === ROLE).map((c) => [c.status, c.details.durationSeconds]);
    expect(sent).toEqual([
      [200, 3600],
      [200, 3600],
    ]);
    const clamps = logger.lines.filter((l) => l.includes("role chaining"));
    expect(clamps).toHaveLength(1);
    expect(clamps[0]).toContain("durationSeconds 7200 is sent as 3600");
    expect(provider.describe()).toMatchObject({ roleChaining: true, durationSeconds: 7200 });
  });

  it("without role chaining, the duration is sent as asked", async () => {
    const provider = assumeRole({ durationSeconds: 7200 });
    await provider();
    expect(fake.sts.calls.at(-1)?.details.durationSeconds).toBe(7200);
    expect(provider.describe().roleChaining).toBe(false);
  });
});

describe("failures say what to check", () => {
  it("a wrong ExternalId: the role, the ExternalId sent, the trust policy; never retried", async () => {
    const error = await rejection(() => assumeRole({ externalId: "acme-wrong" })());
    expect(error.name).toBe("CredentialsProviderError");
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain(`AssumeRole for ${ROLE} at ${fake.sts.endpoint}`);
    expect(error.message).toContain("failed after 1 attempt: AccessDenied (HTTP 403): User: arn:aws:iam::123456789012:user/saas-service is not authorized");
    expect(error.message).toContain('its sts:ExternalId condition equals "acme-wrong", the externalId sent');
    expect(error.message).toContain("trust policy");
    expect(fake.sts.count("AssumeRole")).toBe(1);
  });

  it("a duration over the role's maximum: STS's ValidationError and what to change", async () => {
    fake.sts.registerRole({ roleArn: ROLE, externalId: "acme-7f3k9", maxSessionDuration: 3600 });
    const error = await rejection(() => assumeRole({ durationSeconds: 7200 })());
    expect(error.message).toContain("ValidationError (HTTP 400): The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    expect(error.message).toContain("7200 s was asked for; it must not exceed the role's maximum session duration");
  });

  it("a failing source: says so, and STS is not called", async () => {
    const error = await rejection(() => assumeRole({ source: async () => Promise.reject(new Error("no keys here")) })());
    expect(error.message).toContain(`Assume role (${ROLE}): the source credentials that sign AssumeRole could not be resolved: no keys here`);
    expect(fake.sts.count()).toBe(0);
  });

  it("retries throttling and 5xx, then succeeds", async () => {
    fake.sts.faults.failNext(2, { status: 400, code: "Throttling" });
    await expect(assumeRole({ retry: { baseDelayMs: 1 } })()).resolves.toMatchObject({ accountId: "210987654321" });
    expect(fake.sts.count("AssumeRole")).toBe(3);
  });

  it("no secret of the source or of the role reaches the error, describe(), inspect or JSON", async () => {
    const provider = assumeRole();
    const credentials = await provider();
    fake.sts.faults.failNext(1, { status: 400, code: "ValidationError", message: `echo ${keys.secretAccessKey} ${keys.sessionToken ?? ""}` });
    const error = await rejection(() => provider());
    const texts = [error.message, inspect(error, { depth: 5, showHidden: true }), JSON.stringify(provider.describe()), inspect(provider.describe()), inspect(credentials), JSON.stringify(credentials)];
    for (const text of texts) {
      expect(text).not.toContain(keys.secretAccessKey);
      expect(text).not.toContain(credentials.secretAccessKey);
      expect(text).not.toContain(credentials.sessionToken);
    }
    expect(provider.describe()).toEqual({
      roleArn: ROLE,
      accountId: "210987654321",
      roleSessionName: expect.any(String),
      externalId: "acme-7f3k9",
      roleChaining: false,
      region: "us-east-1",
      endpoint: new URL(fake.sts.endpoint).href,
      useFipsEndpoint: false,
      failoverRegions: [],
      failedOver: false,
      endpoints: [{ region: "us-east-1", endpoint: new URL(fake.sts.endpoint).href, role: "primary", breaker: "closed", consecutiveFailures: 0 }],
    });
  });
});

describe("no file under ~/.aws", () => {
  it("building the client and signing AssumeRole (provider and cache) open nothing under HOME", async () => {
    const home = process.env.HOME!;
    const watch = watchFs([home]);
    try {
      await assumeRole()();
      const roles = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint });
      await roles.provider({ roleArn: ROLE, externalId: "acme-7f3k9", tenant: "t" })();
      roles.stop();
    } finally {
      watch.stop();
    }
    expect(watch.accesses).toEqual([]);
  });
});

describe("lifecycle", () => {
  it("destroy() and [Symbol.dispose] close the client; a later call builds a new one", async () => {
    const provider = assumeRole();
    await provider();
    provider.destroy();
    await expect(provider()).resolves.toBeDefined();
    provider[Symbol.dispose]();
    expect(fake.sts.count("AssumeRole")).toBe(2);
  });
});
