/**
 * aws-sdk v2, both eras: 2.1400 (SQS over Query) and 2.1693 (SQS over JSON), pinned as npm aliases.
 * STS (every action, presigned, errors → `err.code`), SQS, and v2's own IMDS and container providers.
 */
import AWSQuery from "aws-sdk-v2-query";
import AWSJson from "aws-sdk-v2-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";

type V2 = typeof AWSQuery;
const SDKS: [string, V2, "query" | "json"][] = [
  ["aws-sdk 2.1400", AWSQuery, "query"],
  ["aws-sdk 2.1693", AWSJson as unknown as V2, "json"],
];
const ROLE = "arn:aws:iam::123456789012:role/v2";

let fake: FakeAws;
let keys: KnownCredentials;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/v2" });
});
afterAll(() => fake.close());

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; statusCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; statusCode?: number };
  }
  throw new Error("expected the call to fail");
}

for (const [name, AWS, sqsProtocol] of SDKS) {
  const credentials = (k: Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken"> = keys) =>
    new AWS.Credentials(k.accessKeyId, k.secretAccessKey, k.sessionToken);
  const sts = (k?: Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken">) =>
    new AWS.STS({ region: fake.region, endpoint: fake.sts.endpoint, credentials: credentials(k), maxRetries: 0 });
  const sqs = () => new AWS.SQS({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: credentials(), maxRetries: 0 });

  describe(`${name} × STS`, () => {
    it("GetCallerIdentity", async () => {
      expect(await sts().getCallerIdentity().promise()).toMatchObject({ Arn: keys.arn, Account: "123456789012" });
    });
    it("AssumeRole", async () => {
      const out = await sts().assumeRole({ RoleArn: ROLE, RoleSessionName: "v2", DurationSeconds: 900 }).promise();
      expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::123456789012:assumed-role/v2/v2");
    });
    it("AssumeRoleWithWebIdentity", async () => {
      const client = new AWS.STS({ region: fake.region, endpoint: fake.sts.endpoint, maxRetries: 0 });
      const out = await client.assumeRoleWithWebIdentity({ RoleArn: ROLE, RoleSessionName: "irsa", WebIdentityToken: makeFakeWebIdentityToken() }).promise();
      expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    });
    it("GetSessionToken and GetAccessKeyInfo", async () => {
      const session = await sts().getSessionToken({ DurationSeconds: 900 }).promise();
      const c = session.Credentials!;
      const who = await sts({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }).getCallerIdentity().promise();
      expect(who.Arn).toBe(keys.arn);
      expect((await sts().getAccessKeyInfo({ AccessKeyId: c.AccessKeyId }).promise()).Account).toBe("123456789012");
    });
    it("presigned GetCallerIdentity (request.presign)", async () => {
      // presign() is on every v2 request; its typings only declare it for S3.
      const url = (sts().getCallerIdentity() as unknown as { presign(expires: number): string }).presign(60);
      expect(url).toContain("X-Amz-Signature=");
      const good = await fetch(url);
      expect(good.status).toBe(200);
      expect(await good.text()).toContain(`<Arn>${keys.arn}</Arn>`);
      const bad = await fetch(url.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=900"));
      expect(await bad.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    });
    it("errors: err.code and the fake's message (MalformedPolicyDocument, ValidationError, InvalidClientTokenId)", async () => {
      expect(await failure(sts().assumeRole({ RoleArn: ROLE, RoleSessionName: "v2", Policy: "{nope" }).promise())).toMatchObject({
        code: "MalformedPolicyDocument",
        statusCode: 400,
        message: "Syntax errors in policy.",
      });
      expect(await failure(sts().assumeRole({ RoleArn: "arn:aws:iam::123456789012:user/u1234567", RoleSessionName: "v2" }).promise())).toMatchObject({ code: "ValidationError" });
      expect(await failure(sts({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" }).getCallerIdentity().promise())).toMatchObject({ code: "InvalidClientTokenId", statusCode: 403 });
    });
  });

  describe(`${name} × SQS (${sqsProtocol})`, () => {
    const queue = `v2-${sqsProtocol}`;
    it("CreateQueue, GetQueueAttributes, SetQueueAttributes", async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: queue, Attributes: { VisibilityTimeout: "9" } }).promise();
      expect(QueueUrl).toBe(fake.sqs.queueUrl(queue));
      expect(fake.sqs.calls.at(-1)?.details.protocol).toBe(sqsProtocol === "query" ? "query" : undefined);
      await sqs().setQueueAttributes({ QueueUrl: QueueUrl!, Attributes: { DelaySeconds: "0" } }).promise();
      expect((await sqs().getQueueAttributes({ QueueUrl: QueueUrl!, AttributeNames: ["VisibilityTimeout"] }).promise()).Attributes).toEqual({ VisibilityTimeout: "9" });
    });
    it("SendMessage, SendMessageBatch, ReceiveMessage (long poll), ChangeMessageVisibility, DeleteMessage, PurgeQueue", async () => {
      const url = fake.sqs.queueUrl(queue);
      await sqs().sendMessage({ QueueUrl: url, MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }).promise();
      const batch = await sqs().sendMessageBatch({ QueueUrl: url, Entries: [{ Id: "a", MessageBody: "two" }] }).promise();
      expect(batch.Successful).toHaveLength(1);
      const got = await sqs().receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageAttributeNames: ["All"] }).promise();
      expect(got.Messages?.map((m) => m.Body).sort()).toEqual(["one", "two"]);
      const [first, second] = got.Messages!;
      await sqs().changeMessageVisibility({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle!, VisibilityTimeout: 60 }).promise();
      await sqs().deleteMessage({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle! }).promise();
      expect(fake.sqs.counts(queue)).toMatchObject({ inFlight: 1, total: 1 });
      await sqs().purgeQueue({ QueueUrl: url }).promise();
      expect(fake.sqs.messageCount(queue)).toBe(0);
    });
    it("errors: QueueDoesNotExist with its legacy code", async () => {
      expect(await failure(sqs().getQueueUrl({ QueueName: "nope" }).promise())).toMatchObject({
        code: "AWS.SimpleQueueService.NonExistentQueue",
        statusCode: 400,
        message: "The specified queue does not exist.",
      });
    });
  });

  describe(`${name} × credential providers`, () => {
    it("EC2MetadataCredentials (IMDSv2) with the endpoint fake.env gives (trailing slash)", async () => {
      const provider = new AWS.EC2MetadataCredentials({ endpoint: fake.env.AWS_EC2_METADATA_SERVICE_ENDPOINT, maxRetries: 0 } as never);
      await provider.getPromise();
      expect(provider.accessKeyId).toMatch(/^ASIA/);
      const who = await new AWS.STS({ region: fake.region, endpoint: fake.sts.endpoint, credentials: provider, maxRetries: 0 }).getCallerIdentity().promise();
      expect(who.Arn).toMatch(/:assumed-role\/fake-instance-role\//);
    });
    it("ECSCredentials (container endpoint, full URI + authorization token)", async () => {
      const saved = { ...process.env };
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = fake.container.credentialsUrl;
      process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = fake.container.authorizationToken;
      try {
        const provider = new AWS.ECSCredentials({ maxRetries: 0 });
        await provider.getPromise();
        const who = await new AWS.STS({ region: fake.region, endpoint: fake.sts.endpoint, credentials: provider, maxRetries: 0 }).getCallerIdentity().promise();
        expect(who.Arn).toMatch(/:assumed-role\/fake-task-role\//);
      } finally {
        for (const key of ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
    });
  });
}
