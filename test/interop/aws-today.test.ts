/**
 * The fakes as AWS behaves today, seen by clients we did not write: boto3 1.26 / botocore 1.29 (SQS over
 * the Query protocol) and the AWS CLI 2.9 from Debian. One test per gap of issue #22, each the twin of a
 * v3 test in test/testing (sqs-aws-today, sts-federation): 1 MiB messages, queue addressing, attribute
 * wildcards, empty policies, accounts, tags and permissions, GetFederationToken, AssumeRoleWithSAML, and
 * unsupported (not unknown) actions.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { makeFakeSamlAssertion } from "../../src/testing/core/saml.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { awsCli, boto3, clientEnv, CURL, keyEnv, run } from "./support/clients.js";

const TENANT = "111111111111";
type Keys = Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken">;
let fake: FakeAws;
let keys: KnownCredentials;
let tenant: Keys;
let counter = 0;
const newName = (): string => `interop-today-${++counter}`;

const sqs = (operation: string, params: Record<string, unknown> = {}, k: Keys = keys) =>
  boto3({ service: "sqs", operation, params, endpoint: fake.sqs.endpoint, region: fake.region }, keyEnv(k));
const sts = (operation: string, params: Record<string, unknown> = {}, env: Record<string, string | undefined> = keyEnv(keys)) =>
  boto3({ service: "sts", operation, params, endpoint: fake.sts.endpoint, region: fake.region }, env);
const cliSqs = (args: string[], k: Keys = keys) => awsCli(["sqs", ...args, "--endpoint-url", fake.sqs.endpoint, "--region", fake.region], keyEnv(k));
const urlOf = (outcome: { ok?: Record<string, unknown> }): string => outcome.ok!.QueueUrl as string;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: `arn:aws:iam::${fake.accountId}:user/interop-today` });
  const assumed = await sts("assume_role", { RoleArn: `arn:aws:iam::${TENANT}:role/tenant`, RoleSessionName: "tenant" });
  const c = (assumed.ok as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }).Credentials;
  tenant = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
});
afterAll(() => fake.close());

describe("boto3 (Query protocol) and the AWS CLI see SQS as it is today", () => {
  it("1 MiB: a default queue takes 1,048,576 bytes, refuses one more; BatchRequestTooLong quotes 1048576", async () => {
    const url = urlOf(await sqs("create_queue", { QueueName: newName() }));
    expect((await sqs("get_queue_attributes", { QueueUrl: url, AttributeNames: ["MaximumMessageSize"] })).ok).toEqual({ Attributes: { MaximumMessageSize: "1048576" } });
    expect((await sqs("send_message", { QueueUrl: url, MessageBody: "x".repeat(1_048_576) })).ok).toMatchObject({ MessageId: expect.any(String) });
    expect((await sqs("send_message", { QueueUrl: url, MessageBody: "x".repeat(1_048_577) })).error).toMatchObject({ code: "InvalidParameterValue", status: 400 });
    const entries = Array.from({ length: 4 }, (_, i) => ({ Id: `e${i}`, MessageBody: "y".repeat(262_145) }));
    expect((await sqs("send_message_batch", { QueueUrl: url, Entries: entries })).error).toMatchObject({
      code: "AWS.SimpleQueueService.BatchRequestTooLong",
      message: "Batch requests cannot be longer than 1048576 bytes. You have sent 1048580 bytes.",
    });
    // The AWS CLI, its body from a file (1 MiB is past what one argument may hold).
    const file = join(mkdtempSync(join(tmpdir(), "awscreds-interop-body-")), "body.txt");
    writeFileSync(file, "z".repeat(1_048_576));
    const cli = await cliSqs(["send-message", "--queue-url", url, "--message-body", `file://${file}`]);
    expect(cli.json).toMatchObject({ MessageId: expect.any(String) });
  });

  it("a bare queue name is a QueueUrl; a URL without /ACCOUNT/NAME is AWS.SimpleQueueService.NonExistentQueue", async () => {
    const name = newName();
    await sqs("create_queue", { QueueName: name });
    expect((await sqs("send_message", { QueueUrl: name, MessageBody: "Using name instead of URL" })).ok).toMatchObject({ MD5OfMessageBody: "86a83f96652a1bfad3891e7d523750cb" });
    expect(fake.sqs.messageCount(name)).toBe(1);
    const missing = await sqs("send_message", { QueueUrl: `${fake.sqs.endpoint}/only-a-name`, MessageBody: "x" });
    expect(missing.error).toMatchObject({ class: "QueueDoesNotExist", code: "AWS.SimpleQueueService.NonExistentQueue", status: 400 });
    const cli = await cliSqs(["get-queue-attributes", "--queue-url", name, "--attribute-names", "QueueArn"]);
    expect(cli.json).toEqual({ Attributes: { QueueArn: `arn:aws:sqs:${fake.region}:${fake.accountId}:${name}` } });
  });

  it("MessageAttributeNames `Hel.*` returns Hello and Help.Me", async () => {
    const url = urlOf(await sqs("create_queue", { QueueName: newName(), Attributes: { VisibilityTimeout: "0" } }));
    const attribute = (StringValue: string) => ({ DataType: "String", StringValue });
    await sqs("send_message", { QueueUrl: url, MessageBody: "msg", MessageAttributes: { "Help.Me": attribute("Me"), Hello: attribute("There"), General: attribute("Kenobi") } });
    const got = await sqs("receive_message", { QueueUrl: url, MessageAttributeNames: ["Hel.*"], WaitTimeSeconds: 1 });
    const messages = (got.ok as { Messages: { MessageAttributes: Record<string, unknown> }[] }).Messages;
    expect(Object.keys(messages[0]!.MessageAttributes).sort()).toEqual(["Hello", "Help.Me"]);
  });

  it("Policy and RedrivePolicy set to \"\" are removed", async () => {
    const url = urlOf(await sqs("create_queue", { QueueName: newName() }));
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] });
    await sqs("set_queue_attributes", { QueueUrl: url, Attributes: { Policy: policy } });
    expect((await sqs("get_queue_attributes", { QueueUrl: url, AttributeNames: ["Policy"] })).ok).toEqual({ Attributes: { Policy: policy } });
    await sqs("set_queue_attributes", { QueueUrl: url, Attributes: { Policy: "", RedrivePolicy: "" } });
    expect((await sqs("get_queue_attributes", { QueueUrl: url, AttributeNames: ["All"] })).ok!.Attributes).not.toHaveProperty("Policy");
  });

  it("accounts: the tenant's queues are its own; the owner's queue is reachable only as its policy allows", async () => {
    const name = newName();
    const mine = urlOf(await sqs("create_queue", { QueueName: name }));
    const theirs = urlOf(await sqs("create_queue", { QueueName: name }, tenant));
    expect(theirs).toBe(`${fake.sqs.endpoint}/${TENANT}/${name}`);
    expect((await sqs("list_queues", { QueueNamePrefix: name }, tenant)).ok).toEqual({ QueueUrls: [theirs] });
    expect((await sqs("send_message", { QueueUrl: mine, MessageBody: "x" }, tenant)).error).toMatchObject({ code: "AccessDenied", status: 403 });
    await sqs("add_permission", { QueueUrl: mine, Label: "tenant", AWSAccountIds: [TENANT], Actions: ["SendMessage"] });
    expect((await sqs("send_message", { QueueUrl: mine, MessageBody: "from the tenant" }, tenant)).ok).toMatchObject({ MessageId: expect.any(String) });
    const cliDenied = await cliSqs(["receive-message", "--queue-url", mine], tenant);
    expect(cliDenied.code).not.toBe(0);
    expect(cliDenied.stderr).toContain("AccessDenied");
  });

  it("tags (also on create-queue) and permissions, with boto3 and the CLI", async () => {
    const url = urlOf(await sqs("create_queue", { QueueName: newName(), tags: { team: "billing" } }));
    await sqs("tag_queue", { QueueUrl: url, Tags: { tag1: "value1", tag3: "" } });
    expect((await sqs("list_queue_tags", { QueueUrl: url })).ok).toEqual({ Tags: { team: "billing", tag1: "value1", tag3: "" } });
    await cliSqs(["untag-queue", "--queue-url", url, "--tag-keys", "tag1", "team"]);
    expect((await cliSqs(["list-queue-tags", "--queue-url", url])).json).toEqual({ Tags: { tag3: "" } });
    await cliSqs(["add-permission", "--queue-url", url, "--label", "p1", "--aws-account-ids", TENANT, "--actions", "ReceiveMessage"]);
    const policy = (await sqs("get_queue_attributes", { QueueUrl: url, AttributeNames: ["Policy"] })).ok as { Attributes: { Policy: string } };
    expect(JSON.parse(policy.Attributes.Policy).Statement[0]).toMatchObject({ Sid: "p1", Principal: { AWS: `arn:aws:iam::${TENANT}:root` }, Action: "SQS:ReceiveMessage" });
    expect((await sqs("remove_permission", { QueueUrl: url, Label: "nope" })).error).toMatchObject({ code: "InvalidParameterValue", message: "Value nope for parameter Label is invalid. Reason: can't find label." });
  });

  it("a real SQS action the fake lacks is UnsupportedOperation, not an unknown action (curl: botocore 1.29 predates the action)", async () => {
    const out = await run(
      CURL,
      ["-sS", "--aws-sigv4", `aws:amz:${fake.region}:sqs`, "--user", `${keys.accessKeyId}:${keys.secretAccessKey}`, "-d", `Action=ListMessageMoveTasks&Version=2012-11-05&SourceArn=arn:aws:sqs:${fake.region}:${fake.accountId}:x`, `${fake.sqs.endpoint}/`],
      clientEnv(),
    );
    expect(out.stdout).toContain("<Code>AWS.SimpleQueueService.UnsupportedOperation</Code>");
    const unknown = await run(CURL, ["-sS", "--aws-sigv4", `aws:amz:${fake.region}:sqs`, "--user", `${keys.accessKeyId}:${keys.secretAccessKey}`, "-d", "Action=NoSuchAction&Version=2012-11-05", `${fake.sqs.endpoint}/`], clientEnv());
    expect(unknown.stdout).toContain("<Code>InvalidAction</Code>");
  });
});

describe("boto3 and the AWS CLI: STS GetFederationToken and AssumeRoleWithSAML", () => {
  it("get_federation_token issues a federated user's credentials", async () => {
    const out = await sts("get_federation_token", { Name: "Bob", DurationSeconds: 900 });
    expect(out.ok).toMatchObject({ FederatedUser: { FederatedUserId: `${fake.accountId}:Bob`, Arn: `arn:aws:sts::${fake.accountId}:federated-user/Bob` } });
  });

  it("assume-role-with-saml (unsigned) with the fake's assertion; an expired one is refused", async () => {
    const role = `arn:aws:iam::${TENANT}:role/saml`;
    const provider = `arn:aws:iam::${TENANT}:saml-provider/corp`;
    const cli = await awsCli(
      ["sts", "assume-role-with-saml", "--role-arn", role, "--principal-arn", provider, "--saml-assertion", makeFakeSamlAssertion({ roleArn: role, principalArn: provider, roleSessionName: "alice" }), "--endpoint-url", fake.sts.endpoint, "--region", fake.region],
      {},
    );
    expect(cli.json).toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${TENANT}:assumed-role/saml/alice` }, SubjectType: "persistent" });
    const expired = await sts("assume_role_with_saml", { RoleArn: role, PrincipalArn: provider, SAMLAssertion: makeFakeSamlAssertion({ roleArn: role, principalArn: provider, notOnOrAfter: Date.now() - 1000 }) }, {});
    expect(expired.error).toMatchObject({ code: "ExpiredTokenException", status: 400 });
  });

  it("a real STS action the fake lacks is UnsupportedOperation", async () => {
    expect((await sts("decode_authorization_message", { EncodedMessage: "abcd" })).error).toMatchObject({ code: "UnsupportedOperation", status: 400 });
  });
});
