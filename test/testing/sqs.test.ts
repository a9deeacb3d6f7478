import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  ListMessageMoveTasksCommand,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore, type KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws } from "../../src/testing/fake-aws.js";
import type { FakeContext } from "../../src/testing/core/context.js";
import { startFakeSqs, type FakeSqsHandle } from "../../src/testing/sqs/service.js";
import { startFakeSts, type FakeStsHandle } from "../../src/testing/sts/service.js";
import { errorOf } from "./support/sdk-error.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";


const savedEnv: Record<string, string | undefined> = {};
let ctx: FakeContext;
let sqs: FakeSqsHandle & { close(): Promise<void> };
let sts: FakeStsHandle & { close(): Promise<void> };
let keys: KnownCredentials;
let queueCounter = 0;

function client(extra: Partial<SQSClientConfig> = {}): SQSClient {
  return new SQSClient({
    region: REGION,
    endpoint: sqs.endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });
}

/** A fresh queue per test, so tests never see each other's messages. */
function newQueue(attributes: Record<string, string> = {}): { name: string; url: string } {
  queueCounter += 1;
  const name = `q-${queueCounter}`;
  return { name, url: sqs.createQueue(name, attributes) };
}

beforeAll(async () => {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("AWS_")) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
  }
  ctx = { store: new CredentialStore(), region: REGION, accountId: ACCOUNT, now: Date.now };
  sqs = await startFakeSqs(ctx);
  sts = await startFakeSts(ctx);
  keys = ctx.store.add({
    accessKeyId: "AKIASQSTESTKEY00001",
    secretAccessKey: "sqs-test-secret",
    arn: `arn:aws:iam::${ACCOUNT}:user/tester`,
    account: ACCOUNT,
    issuer: "static",
  });
});

afterAll(async () => {
  await Promise.all([sqs.close(), sts.close()]);
  Object.assign(process.env, savedEnv);
});

describe("queues", () => {
  it("creates queues idempotently, finds them by name, and reports defaults and counts", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }));
    expect(QueueUrl).toBe(`${sqs.endpoint}/${ACCOUNT}/orders`);
    expect((await c.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }))).QueueUrl).toBe(QueueUrl);
    expect((await c.send(new GetQueueUrlCommand({ QueueName: "orders" }))).QueueUrl).toBe(QueueUrl);
    expect(sqs.queueNames()).toContain("orders");

    const conflict = await errorOf(c.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "10" } })));
    expect(conflict.name).toBe("QueueNameExists");
    expect(conflict.Code).toBe("QueueAlreadyExists");

    sqs.sendMessage("orders", "a");
    sqs.sendMessage("orders", "b", { delaySeconds: 60 });
    await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    sqs.sendMessage("orders", "c");
    const { Attributes } = await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({
      VisibilityTimeout: "45",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "0",
      MaximumMessageSize: "1048576",
      MessageRetentionPeriod: "345600",
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "1",
      ApproximateNumberOfMessagesDelayed: "1",
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`,
    });
    expect(sqs.counts("orders")).toMatchObject({ visible: 1, inFlight: 1, delayed: 1, total: 3, sent: 3, received: 1 });
    expect(sqs.messageCount("orders")).toBe(3);
  });

  it("raises the SDK's exception classes for missing queues, bad addresses and bad attributes", async () => {
    const c = client();
    const byName = await errorOf(c.send(new GetQueueUrlCommand({ QueueName: "nope" })));
    expect(byName).toBeInstanceOf(QueueDoesNotExist);
    expect(byName.Code).toBe("AWS.SimpleQueueService.NonExistentQueue");
    expect(byName.$metadata?.httpStatusCode).toBe(400);

    const byUrl = await errorOf(c.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("nope"), MessageBody: "x" })));
    expect(byUrl.name).toBe("QueueDoesNotExist");
    const address = await errorOf(c.send(new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/only-one-segment`, MessageBody: "x" })));
    // SQS answers a URL that names no /ACCOUNT/NAME as a queue that does not exist (400), not InvalidAddress.
    expect(address.name).toBe("QueueDoesNotExist");
    expect(address.$metadata?.httpStatusCode).toBe(400);

    const { url } = newQueue();
    const attribute = await errorOf(c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["NoSuchAttribute" as never] })));
    expect(attribute.name).toBe("InvalidAttributeName");
    const value = await errorOf(c.send(new CreateQueueCommand({ QueueName: "bad-attrs", Attributes: { VisibilityTimeout: "99999" } })));
    expect(value.name).toBe("InvalidAttributeValue");
    const name = await errorOf(c.send(new CreateQueueCommand({ QueueName: "has space" })));
    expect(name.name).toBe("InvalidParameterValue");
    // A real action the fake lacks is unsupported, never an action SQS does not have.
    const unsupported = await errorOf(c.send(new ListMessageMoveTasksCommand({ SourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:any` })));
    expect(unsupported.name).toBe("UnsupportedOperation");
  });

  it("sets attributes, lists and deletes queues", async () => {
    const c = client();
    const { name, url } = newQueue();
    await c.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "7", DelaySeconds: "3" } }));
    const { Attributes } = await c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout", "DelaySeconds"] }));
    expect(Attributes).toEqual({ VisibilityTimeout: "7", DelaySeconds: "3" });
    sqs.sendMessage(name, "delayed by the queue");
    expect(sqs.counts(name)).toMatchObject({ delayed: 1, visible: 0 });

    const { QueueUrls = [] } = await c.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    expect(QueueUrls).toContain(url);
    await c.send(new DeleteQueueCommand({ QueueUrl: url }));
    expect(sqs.queueNames()).not.toContain(name);
    expect((await errorOf(c.send(new GetQueueUrlCommand({ QueueName: name })))).name).toBe("QueueDoesNotExist");
  });

  it("purges a queue, then refuses a second purge within 60 seconds", async () => {
    const c = client();
    const { name, url } = newQueue();
    sqs.sendMessage(name, "1");
    sqs.sendMessage(name, "2");
    await c.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await c.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(sqs.messageCount(name)).toBe(0);
    const again = await errorOf(c.send(new PurgeQueueCommand({ QueueUrl: url })));
    expect(again.name).toBe("PurgeQueueInProgress");
    expect(again.$metadata?.httpStatusCode).toBe(403);
  });
});

describe("messages", () => {
  it("round-trips bodies and attributes with the MD5s SQS computes", async () => {
    const c = client();
    const { name, url } = newQueue();
    const sent = await c.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "héllo ✓ 😀",
        MessageAttributes: {
          ordinal: { DataType: "Number", StringValue: "1" },
          category: { DataType: "String", StringValue: "test" },
        },
      }),
    );
    // The SDK has already checked MD5OfMessageBody; this is the published digest of these two attributes.
    expect(sent.MD5OfMessageAttributes).toBe("d21ae90c49061e927f57df5f5d72be1f");

    await c.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "binary",
        MessageAttributes: {
          "trace.id": { DataType: "String", StringValue: "t-1" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        },
      }),
    );
    const { Messages = [] } = await c.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(["héllo ✓ 😀", "binary"]);
    const [first, second] = Messages;
    expect(first?.MD5OfMessageAttributes).toBe("d21ae90c49061e927f57df5f5d72be1f");
    expect(first?.MessageId).toBe(sent.MessageId);
    expect(first?.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: expect.stringMatching(/^AIDA/) });
    expect(Number(first?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(first?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(first?.Attributes?.SentTimestamp));
    expect(Array.from(second?.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual([0, 1, 254, 255]);

    // Only the attributes asked for come back, and the MD5 covers just those.
    sqs.sendMessage(name, "filtered", {
      messageAttributes: { "trace.id": { DataType: "String", StringValue: "t-2" }, other: { DataType: "String", StringValue: "o" } },
    });
    const filtered = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["trace.*"] }));
    expect(Object.keys(filtered.Messages?.[0]?.MessageAttributes ?? {})).toEqual(["trace.id"]);
    expect(filtered.Messages?.[0]?.Attributes).toBeUndefined();
    const none = sqs.messages(name).find((m) => m.body === "filtered");
    expect(none?.messageAttributes.other?.StringValue).toBe("o");
  });

  it("validates bodies and parameters as SQS does", async () => {
    const c = client();
    const { url } = newQueue();
    const control = await errorOf(c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bad \u0001 char" })));
    expect(control.name).toBe("InvalidMessageContents");
    const delay = await errorOf(c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", DelaySeconds: 901 })));
    expect(delay.name).toBe("InvalidParameterValue");
    const max = await errorOf(c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })));
    expect(max.name).toBe("InvalidParameterValue");
    expect(max.message).toMatch(/MaxNumberOfMessages/);
    const wait = await errorOf(c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })));
    expect(wait.name).toBe("InvalidParameterValue");
    const big = await errorOf(c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x".repeat(1_048_577) })));
    expect(big.name).toBe("InvalidParameterValue");
  });

  it("sends batches with per-entry failures and batch-level errors", async () => {
    const c = client();
    const { name, url } = newQueue();
    const out = await c.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok-1", MessageBody: "one" },
          { Id: "bad", MessageBody: "\u0000" },
          { Id: "ok-2", MessageBody: "two", DelaySeconds: 1 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(["ok-1", "ok-2"]);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: "bad", SenderFault: true, Code: "InvalidMessageContents" })]);
    expect(sqs.counts(name)).toMatchObject({ visible: 1, delayed: 1 });

    const empty = await errorOf(c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe("EmptyBatchRequest");
    const tooMany = await errorOf(
      c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })) })),
    );
    expect(tooMany.name).toBe("TooManyEntriesInBatchRequest");
    const repeated = await errorOf(
      c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "a", MessageBody: "x" }, { Id: "a", MessageBody: "y" }] })),
    );
    expect(repeated.name).toBe("BatchEntryIdsNotDistinct");
    const badId = await errorOf(c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "not ok!", MessageBody: "x" }] })));
    expect(badId.name).toBe("InvalidBatchEntryId");
  });

  it("deletes messages, singly and in batches with partial failures", async () => {
    const c = client();
    const { name, url } = newQueue();
    for (const body of ["a", "b", "c"]) sqs.sendMessage(name, body);
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(3);
    await c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0]!.ReceiptHandle }));
    // Deleting an already-deleted message succeeds, as in SQS.
    await c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0]!.ReceiptHandle }));
    const invalid = await errorOf(c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "not-a-handle" })));
    expect(invalid.name).toBe("ReceiptHandleIsInvalid");
    expect(invalid.$metadata?.httpStatusCode).toBe(404);

    const batch = await c.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "b", ReceiptHandle: Messages[1]!.ReceiptHandle },
          { Id: "junk", ReceiptHandle: "junk" },
          { Id: "c", ReceiptHandle: Messages[2]!.ReceiptHandle },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(["b", "c"]);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "junk", Code: "ReceiptHandleIsInvalid", SenderFault: true })]);
    expect(sqs.counts(name)).toMatchObject({ total: 0, deleted: 3 });
  });

  it("fails single batch entries on demand (failBatchEntries), with no effect on them, scoped and restorable", async () => {
    const c = client();
    const { name, url } = newQueue();
    for (const body of ["a", "b", "c", "d"]) sqs.sendMessage(name, body);
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(4);
    const entries = Messages.map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle }));

    // Scoped to deletes: a batch send is untouched; the first two delete entries fail as SQS's own fault.
    sqs.failBatchEntries(2, { action: "DeleteMessageBatch" });
    const sent = await c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", MessageBody: "x" }] }));
    expect(sent.Failed ?? []).toEqual([]);
    const first = await c.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(first.Successful?.map((e) => e.Id)).toEqual(["e2", "e3"]);
    expect(first.Failed).toEqual([
      { Id: "e0", SenderFault: false, Code: "InternalError", Message: expect.any(String) },
      { Id: "e1", SenderFault: false, Code: "InternalError", Message: expect.any(String) },
    ]);
    // The failed entries deleted nothing: retrying them as they are works.
    expect(sqs.messages(name).map((m) => m.body).sort()).toEqual(["a", "b", "x"]);
    const retry = await c.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries.slice(0, 2) }));
    expect(retry.Failed ?? []).toEqual([]);
    expect(sqs.messages(name).map((m) => m.body)).toEqual(["x"]);

    // A sender fault with a chosen code; restore() drops what is still pending.
    sqs.failBatchEntries(1, { code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", senderFault: true, message: "no" });
    sqs.failBatchEntries(5);
    const mixed = await c.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "y", MessageBody: "y" }, { Id: "z", MessageBody: "z" }] }),
    );
    expect(mixed.Failed).toEqual([
      { Id: "y", SenderFault: true, Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Message: "no" },
      { Id: "z", SenderFault: false, Code: "InternalError", Message: expect.any(String) },
    ]);
    sqs.faults.restore();
    const after = await c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "w", MessageBody: "w" }] }));
    expect(after.Successful?.map((e) => e.Id)).toEqual(["w"]);
    expect(() => sqs.failBatchEntries(0)).toThrow(RangeError);
  });
});

describe("long polling and visibility", () => {
  it("returns a long poll early when a message is sent mid-wait", async () => {
    const c = client();
    const { url } = newQueue();
    const started = Date.now();
    const poll = c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "arrived" }));
    const { Messages = [] } = await poll;
    expect(Messages.map((m) => m.Body)).toEqual(["arrived"]);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("returns empty after the wait, using the queue's ReceiveMessageWaitTimeSeconds by default", async () => {
    const c = client();
    const { url } = newQueue({ ReceiveMessageWaitTimeSeconds: "1" });
    const started = Date.now();
    const explicit = await c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(explicit.Messages).toBeUndefined();
    const byDefault = await c.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(byDefault.Messages).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);

    // An explicit WaitTimeSeconds of 0 is a short poll even on a queue that long-polls by default.
    const { url: patient } = newQueue({ ReceiveMessageWaitTimeSeconds: "20" });
    const short = Date.now();
    expect((await c.send(new ReceiveMessageCommand({ QueueUrl: patient, WaitTimeSeconds: 0 }))).Messages).toBeUndefined();
    expect(Date.now() - short).toBeLessThan(10_000);
  });

  it("lets go of a long poll whose client went away, without taking a message for it", async () => {
    const c = client();
    const { name, url } = newQueue();
    const abort = new AbortController();
    const abandoned = errorOf(c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: abort.signal }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    expect((await abandoned).name).toBe("AbortError");
    await new Promise((resolve) => setTimeout(resolve, 100));
    sqs.sendMessage(name, "for the living");
    expect(sqs.counts(name)).toMatchObject({ visible: 1, inFlight: 0 });
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    expect(Messages[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
  });

  it("wakes a long poll when a delayed message becomes visible", async () => {
    const c = client();
    const { url } = newQueue();
    await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 2 }));
    expect((await c.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const started = Date.now();
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(["later"]);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("redelivers after the visibility timeout with the receive count incremented", async () => {
    const c = client();
    const { name, url } = newQueue();
    sqs.sendMessage(name, "work");
    const attrs = { MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"] as ("ApproximateReceiveCount" | "ApproximateFirstReceiveTimestamp")[] };
    const first = (await c.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 2, ...attrs }))).Messages?.[0];
    expect(first?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect((await c.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(sqs.counts(name)).toMatchObject({ visible: 0, inFlight: 1 });

    // The waiting poll is woken when the message becomes visible again.
    const second = (await c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10, VisibilityTimeout: 30, ...attrs }))).Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe("2");
    expect(second?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(first?.Attributes?.ApproximateFirstReceiveTimestamp);
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);

    // The first receive's handle is stale: accepted, but it deletes nothing. The current one deletes.
    await c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    expect(sqs.messageCount(name)).toBe(1);
    await c.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));
    expect(sqs.messageCount(name)).toBe(0);
  });

  it("changes visibility singly and in batches", async () => {
    const c = client();
    const { name, url } = newQueue();
    sqs.sendMessage(name, "m1");
    sqs.sendMessage(name, "m2");
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2 }));
    const [m1, m2] = Messages;

    await c.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m1!.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await c.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(again.Messages?.[0]?.Body).toBe("m1");

    // m1's first handle is no longer the current one; a made-up handle is invalid outright.
    const stale = await errorOf(c.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m1!.ReceiptHandle, VisibilityTimeout: 10 })));
    expect(stale.name).toBe("InvalidParameterValue");
    const invalid = await errorOf(c.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: "junk", VisibilityTimeout: 10 })));
    expect(invalid.name).toBe("ReceiptHandleIsInvalid");

    const batch = await c.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "m2", ReceiptHandle: m2!.ReceiptHandle, VisibilityTimeout: 600 },
          { Id: "junk", ReceiptHandle: "junk", VisibilityTimeout: 600 },
          { Id: "too-long", ReceiptHandle: again.Messages![0]!.ReceiptHandle, VisibilityTimeout: 43_201 },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(["m2"]);
    expect(batch.Failed?.map((f) => [f.Id, f.Code])).toEqual([
      ["junk", "ReceiptHandleIsInvalid"],
      ["too-long", "InvalidParameterValue"],
    ]);
    const m2State = sqs.messages(name).find((m) => m.body === "m2");
    expect(m2State?.state).toBe("inflight");
    expect(m2State!.visibleAt - Date.now()).toBeGreaterThan(500_000);
  });

  it("hands every message to exactly one of 20 concurrent consumers", async () => {
    const c = client();
    const { name, url } = newQueue();
    const total = 400;
    for (let i = 0; i < total; i += 10) {
      await c.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `m-${i + j}` })) }),
      );
    }
    const seen: string[] = [];
    const consumer = async (): Promise<void> => {
      for (;;) {
        const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (Messages.length === 0) return;
        seen.push(...Messages.map((m) => m.Body!));
        await c.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, k) => ({ Id: `d${k}`, ReceiptHandle: m.ReceiptHandle })) }));
      }
    };
    await Promise.all(Array.from({ length: 20 }, consumer));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(sqs.counts(name)).toMatchObject({ total: 0, received: total, deleted: total });
  });
});

describe("authentication", () => {
  it("accepts credentials issued by the fake STS and logs who signed each call", async () => {
    const stsClient = new STSClient({
      region: REGION,
      endpoint: sts.endpoint,
      credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
      maxAttempts: 1,
    });
    const { Credentials } = await stsClient.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/worker`, RoleSessionName: "sqs-test" }));
    const c = client({
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    const { name, url } = newQueue();
    sqs.clearCalls();
    await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "from a role" }));
    const { Messages = [] } = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["SenderId"] }));
    expect(Messages[0]?.Attributes?.SenderId).toMatch(/^AROA[A-Z0-9]+:sqs-test$/);
    expect(sqs.calls.map((call) => [call.action, call.accessKeyId, call.status])).toEqual([
      ["SendMessage", Credentials!.AccessKeyId, 200],
      ["ReceiveMessage", Credentials!.AccessKeyId, 200],
    ]);
    expect(sqs.calls[0]?.details).toMatchObject({ queueUrl: url });
    expect(sqs.messageCount(name)).toBe(1);

    // As in AWS, the SenderId is the caller's unique id: the UserId STS reports for the same credentials.
    const roleSts = new STSClient({
      region: REGION,
      endpoint: sts.endpoint,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
      maxAttempts: 1,
    });
    const { UserId } = await roleSts.send(new GetCallerIdentityCommand({}));
    roleSts.destroy();
    expect(Messages[0]?.Attributes?.SenderId).toBe(UserId);

    // Once they expire, SQS answers ExpiredToken, and the call log says so.
    ctx.store.expire(Credentials!.AccessKeyId!, Date.now());
    const expired = await errorOf(c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "too late" })));
    expect(expired.name).toBe("ExpiredToken");
    expect(expired.$metadata?.httpStatusCode).toBe(403);
    expect(sqs.calls.at(-1)).toMatchObject({ action: "SendMessage", status: 403, errorCode: "ExpiredToken" });
  });

  it("rejects a wrong secret, an unknown key and a missing session token with the SDK's exception names", async () => {
    const { url } = newQueue();
    const wrongSecret = await errorOf(
      client({ credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: "not-the-secret" } }).send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })),
    );
    expect(wrongSecret.name).toBe("SignatureDoesNotMatch");
    expect(wrongSecret.Code).toBe("SignatureDoesNotMatch");
    const unknown = await errorOf(
      client({ credentials: { accessKeyId: "AKIAUNKNOWN00000000", secretAccessKey: "x" } }).send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })),
    );
    expect(unknown.name).toBe("InvalidClientTokenId");
    const temporary = ctx.store.issue({ lifetimeSeconds: 60, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, account: ACCOUNT, issuer: "sts", now: Date.now() });
    const noToken = await errorOf(
      client({ credentials: { accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey } }).send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }),
      ),
    );
    expect(noToken.name).toBe("InvalidClientTokenId");
    expect(sqs.count("SendMessage")).toBeGreaterThanOrEqual(3);
  });

  it("answers unsigned requests in the protocol they spoke (JSON or Query XML) instead of crashing", async () => {
    const unsigned = await fetch(sqs.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
      body: "{}",
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-query-error")).toBe("MissingAuthenticationToken;Sender");
    const query = await fetch(sqs.endpoint, { method: "POST", body: "Action=SendMessage&MessageBody=x" });
    expect(query.status).toBe(403);
    expect(query.headers.get("content-type")).toBe("text/xml");
    expect(await query.text()).toContain("<Type>Sender</Type><Code>MissingAuthenticationToken</Code>");
  });
});

describe("faults", () => {
  it("fails the next calls with 5xx and throttling errors as SQS returns them; the SDK retries them", async () => {
    const { url } = newQueue();
    sqs.faults.failNext(1, { status: 500, code: "InternalFailure", message: "boom" });
    const server = await errorOf(client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
    expect(server.name).toBe("InternalFailure");
    expect(server.$fault).toBe("server");
    expect(server.$metadata?.httpStatusCode).toBe(500);

    sqs.faults.failNext(1, { status: 400, code: "ThrottlingException", message: "Rate exceeded" });
    const throttled = await errorOf(client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
    expect(throttled.name).toBe("ThrottlingException");

    sqs.faults.failNext(1, { status: 403, code: "RequestThrottled", message: "Request is throttled." }, { action: "ReceiveMessage" });
    const sqsThrottled = await errorOf(client().send(new ReceiveMessageCommand({ QueueUrl: url })));
    expect(sqsThrottled.name).toBe("RequestThrottled");

    sqs.faults.failNext(2, { status: 503, code: "ServiceUnavailable" });
    const retried = await client({ maxAttempts: 3 }).send(new SendMessageCommand({ QueueUrl: url, MessageBody: "after retries" }));
    expect(retried.$metadata.attempts).toBe(3);
  });

  it("answers malformed bodies, hangs until the client's timeout, and adds latency", async () => {
    const { url } = newQueue();
    sqs.faults.malformNext(1);
    const malformed = await errorOf(client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
    expect(malformed.message).toMatch(/JSON|Deserialization|Unexpected/i);

    sqs.faults.hangNext(1);
    const hung = await errorOf(
      client({ requestHandler: new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true }) }).send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }),
      ),
    );
    expect(hung.name).toBe("TimeoutError");
    expect(sqs.calls.at(-1)?.fault).toBe("hang");

    sqs.faults.setLatency(250);
    const started = Date.now();
    await client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "slow" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    sqs.faults.restore();
  });

  it("closes promptly with a long poll in flight", async () => {
    const own = await startFakeSqs(ctx, { queues: ["waiting"] });
    const c = new SQSClient({
      region: REGION,
      endpoint: own.endpoint,
      credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
      maxAttempts: 1,
    });
    const poll = errorOf(c.send(new ReceiveMessageCommand({ QueueUrl: own.queueUrl("waiting"), WaitTimeSeconds: 20 })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await own.close();
    const error = await poll;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toMatch(/socket hang up|ECONNRESET|closed/i);
    c.destroy();
  });
});

describe("through startFakeAws", () => {
  it("serves SQS signed with registered static keys", async () => {
    const fake = await startFakeAws();
    try {
      const staticKeys = fake.registerStaticKeys();
      const c = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: staticKeys, maxAttempts: 1 });
      const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "via-fake-aws" }));
      await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
      expect(fake.sqs.messageCount("via-fake-aws")).toBe(1);
      fake.expireCredentials(staticKeys.accessKeyId);
      const expired = await errorOf(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
      expect(expired.name).toBe("ExpiredToken");
    } finally {
      await fake.close();
    }
  });
});
