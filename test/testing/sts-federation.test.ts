/**
 * STS GetFederationToken and AssumeRoleWithSAML on the fake, with the real v3 client; and a real STS
 * action the fake lacks answers as unsupported, not as one STS does not have.
 */
import {
  AssumeRoleWithSAMLCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFakeSamlAssertion } from "../../src/testing/core/saml.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { errorOf } from "./support/sdk-error.js";

const ROLE = "arn:aws:iam::111111111111:role/saml-admins";
const PROVIDER = "arn:aws:iam::111111111111:saml-provider/corp-idp";
let fake: FakeAws;
let keys: AwsCredentialIdentity;

const stsFor = (credentials?: AwsCredentialIdentity): STSClient =>
  new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, maxAttempts: 1, credentials: credentials ?? { accessKeyId: "unused", secretAccessKey: "unused" } });
const asIdentity = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): AwsCredentialIdentity => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: `arn:aws:iam::${fake.accountId}:user/proxy` });
});
afterAll(() => fake.close());

describe("GetFederationToken", () => {
  it("issues credentials of a federated user that the fakes accept", async () => {
    const out = await stsFor(keys).send(new GetFederationTokenCommand({ Name: "Bob", DurationSeconds: 900, Policy: '{"Version":"2012-10-17","Statement":[]}' }));
    expect(out.FederatedUser).toEqual({ FederatedUserId: `${fake.accountId}:Bob`, Arn: `arn:aws:sts::${fake.accountId}:federated-user/Bob` });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const who = await stsFor(asIdentity(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: fake.accountId, Arn: `arn:aws:sts::${fake.accountId}:federated-user/Bob`, UserId: `${fake.accountId}:Bob` });
    expect(fake.sts.issued.at(-1)).toMatchObject({ action: "GetFederationToken", roleSessionName: "Bob" });
  });

  it("refuses session credentials and bad names as STS does", async () => {
    const session = await stsFor(keys).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const withSession = await errorOf(stsFor(asIdentity(session.Credentials)).send(new GetFederationTokenCommand({ Name: "Bob" })));
    expect(withSession).toMatchObject({ name: "AccessDenied", message: "Cannot call GetFederationToken with session credentials" });
    const badName = await errorOf(stsFor(keys).send(new GetFederationTokenCommand({ Name: "x" })));
    expect(badName.name).toBe("ValidationError");
    expect(badName.message).toContain("'name' failed to satisfy constraint: Member must have length greater than or equal to 2");
  });
});

describe("AssumeRoleWithSAML", () => {
  it("issues the role's credentials (of the role's account) for a valid assertion, unsigned", async () => {
    const SAMLAssertion = makeFakeSamlAssertion({ roleArn: ROLE, principalArn: PROVIDER, subject: "alice@example.com", roleSessionName: "alice" });
    const out = await stsFor().send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE, PrincipalArn: PROVIDER, SAMLAssertion, DurationSeconds: 900 }));
    expect(out).toMatchObject({
      AssumedRoleUser: { Arn: "arn:aws:sts::111111111111:assumed-role/saml-admins/alice" },
      Subject: "alice@example.com",
      SubjectType: "persistent",
      Issuer: "https://idp.example.com/saml",
      Audience: "https://signin.aws.amazon.com/saml",
      NameQualifier: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
    });
    expect(fake.sts.calls.at(-1)?.accessKeyId).toBeUndefined();
    // The credentials are the role account's: the queue they create is that account's.
    const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: asIdentity(out.Credentials), maxAttempts: 1 });
    expect((await sqs.send(new CreateQueueCommand({ QueueName: "saml-made" }))).QueueUrl).toBe(fake.sqs.queueUrl("saml-made", "111111111111"));
  });

  it("rejects an expired assertion, another role, no session name, another audience and a non-SAML document", async () => {
    const send = (SAMLAssertion: string, RoleArn = ROLE) => errorOf(stsFor().send(new AssumeRoleWithSAMLCommand({ RoleArn, PrincipalArn: PROVIDER, SAMLAssertion })));
    expect((await send(makeFakeSamlAssertion({ roleArn: ROLE, principalArn: PROVIDER, notOnOrAfter: Date.now() - 1000 }))).name).toBe("ExpiredTokenException");
    const other = await send(makeFakeSamlAssertion({ roleArn: ROLE, principalArn: PROVIDER }), "arn:aws:iam::111111111111:role/other");
    expect(other).toMatchObject({ name: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithSAML" });
    expect((await send(makeFakeSamlAssertion({ roleArn: ROLE, principalArn: PROVIDER, roleSessionName: null }))).message).toBe("RoleSessionName is required in AuthnResponse");
    expect((await send(makeFakeSamlAssertion({ roleArn: ROLE, principalArn: PROVIDER, audience: "https://example.com" }))).name).toBe("InvalidIdentityTokenException");
    expect((await send(Buffer.from("<html>not saml</html>").toString("base64"))).name).toBe("InvalidIdentityTokenException");
  });
});

describe("actions the fake STS lacks", () => {
  it("a real STS action answers UnsupportedOperation, not InvalidAction", async () => {
    const error = await errorOf(stsFor(keys).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "abcd" })));
    expect(error).toMatchObject({ name: "UnsupportedOperation", message: "The fake STS does not implement DecodeAuthorizationMessage." });
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
