/**
 * The fake STS's per-role settings, session tags, source identity and rate limit, driven by the real
 * `@aws-sdk/client-sts` over HTTP: what a caller sees must be what real STS answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";

const ROLE = "arn:aws:iam::210987654321:role/saas-access";
const OTHER_ROLE = "arn:aws:iam::210987654321:role/reports";

let fake: FakeAws;
let keys: AwsCredentialIdentity;

const client = (credentials: AwsCredentialIdentity) =>
  new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials, maxAttempts: 1 });
const assume = (credentials: AwsCredentialIdentity, input: Partial<AssumeRoleCommandInput> = {}) =>
  client(credentials).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "billing-api@acme", ...input }));
async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected STS to refuse");
}

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/saas-service" });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.sts.setRateLimit(undefined);
  fake.sts.registerRole({ roleArn: ROLE, externalId: "acme-7f3k9", maxSessionDuration: 7200, trustedPrincipals: ["123456789012"] });
});

describe("registered roles: trust policy", () => {
  it("issues credentials to a trusted principal with the right ExternalId, and records what was sent", async () => {
    const out = await assume(keys, { ExternalId: "acme-7f3k9", DurationSeconds: 7200, SourceIdentity: "alice", Tags: [{ Key: "tenant", Value: "acme" }] });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const issued = fake.sts.issued.at(-1)!;
    expect(issued).toMatchObject({ roleArn: ROLE, externalId: "acme-7f3k9", durationSeconds: 7200, sourceIdentity: "alice", tags: { tenant: "acme" } });
    expect(issued.callerArn).toBe("arn:aws:iam::123456789012:user/saas-service");
  });

  it("denies a wrong or missing ExternalId with STS's AccessDenied, word for word", async () => {
    for (const ExternalId of ["acme-wrong", undefined]) {
      const error = await failure(assume(keys, { ExternalId }));
      expect(error).toEqual({
        name: "AccessDenied",
        status: 403,
        message: `User: arn:aws:iam::123456789012:user/saas-service is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      });
    }
  });

  it("denies a principal the trust policy does not name; admits a role's sessions when the role is named", async () => {
    const stranger = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/x" });
    fake.sts.registerRole({ roleArn: ROLE, trustedPrincipals: ["arn:aws:iam::999999999999:root"] });
    expect((await failure(assume(stranger))).name).toBe("AccessDenied");
    fake.sts.registerRole({ roleArn: OTHER_ROLE });
    const session = (await assume(keys, { RoleArn: OTHER_ROLE })).Credentials!;
    fake.sts.registerRole({ roleArn: ROLE, trustedPrincipals: [OTHER_ROLE] });
    const sessionCreds = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
    await expect(assume(sessionCreds)).resolves.toBeDefined();
    expect((await failure(assume(keys))).name).toBe("AccessDenied");
  });
});

describe("registered roles: session duration", () => {
  it("refuses DurationSeconds over the role's maximum with STS's ValidationError", async () => {
    const error = await failure(assume(keys, { ExternalId: "acme-7f3k9", DurationSeconds: 7201 }));
    expect(error).toEqual({ name: "ValidationError", status: 400, message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." });
  });

  it("a role nobody registered keeps the old behaviour; a registered one defaults to IAM's 3600", async () => {
    await expect(assume(keys, { RoleArn: "arn:aws:iam::210987654321:role/unregistered", DurationSeconds: 43_200 })).resolves.toBeDefined();
    fake.sts.registerRole({ roleArn: OTHER_ROLE });
    expect((await failure(assume(keys, { RoleArn: OTHER_ROLE, DurationSeconds: 3601 }))).name).toBe("ValidationError");
  });

  it("role chaining: over 3600 s is refused with STS's own message, 3600 is fine", async () => {
    fake.sts.registerRole({ roleArn: OTHER_ROLE, maxSessionDuration: 43_200 });
    const first = (await assume(keys, { RoleArn: OTHER_ROLE })).Credentials!;
    const chained = { accessKeyId: first.AccessKeyId!, secretAccessKey: first.SecretAccessKey!, sessionToken: first.SessionToken! };
    const error = await failure(assume(chained, { RoleArn: OTHER_ROLE, DurationSeconds: 7200 }));
    expect(error).toEqual({
      name: "ValidationError",
      status: 400,
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    await expect(assume(chained, { RoleArn: OTHER_ROLE, DurationSeconds: 3600 })).resolves.toBeDefined();
  });

  it("checks registerRole's own input", () => {
    expect(() => fake.sts.registerRole({ roleArn: "not-an-arn" })).toThrow(/not a role ARN/);
    expect(() => fake.sts.registerRole({ roleArn: ROLE, maxSessionDuration: 60 })).toThrow(/3600 to 43200/);
  });
});

describe("session tags and source identity: STS's limits", () => {
  const ok = { ExternalId: "acme-7f3k9" };
  it("refuses more than 50 tags, over-long keys and values, and a bad source identity in one ValidationError", async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const error = await failure(assume(keys, { ...ok, Tags: tags }));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toContain("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    const several = await failure(assume(keys, { ...ok, Tags: [{ Key: "k".repeat(129), Value: "v".repeat(257) }], SourceIdentity: "a" }));
    expect(several.message).toMatch(/^3 validation errors detected: /);
    expect(several.message).toContain("at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128");
    expect(several.message).toContain("at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256");
    expect(several.message).toContain("Value 'a' at 'sourceIdentity' failed to satisfy constraint: Member must have length greater than or equal to 2");
  });

  it("refuses duplicate keys (case-insensitive) and the reserved aws: prefix", async () => {
    expect((await failure(assume(keys, { ...ok, Tags: [{ Key: "Team", Value: "a" }, { Key: "team", Value: "b" }] }))).message).toContain("Duplicate tag keys");
    expect((await failure(assume(keys, { ...ok, Tags: [{ Key: "aws:team", Value: "a" }] }))).name).toBe("InvalidParameterValue");
  });

  it("accepts 50 tags at the limits, with transitive keys", async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `${i}`.padEnd(128, "k"), Value: "v".repeat(256) }));
    await expect(assume(keys, { ...ok, Tags: tags, TransitiveTagKeys: [tags[0]!.Key], SourceIdentity: "s".repeat(64) })).resolves.toBeDefined();
    expect(fake.sts.calls.at(-1)?.details).toMatchObject({ transitiveTagKeys: [tags[0]!.Key], sourceIdentity: "s".repeat(64) });
  });
});

describe("request-rate limit", () => {
  it("answers Throttling like STS once an account is over its rate, shared by AssumeRole and GetCallerIdentity", async () => {
    fake.sts.setRateLimit({ requestsPerSecond: 1, burst: 3 });
    const before = fake.sts.throttled;
    await assume(keys, { ExternalId: "acme-7f3k9" });
    await client(keys).send(new GetCallerIdentityCommand({}));
    await assume(keys, { ExternalId: "acme-7f3k9" });
    const error = await failure(client(keys).send(new GetCallerIdentityCommand({})));
    expect(error).toEqual({ name: "Throttling", status: 400, message: "Rate exceeded" });
    expect(fake.sts.throttled).toBe(before + 1);
    // Another account has its own bucket.
    const other = fake.registerStaticKeys({ arn: "arn:aws:iam::555555555555:user/o" });
    expect(other.account).toBe("555555555555");
    await expect(assume(other, { RoleArn: OTHER_ROLE })).resolves.toBeDefined();
    expect((await failure(assume(keys, { ExternalId: "acme-7f3k9" }))).name).toBe("Throttling");
  });
});
