/**
 * FIFO with a dead-letter queue, safe by default: a poison message goes to the DLQ alone, the healthy
 * messages of its group received with it are handled. `consume` reads the RedrivePolicy once (one
 * GetQueueAttributes); denied, it warns and keeps the safe rule. Real SDK client, fake SQS (FIFO + redrive).
 */
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { consume } from "../../src/sqs/index.js";
import { PoisonGuard } from "../../src/sqs/poison-guard.js";
import { fakeSqsForFile, waitFor } from "./support.js";

const aws = fakeSqsForFile();
let counter = 0;

afterEach(() => aws.fake.sqs.faults.restore());

function fifoWithDlq(maxReceiveCount: number): { name: string; url: string; dlq: string } {
  counter += 1;
  const dlq = `dlq-${counter}.fifo`;
  aws.fake.sqs.createQueue(dlq, { FifoQueue: "true" });
  const name = `orders-${counter}.fifo`;
  const url = aws.fake.sqs.createQueue(name, {
    FifoQueue: "true",
    ContentBasedDeduplication: "true",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${aws.fake.region}:${aws.fake.accountId}:${dlq}`, maxReceiveCount }),
  });
  return { name, url, dlq };
}

async function send(url: string, group: string, bodies: string[]): Promise<void> {
  await aws.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body, MessageGroupId: group })) }));
}

describe("consume on a FIFO queue with a dead-letter queue", () => {
  it("only the poison message reaches the DLQ; the nine received behind it, and another group, are handled", async () => {
    const { name, url, dlq } = fifoWithDlq(3);
    await send(url, "g", ["poison", ...Array.from({ length: 9 }, (_, i) => `g${i + 1}`)]);
    await send(url, "h", Array.from({ length: 10 }, (_, i) => `h${i}`));
    const handled: string[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      concurrency: 4,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      telemetry: false,
      onError: () => undefined,
      handler: (message) => {
        if (message.Body === "poison") throw new Error("cannot parse");
        handled.push(message.Body!);
      },
    });
    await waitFor(() => handled.length === 19 && aws.fake.sqs.messageCount(dlq) === 1, 20_000, "19 handled and one dead-lettered");
    await consumer.stop();
    expect(aws.fake.sqs.messages(dlq).map((m) => m.body)).toEqual(["poison"]);
    expect(aws.fake.sqs.messageCount(name)).toBe(0);
    expect(handled.filter((b) => b.startsWith("g"))).toEqual(Array.from({ length: 9 }, (_, i) => `g${i + 1}`));
    expect(aws.fake.sqs.calls.filter((c) => c.action === "GetQueueAttributes" && c.details.queueUrl === url)).toHaveLength(1);
  });

  it("warns when the RedrivePolicy cannot be read, and still keeps healthy messages out of the DLQ", async () => {
    const { url, dlq } = fifoWithDlq(2);
    aws.fake.sqs.faults.failNext(1, { status: 400, code: "AccessDenied", message: "not allowed" }, { action: "GetQueueAttributes" });
    await send(url, "g", ["poison", "g1", "g2", "g3"]);
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (line: string) => void warnings.push(line) };
    const handled: string[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      telemetry: false,
      logger,
      handler: (message) => {
        if (message.Body === "poison") throw new Error("cannot parse");
        handled.push(message.Body!);
      },
    });
    await waitFor(() => handled.length === 3 && aws.fake.sqs.messageCount(dlq) === 1, 20_000, "3 handled and one dead-lettered");
    await consumer.stop();
    expect(warnings.some((w) => /could not read the RedrivePolicy.*sqs:GetQueueAttributes.*AccessDenied/.test(w))).toBe(true);
    expect(aws.fake.sqs.messages(dlq).map((m) => m.body)).toEqual(["poison"]);
  });
});

describe("PoisonGuard", () => {
  it("one message per receive while a failed message awaits its retry; full receives again once it succeeded, expired or is bound for the DLQ", () => {
    const guard = new PoisonGuard();
    expect(guard.maxMessages(0)).toBe(Infinity);
    guard.failed("m1", 1, 0);
    expect(guard.maxMessages(0)).toBe(1); // policy not read yet: assume a DLQ
    guard.policy(3);
    guard.succeeded("m1");
    expect(guard.maxMessages(0)).toBe(Infinity);
    guard.failed("m2", 2, 0);
    expect(guard.maxMessages(1)).toBe(1);
    guard.failed("m2", 3, 1); // its next receive moves it to the DLQ
    expect(guard.maxMessages(1)).toBe(Infinity);
    guard.failed("m3", 1, 0);
    expect(guard.maxMessages(5 * 60_000)).toBe(Infinity); // not heard of for 5 minutes
    guard.policy(undefined); // no DLQ: nothing to guard
    guard.failed("m4", 1, 0);
    expect(guard.maxMessages(0)).toBe(Infinity);
    guard.policy(1);
    expect(guard.maxMessages(0)).toBe(1);
  });
});
