/**
 * botocore / boto3 from Debian (python3-boto3: boto3 1.26, botocore 1.29): STS over awsQuery, SQS over the
 * Query protocol (these versions predate JSON SQS), credential chains and the IMDS region lookup.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { boto3, keyEnv } from "./support/clients.js";

const ROLE = "arn:aws:iam::123456789012:role/interop";
let fake: FakeAws;
let keys: KnownCredentials;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/boto3" });
});
afterAll(() => fake.close());

const sts = (operation: string, params: Record<string, unknown> = {}, credentials: Partial<KnownCredentials> = keys) =>
  boto3({ service: "sts", operation, params, endpoint: fake.sts.endpoint, region: fake.region }, keyEnv(credentials as KnownCredentials));
const sqs = (operation: string, params: Record<string, unknown> = {}) =>
  boto3({ service: "sqs", operation, params, endpoint: fake.sqs.endpoint, region: fake.region }, keyEnv(keys));

describe("boto3 × STS", () => {
  it("GetCallerIdentity", async () => {
    expect((await sts("get_caller_identity")).ok).toMatchObject({ Account: "123456789012", Arn: keys.arn, UserId: expect.stringMatching(/^AIDA/) });
  });
  it("AssumeRole", async () => {
    const out = await sts("assume_role", { RoleArn: ROLE, RoleSessionName: "boto3", DurationSeconds: 900 });
    expect(out.ok).toMatchObject({ AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/interop/boto3" }, Credentials: { AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/) } });
  });
  it("AssumeRoleWithWebIdentity (unsigned)", async () => {
    const out = await boto3(
      { service: "sts", operation: "assume_role_with_web_identity", params: { RoleArn: ROLE, RoleSessionName: "irsa", WebIdentityToken: makeFakeWebIdentityToken() }, endpoint: fake.sts.endpoint, region: fake.region },
      { AWS_ACCESS_KEY_ID: undefined },
    );
    expect(out.ok).toMatchObject({ AssumedRoleUser: { Arn: "arn:aws:sts::123456789012:assumed-role/interop/irsa" } });
  });
  it("GetSessionToken, and the session credentials work", async () => {
    const out = await sts("get_session_token", { DurationSeconds: 900 });
    const c = (out.ok as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }).Credentials;
    const who = await sts("get_caller_identity", {}, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    expect(who.ok).toMatchObject({ Arn: keys.arn });
  });
  it("GetAccessKeyInfo", async () => {
    expect((await sts("get_access_key_info", { AccessKeyId: keys.accessKeyId })).ok).toEqual({ Account: "123456789012" });
  });
  it("presigned GetCallerIdentity (generate_presigned_url, as aws eks get-token does), and a tampered one", async () => {
    // HttpMethod GET, as `aws eks get-token` asks (the operation itself is a POST).
    const out = await boto3<{ url: string }>({ service: "sts", operation: "get_caller_identity", presign: true, method: "GET", endpoint: fake.sts.endpoint, region: fake.region }, keyEnv(keys));
    const url = out.ok!.url;
    const good = await fetch(url);
    expect(good.status).toBe(200);
    expect(await good.text()).toContain(`<Arn>${keys.arn}</Arn>`);
    const bad = await fetch(url.replace("Action=GetCallerIdentity", "Action=GetSessionToken"));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
  it("errors map to botocore's exception classes: MalformedPolicyDocument, ValidationError, ExpiredToken, InvalidClientTokenId", async () => {
    expect((await sts("assume_role", { RoleArn: ROLE, RoleSessionName: "x1", Policy: "{not json" })).error).toMatchObject({ class: "MalformedPolicyDocumentException", code: "MalformedPolicyDocument", status: 400 });
    expect((await sts("assume_role", { RoleArn: "arn:aws:iam::123456789012:user/not-a-role", RoleSessionName: "x1" })).error).toMatchObject({ class: "ClientError", code: "ValidationError" });
    const expiring = fake.registerStaticKeys();
    fake.expireCredentials(expiring.accessKeyId);
    expect((await sts("get_caller_identity", {}, expiring)).error).toMatchObject({ class: "ClientError", code: "ExpiredToken", status: 403 });
    expect((await sts("get_caller_identity", {}, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" })).error).toMatchObject({ code: "InvalidClientTokenId", status: 403 });
  });
});

describe("boto3 × SQS (Query protocol)", () => {
  it("CreateQueue with attributes, GetQueueUrl, Get/SetQueueAttributes, ListQueues", async () => {
    const created = await sqs("create_queue", { QueueName: "boto-attrs", Attributes: { VisibilityTimeout: "11" } });
    const url = (created.ok as { QueueUrl: string }).QueueUrl;
    expect(url).toBe(fake.sqs.queueUrl("boto-attrs"));
    expect((await sqs("get_queue_url", { QueueName: "boto-attrs" })).ok).toEqual({ QueueUrl: url });
    await sqs("set_queue_attributes", { QueueUrl: url, Attributes: { DelaySeconds: "1" } });
    expect((await sqs("get_queue_attributes", { QueueUrl: url, AttributeNames: ["VisibilityTimeout", "DelaySeconds"] })).ok).toEqual({ Attributes: { VisibilityTimeout: "11", DelaySeconds: "1" } });
    expect((await sqs("list_queues", { QueueNamePrefix: "boto-" })).ok).toMatchObject({ QueueUrls: [url] });
    expect(fake.sqs.calls.filter((c) => c.details.protocol === "query").length).toBeGreaterThanOrEqual(5);
  });
  it("SendMessage (CRLF body, attributes) and ReceiveMessage: the body arrives byte for byte", async () => {
    const url = fake.sqs.createQueue("boto-send");
    const body = "one\r\ntwo & <three>";
    const sent = await sqs("send_message", { QueueUrl: url, MessageBody: body, MessageAttributes: { k: { DataType: "String", StringValue: "v" }, b: { DataType: "Binary", BinaryValue: "YWJj" } } });
    expect(sent.ok).toMatchObject({ MessageId: expect.any(String), MD5OfMessageAttributes: expect.any(String) });
    const got = await sqs("receive_message", { QueueUrl: url, MessageAttributeNames: ["All"], AttributeNames: ["All"] });
    expect(got.ok).toMatchObject({ Messages: [{ Body: body, MessageAttributes: { k: { StringValue: "v", DataType: "String" } }, Attributes: { ApproximateReceiveCount: "1" } }] });
  });
  it("SendMessageBatch with a failing entry", async () => {
    const url = fake.sqs.createQueue("boto-batch");
    const out = await sqs("send_message_batch", { QueueUrl: url, Entries: [{ Id: "a", MessageBody: "x" }, { Id: "b", MessageBody: "y", DelaySeconds: 901 }] });
    expect(out.ok).toMatchObject({ Successful: [{ Id: "a" }], Failed: [{ Id: "b", SenderFault: true, Code: "InvalidParameterValue" }] });
    expect(fake.sqs.messageCount("boto-batch")).toBe(1);
  });
  it("ReceiveMessage long polling: waits, then gets the message sent meanwhile", async () => {
    const url = fake.sqs.createQueue("boto-poll");
    const polling = sqs("receive_message", { QueueUrl: url, WaitTimeSeconds: 10 });
    await expect.poll(() => fake.sqs.calls.some((c) => c.action === "ReceiveMessage" && c.details.queueUrl === url), { timeout: 15_000 }).toBe(true);
    fake.sqs.sendMessage("boto-poll", "late");
    expect((await polling).ok).toMatchObject({ Messages: [{ Body: "late" }] });
  });
  it("DeleteMessage, ChangeMessageVisibility, DeleteMessageBatch, PurgeQueue, DeleteQueue", async () => {
    const url = fake.sqs.createQueue("boto-life");
    fake.sqs.sendMessage("boto-life", "a");
    fake.sqs.sendMessage("boto-life", "b");
    const got = (await sqs("receive_message", { QueueUrl: url, MaxNumberOfMessages: 10 })).ok as { Messages: { ReceiptHandle: string }[] };
    expect(got.Messages).toHaveLength(2);
    expect((await sqs("change_message_visibility", { QueueUrl: url, ReceiptHandle: got.Messages[0]!.ReceiptHandle, VisibilityTimeout: 100 })).error).toBeUndefined();
    expect((await sqs("delete_message", { QueueUrl: url, ReceiptHandle: got.Messages[0]!.ReceiptHandle })).error).toBeUndefined();
    expect((await sqs("delete_message_batch", { QueueUrl: url, Entries: [{ Id: "1", ReceiptHandle: got.Messages[1]!.ReceiptHandle }] })).ok).toMatchObject({ Successful: [{ Id: "1" }] });
    fake.sqs.sendMessage("boto-life", "c");
    expect((await sqs("purge_queue", { QueueUrl: url })).error).toBeUndefined();
    expect(fake.sqs.messageCount("boto-life")).toBe(0);
    expect((await sqs("delete_queue", { QueueUrl: url })).error).toBeUndefined();
    expect(fake.sqs.queueNames()).not.toContain("boto-life");
  });
  it("errors map to botocore's exception classes: QueueDoesNotExist, PurgeQueueInProgress", async () => {
    expect((await sqs("get_queue_url", { QueueName: "nope" })).error).toMatchObject({ class: "QueueDoesNotExist", code: "AWS.SimpleQueueService.NonExistentQueue", status: 400 });
    const url = fake.sqs.createQueue("boto-errors");
    await sqs("purge_queue", { QueueUrl: url });
    expect((await sqs("purge_queue", { QueueUrl: url })).error).toMatchObject({ class: "PurgeQueueInProgress", code: "AWS.SimpleQueueService.PurgeQueueInProgress", status: 403 });
    // Every SQS action botocore 1.29 knows is implemented now; UnsupportedOperation (message move tasks,
    // newer than this botocore) is checked with curl in aws-today.test.ts.
  });
});

describe("boto3 × credential chains and region", () => {
  it("IMDSv2 credential chain (AWS_EC2_METADATA_SERVICE_ENDPOINT)", async () => {
    const out = await boto3({ kind: "credentials", endpoint: fake.sts.endpoint, region: fake.region }, { AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.env.AWS_EC2_METADATA_SERVICE_ENDPOINT });
    expect(out.ok).toMatchObject({ method: "iam-role", arn: expect.stringContaining(":assumed-role/fake-instance-role/") });
    expect(fake.imds.count("PUT /latest/api/token")).toBeGreaterThan(0);
  });
  it("container credential chain (AWS_CONTAINER_CREDENTIALS_FULL_URI + token)", async () => {
    const out = await boto3(
      { kind: "credentials", endpoint: fake.sts.endpoint, region: fake.region },
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl, AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken, AWS_EC2_METADATA_DISABLED: "true" },
    );
    expect(out.ok).toMatchObject({ method: "container-role", arn: expect.stringContaining(":assumed-role/fake-task-role/") });
  });
  it("region lookup from IMDS (placement/availability-zone/, with its trailing slash)", async () => {
    const out = await boto3({ kind: "region", endpoint: fake.env.AWS_EC2_METADATA_SERVICE_ENDPOINT }, {});
    expect(out.ok).toEqual({ region: "us-east-1" });
  });
});
