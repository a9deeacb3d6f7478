/**
 * The fake SQS's FIFO queues and redrive policies, driven by the real SDK client over HTTP.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeContext } from "../../src/testing/core/context.js";
import { CredentialStore, type KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeSqs, type FakeSqsHandle } from "../../src/testing/sqs/service.js";
import { clearAwsEnv } from "../sqs/support.js";
import { errorOf, type SdkError } from "./support/sdk-error.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
/** The fake's clock runs this far ahead of the wall clock (dedup window tests move it). */
let clockOffsetMs = 0;
let ctx: FakeContext;
let sqs: FakeSqsHandle & { close(): Promise<void> };
let keys: KnownCredentials;
let client: SQSClient;
let counter = 0;


function fifoQueue(attributes: Record<string, string> = {}): { name: string; url: string; arn: string } {
  counter += 1;
  const name = `f-${counter}.fifo`;
  const url = sqs.createQueue(name, { FifoQueue: "true", ...attributes });
  return { name, url, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` };
}

function standardQueue(attributes: Record<string, string> = {}): { name: string; url: string; arn: string } {
  counter += 1;
  const name = `s-${counter}`;
  const url = sqs.createQueue(name, attributes);
  return { name, url, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` };
}

async function send(url: string, body: string, group: string, dedup = body): Promise<{ MessageId?: string; SequenceNumber?: string }> {
  return client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
}

async function receive(url: string, max = 10, extra: { VisibilityTimeout?: number; ReceiveRequestAttemptId?: string; WaitTimeSeconds?: number } = {}): Promise<Message[]> {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: extra.WaitTimeSeconds ?? 0,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
      ...(extra.VisibilityTimeout !== undefined ? { VisibilityTimeout: extra.VisibilityTimeout } : {}),
      ...(extra.ReceiveRequestAttemptId !== undefined ? { ReceiveRequestAttemptId: extra.ReceiveRequestAttemptId } : {}),
    }),
  );
  return out.Messages ?? [];
}

const bodies = (messages: Message[]): string[] => messages.map((m) => m.Body ?? "");

beforeAll(async () => {
  clearAwsEnv();
  ctx = { store: new CredentialStore(), region: REGION, accountId: ACCOUNT, now: () => Date.now() + clockOffsetMs };
  sqs = await startFakeSqs(ctx);
  keys = ctx.store.add({
    accessKeyId: "AKIAFIFOTESTKEY00001",
    secretAccessKey: "fifo-test-secret",
    arn: `arn:aws:iam::${ACCOUNT}:user/fifo`,
    account: ACCOUNT,
    issuer: "static",
  });
  client = new SQSClient({
    region: REGION,
    endpoint: sqs.endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await sqs.close();
});

describe("FIFO queue creation and attributes", () => {
  it("needs both the .fifo name and FifoQueue=true, worded as SQS words it", async () => {
    const noAttribute = await errorOf(client.send(new CreateQueueCommand({ QueueName: "orders.fifo" })));
    expect(noAttribute.name).toBe("InvalidParameterValue");
    expect(noAttribute.message).toBe("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    const noSuffix = await errorOf(client.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { FifoQueue: "true" } })));
    expect(noSuffix.name).toBe("InvalidParameterValue");
    expect(noSuffix.message).toBe(
      "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
    );
    const created = await client.send(new CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true" } }));
    expect(created.QueueUrl).toBe(sqs.queueUrl("orders.fifo"));
  });

  it("accepts FifoThroughputLimit and DeduplicationScope, reports FIFO defaults and the QueueArn", async () => {
    const q = fifoQueue({ DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
    const plain = fifoQueue();
    const all = await client.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["All"] }));
    expect(all.Attributes).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "false",
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
      QueueArn: q.arn,
    });
    const defaults = await client.send(new GetQueueAttributesCommand({ QueueUrl: plain.url, AttributeNames: ["All"] }));
    expect(defaults.Attributes).toMatchObject({ DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" });
    const bad = await errorOf(client.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { DeduplicationScope: "group" } })));
    expect(bad.name).toBe("InvalidAttributeValue");
    expect(bad.message).toBe("Invalid value for the parameter DeduplicationScope.");
  });

  it("refuses FIFO attributes on a standard queue and changing a queue's type", async () => {
    const s = standardQueue();
    const unknown = await errorOf(client.send(new SetQueueAttributesCommand({ QueueUrl: s.url, Attributes: { ContentBasedDeduplication: "true" } })));
    expect(unknown.name).toBe("InvalidAttributeName");
    expect(unknown.message).toBe("Unknown Attribute ContentBasedDeduplication.");
    const f = fifoQueue();
    const change = await errorOf(client.send(new SetQueueAttributesCommand({ QueueUrl: f.url, Attributes: { FifoQueue: "false" } })));
    expect(change.name).toBe("InvalidAttributeValue");
  });
});

describe("FIFO sends", () => {
  it("requires MessageGroupId and a deduplication id (or content-based deduplication)", async () => {
    const q = fifoQueue();
    const noGroup = await errorOf(client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "x", MessageDeduplicationId: "d" })));
    expect(noGroup.name).toBe("MissingParameter");
    expect(noGroup.message).toBe("The request must contain the parameter MessageGroupId.");
    const noDedup = await errorOf(client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "x", MessageGroupId: "g" })));
    expect(noDedup.name).toBe("InvalidParameterValue");
    expect(noDedup.message).toBe("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    const delayed = await errorOf(
      client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 })),
    );
    expect(delayed.message).toBe("Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
    const badGroup = await errorOf(client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "x", MessageGroupId: "a b", MessageDeduplicationId: "d" })));
    expect(badGroup.name).toBe("InvalidParameterValue");
    expect(sqs.counts(q.name).sent).toBe(0);
  });

  it("refuses MessageDeduplicationId on a standard queue", async () => {
    const s = standardQueue();
    const error = await errorOf(client.send(new SendMessageCommand({ QueueUrl: s.url, MessageBody: "x", MessageDeduplicationId: "d" })));
    expect(error.name).toBe("InvalidParameterValue");
    expect(error.message).toBe("Value d for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.");
  });

  it("answers SequenceNumbers that grow, and the batch send validates per entry", async () => {
    const q = fifoQueue();
    const first = await send(q.url, "1", "g");
    const second = await send(q.url, "2", "h");
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(second.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: "ok", MessageBody: "3", MessageGroupId: "g", MessageDeduplicationId: "3" },
          { Id: "nogroup", MessageBody: "4", MessageDeduplicationId: "4" },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(["ok"]);
    expect(batch.Successful?.[0]?.SequenceNumber).toMatch(/^\d{20}$/);
    expect(batch.Failed?.[0]).toMatchObject({ Id: "nogroup", SenderFault: true, Code: "MissingParameter" });
  });
});

describe("FIFO delivery", () => {
  it("delivers each group in order, as many of one group as possible, oldest group first", async () => {
    const q = fifoQueue();
    for (const [body, group] of [["a1", "A"], ["b1", "B"], ["a2", "A"], ["b2", "B"], ["a3", "A"]] as const) await send(q.url, body, group);
    const got = await receive(q.url, 10);
    expect(bodies(got)).toEqual(["a1", "a2", "a3", "b1", "b2"]);
    expect(got[0]?.Attributes).toMatchObject({ MessageGroupId: "A", MessageDeduplicationId: "a1", ApproximateReceiveCount: "1" });
    const seq = got.map((m) => BigInt(m.Attributes!.SequenceNumber!));
    // a1 < a2 < a3 (send order within A), and b1 < b2.
    expect(seq[0]! < seq[1]! && seq[1]! < seq[2]! && seq[3]! < seq[4]!).toBe(true);
  });

  it("holds a group while any of its messages is in flight, even when an earlier one is visible again", async () => {
    const q = fifoQueue();
    for (const body of ["a1", "a2", "a3"]) await send(q.url, body, "A");
    await send(q.url, "b1", "B");
    const [a1, a2] = await receive(q.url, 2);
    expect(bodies([a1!, a2!])).toEqual(["a1", "a2"]);
    expect(bodies(await receive(q.url, 10))).toEqual(["b1"]);
    // a1 visible again, a2 still in flight: nothing of A may go.
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: q.url, ReceiptHandle: a1!.ReceiptHandle!, VisibilityTimeout: 0 }));
    expect(await receive(q.url, 10)).toEqual([]);
    // a2 back too: A resumes from a1, in order.
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: q.url, ReceiptHandle: a2!.ReceiptHandle!, VisibilityTimeout: 0 }));
    const again = await receive(q.url, 10);
    expect(bodies(again)).toEqual(["a1", "a2", "a3"]);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("keeps a long group in order through thousands of receives and deletes", async () => {
    const q = fifoQueue();
    const total = 1_500;
    for (let i = 0; i < total; i += 10) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: q.url,
          Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: String(i + j), MessageGroupId: "long", MessageDeduplicationId: String(i + j) })),
        }),
      );
    }
    const seen: string[] = [];
    for (let round = 0; round < 200 && seen.length < total; round++) {
      const got = await receive(q.url, 10);
      seen.push(...bodies(got));
      if (got.length === 0) break;
      await client.send(
        new DeleteMessageBatchCommand({ QueueUrl: q.url, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => String(i)));
    expect(sqs.counts(q.name).total).toBe(0);
  }, 30_000);

  it("wakes a waiting long poll when a delete frees the group", async () => {
    const q = fifoQueue();
    await send(q.url, "a1", "A");
    await send(q.url, "a2", "A");
    const [a1] = await receive(q.url, 1);
    const started = Date.now();
    const polling = receive(q.url, 10, { WaitTimeSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: a1!.ReceiptHandle! }));
    expect(bodies(await polling)).toEqual(["a2"]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("FIFO deduplication", () => {
  it("acknowledges a duplicate id within 5 minutes with the first send's id and sequence number, and delivers it once", async () => {
    const q = fifoQueue();
    const first = await send(q.url, "pay 10", "A", "order-1");
    const again = await send(q.url, "pay 10 (retry)", "A", "order-1");
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.SequenceNumber).toBe(first.SequenceNumber);
    expect(bodies(await receive(q.url, 10))).toEqual(["pay 10"]);
    expect(sqs.counts(q.name).sent).toBe(1);
  });

  it("keeps tracking an id after its message was deleted, and forgets it after 5 minutes", async () => {
    const q = fifoQueue();
    await send(q.url, "x", "A", "same");
    const [m] = await receive(q.url, 1);
    await client.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: m!.ReceiptHandle! }));
    await send(q.url, "x", "A", "same");
    expect(await receive(q.url, 10)).toEqual([]);
    clockOffsetMs = 5 * 60 * 1000 + 1_000;
    try {
      await send(q.url, "x", "A", "same");
      expect(bodies(await receive(q.url, 10))).toEqual(["x"]);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("derives the id from the body with ContentBasedDeduplication, and scopes it to the group with DeduplicationScope=messageGroup", async () => {
    const q = fifoQueue({ ContentBasedDeduplication: "true" });
    await client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "same", MessageGroupId: "A" }));
    await client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "same", MessageGroupId: "B" }));
    await client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "other", MessageGroupId: "A" }));
    expect(bodies(await receive(q.url, 10)).sort()).toEqual(["other", "same"]);

    const scoped = fifoQueue({ ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup" });
    await client.send(new SendMessageCommand({ QueueUrl: scoped.url, MessageBody: "same", MessageGroupId: "A" }));
    await client.send(new SendMessageCommand({ QueueUrl: scoped.url, MessageBody: "same", MessageGroupId: "B" }));
    await client.send(new SendMessageCommand({ QueueUrl: scoped.url, MessageBody: "same", MessageGroupId: "B" }));
    expect(bodies(await receive(scoped.url, 10))).toEqual(["same", "same"]);
  });
});

describe("ReceiveRequestAttemptId", () => {
  it("returns the same messages and receipt handles on a retry, until one of them is touched", async () => {
    const q = fifoQueue();
    await send(q.url, "a1", "A");
    await send(q.url, "a2", "A");
    const first = await receive(q.url, 10, { ReceiveRequestAttemptId: "attempt-1" });
    const retry = await receive(q.url, 10, { ReceiveRequestAttemptId: "attempt-1" });
    expect(retry.map((m) => m.ReceiptHandle)).toEqual(first.map((m) => m.ReceiptHandle));
    expect(bodies(retry)).toEqual(["a1", "a2"]);
    // Without the id, the group is held: nothing.
    expect(await receive(q.url, 10)).toEqual([]);
    await client.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: first[0]!.ReceiptHandle! }));
    expect(await receive(q.url, 10, { ReceiveRequestAttemptId: "attempt-1" })).toEqual([]);
  });

  it("is ignored on a standard queue", async () => {
    const s = standardQueue();
    sqs.sendMessage(s.name, "one");
    sqs.sendMessage(s.name, "two");
    const first = await receive(s.url, 1, { ReceiveRequestAttemptId: "x" });
    const second = await receive(s.url, 1, { ReceiveRequestAttemptId: "x" });
    expect(bodies([...first, ...second]).sort()).toEqual(["one", "two"]);
  });
});

describe("RedrivePolicy", () => {
  const policy = (arn: string, maxReceiveCount: number | string): string => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount });

  it("moves a message received maxReceiveCount times to the DLQ on the next receive, keeping id, body, attributes and count", async () => {
    const dlq = standardQueue();
    const source = standardQueue({ RedrivePolicy: policy(dlq.arn, 2) });
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: "poison",
        MessageAttributes: { kind: { DataType: "String", StringValue: "order" } },
      }),
    );
    expect(bodies(await receive(source.url, 1, { VisibilityTimeout: 0 }))).toEqual(["poison"]);
    expect(bodies(await receive(source.url, 1, { VisibilityTimeout: 0 }))).toEqual(["poison"]);
    expect(await receive(source.url, 1)).toEqual([]);
    expect(sqs.counts(source.name)).toMatchObject({ total: 0, deadLettered: 1, deleted: 0 });
    const [moved] = await receive(dlq.url, 1);
    expect(moved).toMatchObject({ MessageId: sent.MessageId, Body: "poison", MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } });
    expect(moved?.Attributes).toMatchObject({ ApproximateReceiveCount: "3", DeadLetterQueueSourceArn: source.arn });
  });

  it("in a FIFO queue, moves the poison message and lets the rest of its group through in order", async () => {
    const dlq = fifoQueue();
    const source = fifoQueue({ RedrivePolicy: policy(dlq.arn, "1") });
    for (const body of ["a1", "a2"]) await send(source.url, body, "A");
    expect(bodies(await receive(source.url, 1, { VisibilityTimeout: 0 }))).toEqual(["a1"]);
    expect(bodies(await receive(source.url, 10))).toEqual(["a2"]);
    const [moved] = await receive(dlq.url, 1);
    expect(moved?.Body).toBe("a1");
    expect(moved?.Attributes).toMatchObject({ MessageGroupId: "A", DeadLetterQueueSourceArn: source.arn });
  });

  it("refuses policies SQS refuses", async () => {
    const dlq = standardQueue();
    const fifo = fifoQueue();
    const s = standardQueue();
    const set = (value: string): Promise<SdkError> => errorOf(client.send(new SetQueueAttributesCommand({ QueueUrl: s.url, Attributes: { RedrivePolicy: value } })));
    const missing = await set(policy(`arn:aws:sqs:${REGION}:${ACCOUNT}:nope`, 3));
    expect(missing.name).toBe("InvalidParameterValue");
    expect(missing.message).toMatch(/for parameter RedrivePolicy is invalid\. Reason: Dead letter target does not exist\.$/);
    expect((await set(policy(fifo.arn, 3))).message).toMatch(/Reason: Dead-letter queue must be same type of queue as the source\.$/);
    expect((await set(policy(dlq.arn, 0))).message).toMatch(/Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive\.$/);
    expect((await set(JSON.stringify({ maxReceiveCount: 3 }))).message).toMatch(/does not contain mandatory attribute: deadLetterTargetArn\.$/);
    const allow = await errorOf(
      client.send(new SetQueueAttributesCommand({ QueueUrl: dlq.url, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "sometimes" }) } })),
    );
    expect(allow.name).toBe("InvalidAttributeValue");
    await client.send(
      new SetQueueAttributesCommand({
        QueueUrl: dlq.url,
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [s.arn] }) },
      }),
    );
    await client.send(new SetQueueAttributesCommand({ QueueUrl: s.url, Attributes: { RedrivePolicy: policy(dlq.arn, 3) } }));
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: s.url, AttributeNames: ["RedrivePolicy"] }));
    expect(JSON.parse(attributes.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });
  });
});
