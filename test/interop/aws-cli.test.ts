/**
 * The AWS CLI from Debian (awscli 2.9, botocore inside): STS and SQS with `--endpoint-url` on every call
 * (this CLI ignores `AWS_ENDPOINT_URL_*`), errors as the CLI prints them, and the IMDS / container chains.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { awsCli, keyEnv } from "./support/clients.js";

let fake: FakeAws;
let keys: KnownCredentials;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/cli" });
});
afterAll(() => fake.close());

const sts = (args: string[], env: Record<string, string | undefined> = keyEnv(keys)) =>
  awsCli(["sts", ...args, "--endpoint-url", fake.sts.endpoint, "--region", fake.region], env);
const sqs = (args: string[]) => awsCli(["sqs", ...args, "--endpoint-url", fake.sqs.endpoint, "--region", fake.region], keyEnv(keys));

describe("AWS CLI × STS", () => {
  it("get-caller-identity", async () => {
    const out = await sts(["get-caller-identity"]);
    expect(out.json).toMatchObject({ Arn: keys.arn, Account: "123456789012" });
  });
  it("assume-role", async () => {
    const out = await sts(["assume-role", "--role-arn", "arn:aws:iam::123456789012:role/cli", "--role-session-name", "cli"]);
    expect(out.json).toMatchObject({ AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/cli/cli" } });
  });
  it("assume-role-with-web-identity (unsigned: no credentials in the environment)", async () => {
    const out = await sts(["assume-role-with-web-identity", "--role-arn", "arn:aws:iam::123456789012:role/cli", "--role-session-name", "irsa", "--web-identity-token", makeFakeWebIdentityToken()], {});
    expect(out.json).toMatchObject({ AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/cli/irsa" } });
  });
  it("get-session-token", async () => {
    const out = await sts(["get-session-token", "--duration-seconds", "900"]);
    expect(out.json).toMatchObject({ Credentials: { AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/) } });
  });
  it("get-access-key-info", async () => {
    expect((await sts(["get-access-key-info", "--access-key-id", keys.accessKeyId])).json).toEqual({ Account: "123456789012" });
  });
  it("errors: the code and the fake's message on stderr, non-zero exit", async () => {
    const out = await sts(["assume-role", "--role-arn", "arn:aws:iam::123456789012:role/cli", "--role-session-name", "xx", "--policy", "{nope"]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("An error occurred (MalformedPolicyDocument) when calling the AssumeRole operation: Syntax errors in policy.");
    const denied = await sts(["get-caller-identity"], keyEnv({ ...keys, secretAccessKey: "wrong" }));
    expect(denied.stderr).toContain("(SignatureDoesNotMatch)");
  });
});

describe("AWS CLI × SQS (Query protocol)", () => {
  it("create-queue, send-message, send-message-batch, receive-message (long poll), delete-message", async () => {
    const created = await sqs(["create-queue", "--queue-name", "cli-q", "--attributes", "VisibilityTimeout=13"]);
    const url = created.json?.QueueUrl as string;
    expect(url).toBe(fake.sqs.queueUrl("cli-q"));
    expect((await sqs(["send-message", "--queue-url", url, "--message-body", "from the cli", "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}'])).json).toMatchObject({ MessageId: expect.any(String) });
    expect((await sqs(["send-message-batch", "--queue-url", url, "--entries", "Id=1,MessageBody=b1", "Id=2,MessageBody=b2"])).json).toMatchObject({ Successful: [{ Id: "1" }, { Id: "2" }] });
    const got = await sqs(["receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--wait-time-seconds", "2", "--message-attribute-names", "All"]);
    const messages = got.json?.Messages as { Body: string; ReceiptHandle: string }[];
    expect(messages.map((m) => m.Body).sort()).toEqual(["b1", "b2", "from the cli"]);
    for (const m of messages) expect((await sqs(["delete-message", "--queue-url", url, "--receipt-handle", m.ReceiptHandle])).code).toBe(0);
    expect(fake.sqs.messageCount("cli-q")).toBe(0);
  });
  it("change-message-visibility, get/set-queue-attributes, purge-queue", async () => {
    const url = fake.sqs.createQueue("cli-attrs");
    fake.sqs.sendMessage("cli-attrs", "x");
    const got = await sqs(["receive-message", "--queue-url", url]);
    const handle = (got.json?.Messages as { ReceiptHandle: string }[])[0]!.ReceiptHandle;
    expect((await sqs(["change-message-visibility", "--queue-url", url, "--receipt-handle", handle, "--visibility-timeout", "0"])).code).toBe(0);
    expect(fake.sqs.counts("cli-attrs").visible).toBe(1);
    expect((await sqs(["set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=4"])).code).toBe(0);
    expect((await sqs(["get-queue-attributes", "--queue-url", url, "--attribute-names", "DelaySeconds", "ApproximateNumberOfMessages"])).json).toEqual({
      Attributes: { DelaySeconds: "4", ApproximateNumberOfMessages: "1" },
    });
    expect((await sqs(["purge-queue", "--queue-url", url])).code).toBe(0);
    expect(fake.sqs.messageCount("cli-attrs")).toBe(0);
  });
  it("errors: QueueDoesNotExist as the CLI prints it", async () => {
    const out = await sqs(["get-queue-url", "--queue-name", "nope"]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.");
  });
});

describe("AWS CLI × credential chains", () => {
  it("IMDSv2 instance role", async () => {
    const out = await sts(["get-caller-identity"], { AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.env.AWS_EC2_METADATA_SERVICE_ENDPOINT });
    expect(out.json?.Arn).toMatch(/:assumed-role\/fake-instance-role\//);
  });
  it("container endpoint (ECS task role / EKS Pod Identity)", async () => {
    const out = await sts(["get-caller-identity"], {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(out.json?.Arn).toMatch(/:assumed-role\/fake-task-role\//);
  });
});
