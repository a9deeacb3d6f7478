/**
 * `consume` on FIFO queues and with dead-letter queues, end to end: the real SDK client against the
 * fake SQS's FIFO queues and redrive policies.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/random.js";
import { consume } from "../../src/sqs/index.js";
import { delay, fakeSqsForFile, waitFor } from "./support.js";

const aws = fakeSqsForFile({ requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
let counter = 0;

afterAll(() => aws.fake.sqs.faults.restore());

function fifoQueue(attributes: Record<string, string> = {}): { name: string; url: string; arn: string } {
  counter += 1;
  const name = `c-${counter}.fifo`;
  const url = aws.fake.sqs.createQueue(name, { FifoQueue: "true", ...attributes });
  return { name, url, arn: `arn:aws:sqs:${aws.fake.region}:${aws.fake.accountId}:${name}` };
}

/** Sends `[group, body]` pairs in this order (batches sent one after another, so each group keeps its order). */
async function sendInOrder(url: string, messages: readonly (readonly [string, string])[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const out = await aws.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.slice(i, i + 10).map(([group, body], j) => ({ Id: String(j), MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body })),
      }),
    );
    if (out.Failed && out.Failed.length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
  }
}

/** The group a test message was sent to, from its body ("g3:7" → g3, "a2" → a): independent of what SQS returned. */
const groupOf = (m: Message): string => {
  const body = m.Body ?? "";
  return body.includes(":") ? body.split(":")[0]! : body.charAt(0);
};

/** Records handler activity per group: order of handling, overlaps, and how many groups ran at once. */
function recorder() {
  const active = new Map<string, number>();
  const seen = new Map<string, string[]>();
  let running = 0;
  const stats = { overlaps: 0, maxGroupsAtOnce: 0, maxRunning: 0, handled: 0 };
  return {
    stats,
    seen,
    enter(message: Message): void {
      const group = groupOf(message);
      if ((active.get(group) ?? 0) > 0) stats.overlaps += 1;
      active.set(group, (active.get(group) ?? 0) + 1);
      running += 1;
      stats.maxRunning = Math.max(stats.maxRunning, running);
      stats.maxGroupsAtOnce = Math.max(stats.maxGroupsAtOnce, [...active.values()].filter((n) => n > 0).length);
      seen.set(group, [...(seen.get(group) ?? []), message.Body ?? ""]);
    },
    leave(message: Message): void {
      const group = groupOf(message);
      active.set(group, (active.get(group) ?? 1) - 1);
      running -= 1;
      stats.handled += 1;
    },
  };
}

describe("consume on a FIFO queue", () => {
  it(
    "20 groups × 25 messages at concurrency 8: every message once, each group in order, several groups at once, never two of a group",
    async () => {
      const q = fifoQueue();
      const messages: [string, string][] = [];
      for (let i = 0; i < 25; i++) for (let g = 0; g < 20; g++) messages.push([`g${g}`, `g${g}:${i}`]);
      await sendInOrder(q.url, messages);
      const random = seededRandom(16);
      const rec = recorder();
      const consumer = consume({
        client: aws.client,
        queueUrl: q.url,
        concurrency: 8,
        WaitTimeSeconds: 1,
        // Asking for other system attributes only: the consumer still gets MessageGroupId.
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        handler: async (message) => {
          rec.enter(message);
          await delay(Math.floor(random() * 8));
          rec.leave(message);
        },
      });
      await waitFor(() => consumer.counters.deleted === 500, 30_000, "all 500 messages deleted");
      await consumer.stop();

      expect(rec.stats.handled).toBe(500);
      expect(rec.stats.overlaps).toBe(0);
      expect(rec.stats.maxGroupsAtOnce).toBeGreaterThanOrEqual(3);
      expect(rec.stats.maxRunning).toBeLessThanOrEqual(8);
      for (let g = 0; g < 20; g++) {
        expect(rec.seen.get(`g${g}`)).toEqual(Array.from({ length: 25 }, (_, i) => `g${g}:${i}`));
      }
      expect(aws.fake.sqs.counts(q.name)).toMatchObject({ total: 0, received: 500, deleted: 500 });
      expect(consumer.counters).toMatchObject({ processed: 500, failed: 0, released: 0 });
    },
    40_000,
  );

  it("detects FIFO from the queue URL; fifo: false turns the group scheduling off (proof the test above can fail)", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, Array.from({ length: 8 }, (_, i) => ["A", `a${i}`] as const));
    const rec = recorder();
    const consumer = consume({
      client: aws.client,
      queueUrl: q.url,
      fifo: false,
      concurrency: 8,
      WaitTimeSeconds: 1,
      handler: async (message) => {
        rec.enter(message);
        await delay(20);
        rec.leave(message);
      },
    });
    await waitFor(() => consumer.counters.deleted === 8, 10_000, "8 deletes");
    await consumer.stop();
    expect(rec.stats.overlaps).toBeGreaterThan(0);
  });

  it(
    "keeps the running message and the ones waiting behind it invisible with heartbeats, and deletes them in batches",
    async () => {
      const q = fifoQueue();
      await sendInOrder(q.url, [
        ["A", "a0"],
        ["A", "a1"],
        ["A", "a2"],
      ]);
      const handled: string[] = [];
      const consumer = consume({
        client: aws.client,
        queueUrl: q.url,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 2,
        handler: async (message) => {
          handled.push(message.Body ?? "");
          if (message.Body === "a0") await delay(3_500);
        },
      });
      await waitFor(() => consumer.counters.deleted === 3, 10_000, "3 deletes");
      await consumer.stop();
      expect(handled).toEqual(["a0", "a1", "a2"]);
      // a1 and a2 waited 3.5 s on a 2 s visibility timeout: extended, never received twice.
      expect(consumer.counters.visibilityExtensions).toBeGreaterThanOrEqual(6);
      expect(aws.fake.sqs.counts(q.name)).toMatchObject({ received: 3, deleted: 3, total: 0 });
      expect(consumer.counters.deleteFailures).toBe(0);
      expect(aws.fake.sqs.calls.filter((c) => c.action === "DeleteMessageBatch" && c.details.queueUrl === q.url).length).toBeLessThanOrEqual(2);
    },
    15_000,
  );

  it("delivers a duplicate sent within the deduplication window once", async () => {
    const q = fifoQueue();
    await aws.client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "charge 10 EUR", MessageGroupId: "cust-1", MessageDeduplicationId: "order-7" }));
    await aws.client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "charge 10 EUR (retried)", MessageGroupId: "cust-1", MessageDeduplicationId: "order-7" }));
    await aws.client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "charge 5 EUR", MessageGroupId: "cust-1", MessageDeduplicationId: "order-8" }));
    const handled: string[] = [];
    const consumer = consume({ client: aws.client, queueUrl: q.url, WaitTimeSeconds: 1, handler: (m) => void handled.push(m.Body ?? "") });
    await waitFor(() => consumer.counters.deleted === 2, 10_000, "2 deletes");
    await delay(300);
    await consumer.stop();
    expect(handled).toEqual(["charge 10 EUR", "charge 5 EUR"]);
  });

  it(
    "a failure mid-group releases the rest of the group in order, unhandled, and redelivery keeps the order",
    async () => {
      const q = fifoQueue();
      await sendInOrder(q.url, [
        ...Array.from({ length: 6 }, (_, i) => ["A", `a${i}`] as const),
        ...Array.from({ length: 3 }, (_, i) => ["B", `b${i}`] as const),
      ]);
      const attempts: string[] = [];
      let failedOnce = false;
      const consumer = consume({
        client: aws.client,
        queueUrl: q.url,
        concurrency: 10,
        WaitTimeSeconds: 1,
        failureVisibilityTimeout: 0,
        handler: (message) => {
          attempts.push(message.Body ?? "");
          if (message.Body === "a2" && !failedOnce) {
            failedOnce = true;
            throw new Error("transient failure");
          }
        },
      });
      await waitFor(() => consumer.counters.deleted === 9, 15_000, "9 deletes");
      await consumer.stop();
      // a3..a5 were in hand behind a2: released, never run before a2 succeeded.
      expect(attempts.filter((b) => b.startsWith("a"))).toEqual(["a0", "a1", "a2", "a2", "a3", "a4", "a5"]);
      expect(attempts.filter((b) => b.startsWith("b"))).toEqual(["b0", "b1", "b2"]);
      expect(consumer.counters.failed).toBe(1);
      expect(consumer.counters.released).toBe(3);
      expect(aws.fake.sqs.counts(q.name).total).toBe(0);
    },
    20_000,
  );

  it("batch handlers get one group's messages per call, in order; after a reported failure the rest is released", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, [
      ["A", "a0"],
      ["B", "b0"],
      ["A", "a1"],
      ["B", "b1"],
      ["A", "a2"],
      ["B", "b2"],
    ]);
    const batches: string[][] = [];
    let failedOnce = false;
    const consumer = consume({
      client: aws.client,
      queueUrl: q.url,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      batchHandler: (messages) => {
        batches.push(messages.map((m) => m.Body ?? ""));
        const a1 = messages.find((m) => m.Body === "a1");
        if (a1 && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: a1.MessageId! }] };
        }
        return undefined;
      },
    });
    await waitFor(() => consumer.counters.deleted === 6, 10_000, "6 deletes");
    await consumer.stop();
    for (const batch of batches) expect(new Set(batch.map((b) => b[0])).size).toBe(1);
    const aRuns = batches.filter((b) => b[0]!.startsWith("a"));
    // First call: a0 a1 a2; a1 failed, so a2 (reported fine) is released too; then a1 a2 again, in order.
    expect(aRuns).toEqual([
      ["a0", "a1", "a2"],
      ["a1", "a2"],
    ]);
    expect(batches.filter((b) => b[0]!.startsWith("b"))).toEqual([["b0", "b1", "b2"]]);
    expect(consumer.counters).toMatchObject({ failed: 1, released: 1, deleted: 6 });
  });

  it("a batch whose first message is reported failed: nothing after it in the group is deleted, all of it is handled again in order", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, [
      ["A", "a0"],
      ["A", "a1"],
      ["A", "a2"],
    ]);
    const batches: string[][] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: q.url,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      batchHandler: (messages) => {
        batches.push(messages.map((m) => m.Body ?? ""));
        return batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: messages[0]!.MessageId! }] } : undefined;
      },
    });
    await waitFor(() => consumer.counters.deleted === 3, 10_000, "3 deletes");
    await consumer.stop();
    expect(batches).toEqual([
      ["a0", "a1", "a2"],
      ["a0", "a1", "a2"],
    ]);
    expect(consumer.counters).toMatchObject({ failed: 1, released: 2, processed: 3, deleted: 3 });
  });

  it("holds one poller slot per message group in hand, until the group has nothing left: no receive while all are taken", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, [
      ["A", "a0"],
      ["A", "a1"],
      ["B", "b0"],
    ]);
    const gates = new Map<string, () => void>();
    const consumer = consume({
      client: aws.client,
      queueUrl: q.url,
      concurrency: 2,
      WaitTimeSeconds: 1,
      handler: (message) => new Promise<void>((resolve) => gates.set(message.Body ?? "", resolve)),
    });
    // First receive: a0 and a1 (one group, one slot); second: b0 (the other slot).
    await waitFor(() => gates.has("a0") && gates.has("b0"), 10_000, "a0 and b0 running");
    expect(consumer.counters.polls).toBe(2);
    await sendInOrder(q.url, [["C", "c0"]]);
    // Both slots taken: no poll, so c0 waits at SQS (a poll would return it at once).
    await delay(300);
    expect(consumer.counters.polls).toBe(2);
    gates.get("a0")!();
    await waitFor(() => gates.has("a1"), 10_000, "a1 running");
    // a0 is done but A still has a1 in hand: its slot stays taken.
    await delay(300);
    expect(consumer.counters.polls).toBe(2);
    expect(aws.fake.sqs.counts(q.name)).toMatchObject({ received: 3 });
    gates.get("a1")!();
    await waitFor(() => gates.has("c0"), 10_000, "c0 running once A is done");
    gates.get("b0")!();
    gates.get("c0")!();
    await waitFor(() => consumer.counters.deleted === 4, 10_000, "4 deletes");
    await consumer.stop();
    expect(consumer.counters).toMatchObject({ processed: 4, failed: 0, released: 0 });
  });

  it("stop() aborts the in-flight long poll at once and hands back, in order, what waits behind a running handler", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, Array.from({ length: 5 }, (_, i) => ["A", `a${i}`] as const));
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: q.url,
      WaitTimeSeconds: 20,
      concurrency: 8,
      handler: async (message) => {
        handled.push(message.Body ?? "");
        await blocked;
      },
    });
    await waitFor(() => handled.length === 1 && consumer.counters.polls >= 2, 10_000, "a0 running and the next long poll waiting");
    const stopping = consumer.stop();
    setTimeout(release, 50);
    const started = Date.now();
    await stopping;
    // The 20 s long poll did not hold stop(); only the running handler (50 ms) did.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(handled).toEqual(["a0"]);
    expect(consumer.counters).toMatchObject({ processed: 1, deleted: 1, released: 4 });
    const again = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect((again.Messages ?? []).map((m) => m.Body)).toEqual(["a1", "a2", "a3", "a4"]);
  });

  it(
    "an abandoned batch handler that reports a failure after stop() sends no release: no SQS call once stop() resolved",
    async () => {
      const q = fifoQueue();
      await sendInOrder(q.url, Array.from({ length: 3 }, (_, i) => ["A", `a${i}`] as const));
      const consumer = consume({
        client: aws.client,
        queueUrl: q.url,
        WaitTimeSeconds: 1,
        stopTimeoutMs: 200,
        batchHandler: (messages, { signal }) =>
          new Promise((resolve) => {
            signal.addEventListener("abort", () => setTimeout(() => resolve({ batchItemFailures: [{ itemIdentifier: messages[0]!.MessageId! }] }), 100));
          }),
      });
      await waitFor(() => consumer.counters.inFlight === 3, 5_000, "the batch to start");
      await consumer.stop();
      const callsAtStop = aws.fake.sqs.calls.filter((c) => c.details.queueUrl === q.url).length;
      await delay(500);
      expect(aws.fake.sqs.calls.filter((c) => c.details.queueUrl === q.url).length).toBe(callsAtStop);
      expect(consumer.counters.released).toBe(0);
    },
    10_000,
  );

  it("stop() on an idle FIFO consumer returns without waiting out the long poll", async () => {
    const q = fifoQueue();
    const consumer = consume({ client: aws.client, queueUrl: q.url, WaitTimeSeconds: 20, handler: () => undefined });
    await waitFor(() => consumer.counters.polls >= 1, 5_000, "the first poll");
    await delay(100);
    const started = Date.now();
    await consumer.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("retries a failed receive with the same ReceiveRequestAttemptId, and uses a new one for the next receive", async () => {
    const q = fifoQueue();
    await sendInOrder(q.url, [["A", "a0"]]);
    aws.fake.sqs.clearCalls();
    aws.fake.sqs.faults.failNext(4, { status: 500, code: "InternalFailure", message: "We encountered an internal error." }, { action: "ReceiveMessage" });
    const consumer = consume({ client: aws.client, queueUrl: q.url, WaitTimeSeconds: 1, backoff: { initialDelayMs: 10, maxDelayMs: 20 }, handler: () => undefined });
    await waitFor(() => consumer.counters.deleted === 1, 10_000, "the delete");
    const receives = (): typeof aws.fake.sqs.calls => aws.fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === q.url);
    await waitFor(() => receives().length >= 6, 5_000, "a later receive");
    await consumer.stop();
    const ids = receives().map((c) => c.details.receiveRequestAttemptId as string);
    // Four failures and the success that followed are one attempt; the receive after it is a new one.
    expect(ids[0]).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(ids.slice(0, 5)).toEqual(Array(5).fill(ids[0]));
    expect(ids[5]).not.toBe(ids[0]);
  });
});

describe("dead-letter queues with consume", () => {
  /** A FIFO source with a FIFO DLQ (maxReceiveCount 2), loaded with a poison message at the head of group P. */
  async function poisonedFifo(): Promise<{ source: ReturnType<typeof fifoQueue>; dlq: ReturnType<typeof fifoQueue> }> {
    const dlq = fifoQueue();
    const source = fifoQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await sendInOrder(source.url, [
      ["P", "poison"],
      ["P", "p1"],
      ["Q", "q0"],
      ["P", "p2"],
      ["Q", "q1"],
    ]);
    return { source, dlq };
  }

  function poisonHandler(attempts: string[], receiveCounts: number[]): (message: Message) => void {
    return (message) => {
      attempts.push(message.Body ?? "");
      if (message.Body === "poison") {
        receiveCounts.push(Number(message.Attributes?.ApproximateReceiveCount));
        throw new Error("cannot parse");
      }
    };
  }

  it(
    "FIFO, one message per receive: a poison message with maxReceiveCount 2 lands in the DLQ while the rest, its own group included, is handled in order",
    async () => {
      const { source, dlq } = await poisonedFifo();
      const attempts: string[] = [];
      const receiveCounts: number[] = [];
      const consumer = consume({
        client: aws.client,
        queueUrl: source.url,
        WaitTimeSeconds: 1,
        concurrency: 4,
        MaxNumberOfMessages: 1,
        // The recipe: retry at once the first time, then back off; the redrive policy caps the attempts.
        failureVisibilityTimeout: ({ receiveCount }) => ((receiveCount ?? 1) < 2 ? 0 : 1),
        handler: poisonHandler(attempts, receiveCounts),
      });
      await waitFor(() => consumer.counters.deleted === 4, 15_000, "the 4 good messages deleted");
      await consumer.stop();
      expect(attempts.filter((b) => b.startsWith("p"))).toEqual(["poison", "poison", "p1", "p2"]);
      expect(attempts.filter((b) => b.startsWith("q"))).toEqual(["q0", "q1"]);
      expect(receiveCounts).toEqual([1, 2]);
      expect(aws.fake.sqs.counts(source.name)).toMatchObject({ total: 0, deadLettered: 1 });
      const inDlq = aws.fake.sqs.messages(dlq.name);
      expect(inDlq.map((m) => [m.body, m.messageGroupId, m.deadLetterQueueSourceArn])).toEqual([["poison", "P", source.arn]]);
    },
    20_000,
  );

  it(
    "FIFO, batch receives: only the poison reaches the DLQ; the messages received behind it once are handled after it (receives go one at a time while it awaits its retry)",
    async () => {
      const { source, dlq } = await poisonedFifo();
      const attempts: string[] = [];
      const receiveCounts: number[] = [];
      const consumer = consume({
        client: aws.client,
        queueUrl: source.url,
        WaitTimeSeconds: 1,
        failureVisibilityTimeout: 0,
        handler: poisonHandler(attempts, receiveCounts),
      });
      await waitFor(() => consumer.counters.deleted === 4 && aws.fake.sqs.messageCount(dlq.name) === 1, 15_000, "q0 q1 p1 p2 handled, P dead-lettered");
      await consumer.stop();
      // p1 and p2 came with the poison's first receive (counted once, released), then after it, in order.
      expect(attempts.filter((b) => b.startsWith("p"))).toEqual(["poison", "poison", "p1", "p2"]);
      expect(attempts.filter((b) => b.startsWith("q"))).toEqual(["q0", "q1"]);
      expect(consumer.counters.released).toBe(2);
      expect(aws.fake.sqs.messages(dlq.name).map((m) => [m.body, m.receiveCount])).toEqual([["poison", 2]]);
    },
    20_000,
  );

  it("a poison message on a standard queue reaches the DLQ with its body and attributes", async () => {
    counter += 1;
    const dlqName = `dlq-${counter}`;
    aws.fake.sqs.createQueue(dlqName);
    const dlqArn = `arn:aws:sqs:${aws.fake.region}:${aws.fake.accountId}:${dlqName}`;
    const url = aws.fake.sqs.createQueue(`src-${counter}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    await aws.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: "{bad json", MessageAttributes: { tenant: { DataType: "String", StringValue: "t-9" } } }),
    );
    for (let i = 0; i < 5; i++) await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ n: i }) }));
    const parsed: number[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      handler: (message) => {
        parsed.push((JSON.parse(message.Body ?? "") as { n: number }).n);
      },
    });
    await waitFor(() => consumer.counters.deleted === 5 && aws.fake.sqs.messageCount(dlqName) === 1, 15_000, "5 handled, 1 dead-lettered");
    await consumer.stop();
    expect(parsed.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(consumer.counters.failed).toBe(2);
    const [dead] = aws.fake.sqs.messages(dlqName);
    expect(dead).toMatchObject({ body: "{bad json", messageAttributes: { tenant: { DataType: "String", StringValue: "t-9" } } });
    const attributes = await aws.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe("0");
  });
});
