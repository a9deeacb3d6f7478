/**
 * The fake SQS as AWS behaves today, driven by the real v3 client: 1 MiB messages, queue addressing (bare
 * names, account-less URLs, attribute-name wildcards, empty policies), queues per account reached across
 * accounts only through their policy, and the tag and permission actions. Expected values are AWS's, as
 * recorded in LocalStack's AWS-validated snapshots (tests/aws/services/sqs/test_sqs.snapshot.json).
 */
import {
  AddPermissionCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { errorOf } from "./support/sdk-error.js";

const TENANT = "111111111111";
let fake: FakeAws;
let own: AwsCredentialIdentity;
let tenant: AwsCredentialIdentity;
let counter = 0;
const newName = (): string => `today-${++counter}`;

const sqsFor = (credentials: AwsCredentialIdentity): SQSClient =>
  new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials, maxAttempts: 1 });

beforeAll(async () => {
  fake = await startFakeAws();
  own = fake.registerStaticKeys();
  // The tenant's credentials come from the fake's own AssumeRole, into a role of another account.
  const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: own, maxAttempts: 1 });
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TENANT}:role/tenant-access`, RoleSessionName: "tenant" }));
  tenant = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
});
afterAll(() => fake.close());

describe("message size: 1 MiB by default since 2025", () => {
  it("a default queue takes a 1 MiB message, reports 1048576 and refuses one byte more", async () => {
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName() }));
    const { Attributes } = await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["MaximumMessageSize"] }));
    expect(Attributes).toEqual({ MaximumMessageSize: "1048576" });
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_576) }));
    const over = await errorOf(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_577) })));
    expect(over.name).toBe("InvalidParameterValue");
    expect(over.message).toContain("1048576");
  });

  it("a batch of up to 1 MiB in total is accepted; over it, BatchRequestTooLong quotes 1048576", async () => {
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName() }));
    const entries = (size: number): SendMessageBatchRequestEntry[] => Array.from({ length: 4 }, (_, i) => ({ Id: `e${i}`, MessageBody: "y".repeat(size) }));
    const ok = await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries(262_144) }));
    expect(ok.Successful).toHaveLength(4);
    const tooLong = await errorOf(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries(262_145) })));
    expect(tooLong.name).toBe("BatchRequestTooLong");
    expect(tooLong.message).toBe("Batch requests cannot be longer than 1048576 bytes. You have sent 1048580 bytes.");
    // Attributes count too: bodies of exactly 1 MiB plus one attribute are over.
    const withAttribute = entries(262_144);
    withAttribute[0] = { ...withAttribute[0]!, MessageAttributes: { k: { DataType: "String", StringValue: "v" } } };
    const over = await errorOf(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: withAttribute })));
    expect(over.message).toBe("Batch requests cannot be longer than 1048576 bytes. You have sent 1048584 bytes.");
  });
});

describe("queue addressing", () => {
  it("a bare queue name is a QueueUrl, resolved in the caller's account", async () => {
    const c = sqsFor(own);
    const name = newName();
    await c.send(new CreateQueueCommand({ QueueName: name }));
    const sent = await c.send(new SendMessageCommand({ QueueUrl: name, MessageBody: "Using name instead of URL" }));
    expect(sent.MD5OfMessageBody).toBe("86a83f96652a1bfad3891e7d523750cb");
    expect(fake.sqs.messageCount(name)).toBe(1);
    // The same name from the tenant's account is the tenant's queue, which does not exist.
    const elsewhere = await errorOf(sqsFor(tenant).send(new SendMessageCommand({ QueueUrl: name, MessageBody: "x" })));
    expect(elsewhere).toBeInstanceOf(QueueDoesNotExist);
  });

  it("a URL without /ACCOUNT/NAME is QueueDoesNotExist (400, AWS.SimpleQueueService.NonExistentQueue)", async () => {
    for (const QueueUrl of [`${fake.sqs.endpoint}/`, `${fake.sqs.endpoint}/only-a-name`, `${fake.sqs.endpoint}/not-an-account/q`]) {
      const error = await errorOf(sqsFor(own).send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
      expect(error).toBeInstanceOf(QueueDoesNotExist);
      expect(error.Code).toBe("AWS.SimpleQueueService.NonExistentQueue");
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it("MessageAttributeNames: `Hel.*` selects the names starting with Hel, `*` and `.*` select all", async () => {
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName(), Attributes: { VisibilityTimeout: "0" } }));
    await c.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "msg",
        MessageAttributes: {
          "Help.Me": { DataType: "String", StringValue: "Me" },
          Hello: { DataType: "String", StringValue: "There" },
          General: { DataType: "String", StringValue: "Kenobi" },
        },
      }),
    );
    const names = async (filter: string[]) =>
      Object.keys((await c.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: filter, WaitTimeSeconds: 1 }))).Messages?.[0]?.MessageAttributes ?? {}).sort();
    expect(await names(["Hel.*"])).toEqual(["Hello", "Help.Me"]);
    expect(await names(["Help.*"])).toEqual(["Help.Me"]);
    expect(await names(["*"])).toEqual(["General", "Hello", "Help.Me"]);
    expect(await names([".*"])).toEqual(["General", "Hello", "Help.Me"]);
    expect(await names(["Foo", "Help"])).toEqual([]);
  });

  it("Policy or RedrivePolicy set to \"\" removes it (GetQueueAttributes no longer lists it)", async () => {
    const c = sqsFor(own);
    const dlqName = newName();
    const { QueueUrl: dlq } = await c.send(new CreateQueueCommand({ QueueName: dlqName }));
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName() }));
    const dlqArn = `arn:aws:sqs:${fake.region}:${fake.accountId}:${dlqName}`;
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] });
    await c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) } }));
    const all = async () => (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes ?? {};
    expect(await all()).toMatchObject({ Policy: policy, RedrivePolicy: expect.stringContaining(dlqArn) });
    expect((await c.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([QueueUrl]);
    await c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: "", RedrivePolicy: "" } }));
    const after = await all();
    expect(after).not.toHaveProperty("Policy");
    expect(after).not.toHaveProperty("RedrivePolicy");
    // On a queue that never had them too (the snapshot's first case), by bare name.
    await c.send(new SetQueueAttributesCommand({ QueueUrl: dlqName, Attributes: { RedrivePolicy: "", Policy: "" } }));
    expect((await c.send(new GetQueueAttributesCommand({ QueueUrl: dlqName, AttributeNames: ["All"] }))).Attributes).not.toHaveProperty("Policy");
  });
});

describe("accounts: queues belong to the account whose credentials created them", () => {
  it("each account lists and names only its own queues; the same name in two accounts is two queues", async () => {
    const name = newName();
    const mine = (await sqsFor(own).send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const theirs = (await sqsFor(tenant).send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    expect(mine).toBe(`${fake.sqs.endpoint}/${fake.accountId}/${name}`);
    expect(theirs).toBe(`${fake.sqs.endpoint}/${TENANT}/${name}`);
    expect((await sqsFor(own).send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls).toEqual([mine]);
    expect((await sqsFor(tenant).send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls).toEqual([theirs]);
    expect((await sqsFor(tenant).send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(theirs);
    expect(fake.sqs.queueNames(TENANT)).toContain(name);
    expect(fake.sqs.queueUrl(name, TENANT)).toBe(theirs);
  });

  it("another account reaches a queue only through its URL and only what the policy grants; AccessDenied otherwise", async () => {
    const name = newName();
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: name }));
    const t = sqsFor(tenant);
    const denied = await errorOf(t.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
    expect(denied.name).toBe("AccessDenied");
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toBe(`Access to the resource https://sqs.${fake.region}.amazonaws.com/${fake.accountId}/${name} is denied.`);
    const hidden = await errorOf(t.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: fake.accountId })));
    expect(hidden).toBeInstanceOf(QueueDoesNotExist);

    await c.send(new AddPermissionCommand({ QueueUrl, Label: "tenant-send", AWSAccountIds: [TENANT], Actions: ["SendMessage", "GetQueueUrl"] }));
    expect((await t.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: fake.accountId }))).QueueUrl).toBe(QueueUrl);
    await t.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "from the tenant" }] }));
    expect(fake.sqs.messages(name).map((m) => m.body)).toEqual(["from the tenant"]);
    // Granted SendMessage only: receiving is still denied, and the queue is not in the tenant's list.
    expect((await errorOf(t.send(new ReceiveMessageCommand({ QueueUrl })))).name).toBe("AccessDenied");
    expect((await t.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls ?? []).toEqual([]);

    await c.send(new RemovePermissionCommand({ QueueUrl, Label: "tenant-send" }));
    expect((await errorOf(t.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })))).name).toBe("AccessDenied");
  });

  it("a Policy set directly grants too (principal account, root ARN or *), and a Deny wins", async () => {
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName() }));
    const t = sqsFor(tenant);
    const statement = (Effect: string, AWS: string, Action: string) => ({ Effect, Principal: { AWS }, Action, Resource: "*" });
    const setPolicy = (...Statement: object[]) => c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement }) } }));
    await setPolicy(statement("Allow", `arn:aws:iam::${TENANT}:root`, "sqs:*"));
    await t.send(new SendMessageCommand({ QueueUrl, MessageBody: "root" }));
    await setPolicy(statement("Allow", "*", "SQS:SendMessage"), statement("Deny", TENANT, "sqs:SendMessage"));
    expect((await errorOf(t.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })))).name).toBe("AccessDenied");
  });
});

describe("tags and permissions", () => {
  it("TagQueue, UntagQueue and ListQueueTags as recorded from AWS, and tags on CreateQueue", async () => {
    const c = sqsFor(own);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: newName(), tags: { team: "billing" } }));
    expect((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: "billing" });
    await c.send(new TagQueueCommand({ QueueUrl, Tags: { tag1: "value1", tag2: "value2", tag3: "" } }));
    expect((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: "billing", tag1: "value1", tag2: "value2", tag3: "" });
    await c.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["tag1", "tag3", "not-there", "team"] }));
    expect((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ tag2: "value2" });
    await c.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["tag2"] }));
    expect((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toBeUndefined();
  });

  it("AddPermission writes SQS's policy document; a label twice and an unknown label are InvalidParameterValue", async () => {
    const c = sqsFor(own);
    const name = newName();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: name }));
    const arn = `arn:aws:sqs:${fake.region}:${fake.accountId}:${name}`;
    await c.send(new AddPermissionCommand({ QueueUrl, Label: "crossaccountpermission", AWSAccountIds: [fake.accountId], Actions: ["ReceiveMessage"] }));
    const policy = async () => (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }))).Attributes?.Policy;
    expect(JSON.parse((await policy())!)).toEqual({
      Version: "2008-10-17",
      Id: `${arn}/SQSDefaultPolicy`,
      Statement: [
        { Sid: "crossaccountpermission", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${fake.accountId}:root` }, Action: "SQS:ReceiveMessage", Resource: arn },
      ],
    });
    const again = await errorOf(c.send(new AddPermissionCommand({ QueueUrl, Label: "crossaccountpermission", AWSAccountIds: [TENANT], Actions: ["ReceiveMessage"] })));
    expect(again).toMatchObject({ name: "InvalidParameterValue", message: "Value crossaccountpermission for parameter Label is invalid. Reason: Already exists." });
    await c.send(new RemovePermissionCommand({ QueueUrl, Label: "crossaccountpermission" }));
    expect(await policy()).toBeUndefined();
    const gone = await errorOf(c.send(new RemovePermissionCommand({ QueueUrl, Label: "crossaccountpermission" })));
    expect(gone).toMatchObject({ name: "InvalidParameterValue", message: "Value crossaccountpermission for parameter Label is invalid. Reason: can't find label." });
  });
});
