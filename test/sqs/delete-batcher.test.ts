/**
 * Batched deletes against the fake SQS: flushed by size (10) and by time, held until then, flushed on
 * close; entries SQS fails on its side (`SenderFault: false`) retried with backoff, entries it rejects as
 * the sender's fault given up at once; and `consume` deleting everything despite partial failures.
 */
import { afterEach, describe, expect, it } from "vitest";
import { consume, type ConsumeErrorContext } from "../../src/sqs/index.js";
import { resolveBackoff } from "../../src/sqs/backoff.js";
import { recordingBatcher, receivedEntries } from "./delete-batcher-support.js";
import { delay, fakeSqsForFile, loadMessages, waitFor } from "./support.js";

const aws = fakeSqsForFile({ maxAttempts: 1, requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true } });
let queues = 0;

afterEach(() => aws.fake.sqs.faults.restore());

/** A queue holding `count` received (in-flight) messages, and the batcher's log. */
async function setUp(count: number, options: { flushDelayMs: number; maxAttempts?: number }) {
  queues += 1;
  const name = `deletes-${queues}`;
  const { queueUrl, entries } = await receivedEntries(aws.fake, aws.client, name, count, 60);
  const recorded = recordingBatcher({
    client: aws.client,
    queueUrl,
    flushDelayMs: options.flushDelayMs,
    maxAttempts: options.maxAttempts ?? 5,
    maxInFlight: 4,
    backoff: resolveBackoff({ initialDelayMs: 50, maxDelayMs: 200 }),
  });
  aws.fake.sqs.clearCalls();
  const deleteCalls = () => aws.fake.sqs.calls.filter((c) => c.action === "DeleteMessageBatch");
  return { name, entries, deleteCalls, ...recorded };
}

describe("DeleteBatcher", () => {
  it("sends a full batch of 10 at once, without waiting out the flush delay", async () => {
    const t = await setUp(10, { flushDelayMs: 60_000 });
    for (const entry of t.entries) t.batcher.add(entry);
    await waitFor(() => t.deleted.length === 10, 10_000, "10 deleted");
    expect(t.deleteCalls().map((c) => c.details.entries)).toEqual([10]);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
    await t.batcher.close(Date.now() + 5_000);
  });

  it("holds a partial batch for the flush delay, then sends it without close()", async () => {
    const t = await setUp(3, { flushDelayMs: 300 });
    const addedAt = Date.now();
    for (const entry of t.entries) t.batcher.add(entry);
    await waitFor(() => t.deleted.length === 3, 10_000, "the timed flush");
    expect(t.deleteCalls().map((c) => c.details.entries)).toEqual([3]);
    // A timer never fires early, however busy the machine: the call cannot have arrived before the delay.
    expect(t.deleteCalls()[0]!.time - addedAt).toBeGreaterThanOrEqual(290);
    await t.batcher.close(Date.now() + 5_000);
  });

  it("sends full batches and keeps the remainder until close(), which flushes it", async () => {
    const t = await setUp(25, { flushDelayMs: 60_000 });
    for (const entry of t.entries) t.batcher.add(entry);
    await waitFor(() => t.deleted.length === 20, 10_000, "two full batches");
    await delay(300);
    expect(t.deleted).toHaveLength(20);
    await t.batcher.close(Date.now() + 5_000);
    expect(t.deleted).toHaveLength(25);
    expect(t.deleteCalls().map((c) => c.details.entries)).toEqual([10, 10, 5]);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
  });

  it("retries entries SQS failed on its side with backoff, and only those", async () => {
    const t = await setUp(10, { flushDelayMs: 50 });
    aws.fake.sqs.failBatchEntries(3, { action: "DeleteMessageBatch" });
    for (const entry of t.entries) t.batcher.add(entry);
    await waitFor(() => t.deleted.length === 10, 10_000, "every entry deleted");
    await t.batcher.close(Date.now() + 5_000);
    expect(t.givenUp).toEqual([]);
    expect(new Set(t.deleted).size).toBe(10);
    // The first call fails 3 entries; the retry sends those 3 (and nothing already deleted).
    expect(t.deleteCalls().map((c) => c.details.entries)).toEqual([10, 3]);
    expect(t.errors).toEqual([{ error: expect.any(Error), kind: "transient", delayMs: expect.any(Number) }]);
    expect(t.errors[0]!.delayMs).toBeGreaterThan(0);
    expect(t.entries.filter((e) => e.attempts > 0)).toHaveLength(3);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
  });

  it("gives up at once on an entry rejected as the sender's fault, and after maxAttempts on one that keeps failing", async () => {
    const t = await setUp(3, { flushDelayMs: 50, maxAttempts: 3 });
    aws.fake.sqs.failBatchEntries(1, { action: "DeleteMessageBatch", code: "ReceiptHandleIsInvalid", senderFault: true, message: "stale" });
    t.batcher.add(t.entries[0]!);
    await waitFor(() => t.givenUp.length === 1, 10_000, "the sender-fault give-up");
    expect(t.givenUp[0]).toMatchObject({ body: t.entries[0]!.body, reason: { name: "ReceiptHandleIsInvalid", message: "stale" } });
    expect(t.entries[0]!.attempts).toBe(0);

    aws.fake.sqs.failBatchEntries(Infinity, { action: "DeleteMessageBatch" });
    t.batcher.add(t.entries[1]!);
    await waitFor(() => t.givenUp.length === 2, 10_000, "the give-up after 3 attempts");
    expect(t.entries[1]!.attempts).toBe(3);
    expect(t.deleteCalls()).toHaveLength(1 + 3);

    aws.fake.sqs.faults.restore();
    t.batcher.add(t.entries[2]!);
    await t.batcher.close(Date.now() + 5_000);
    expect(t.deleted).toEqual([t.entries[2]!.body]);
    // What was not deleted is still in the queue, to be delivered again.
    expect(aws.fake.sqs.messageCount(t.name)).toBe(2);
  });
});

describe("consume with partial DeleteMessageBatch failures", () => {
  it("retries the failed entries and deletes every message exactly once", async () => {
    const queueUrl = aws.fake.sqs.createQueue("consume-partial-deletes");
    await loadMessages(aws.client, queueUrl, 40);
    aws.fake.sqs.failBatchEntries(7, { action: "DeleteMessageBatch" });
    const errors: ConsumeErrorContext[] = [];
    const handled = new Map<string, number>();
    const consumer = consume({
      client: aws.client,
      queueUrl,
      WaitTimeSeconds: 1,
      concurrency: 10,
      backoff: { initialDelayMs: 50, maxDelayMs: 200 },
      onError: (_error, context) => errors.push(context),
      handler: (message) => {
        handled.set(message.Body!, (handled.get(message.Body!) ?? 0) + 1);
      },
    });
    await waitFor(() => consumer.counters.deleted === 40, 15_000, "40 deleted");
    await consumer.stop();

    expect(aws.fake.sqs.messageCount("consume-partial-deletes")).toBe(0);
    expect(handled.size).toBe(40);
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(consumer.counters).toMatchObject({ processed: 40, deleted: 40, deleteFailures: 0 });
    const deleteErrors = errors.filter((e) => e.operation === "DeleteMessageBatch");
    expect(deleteErrors.length).toBeGreaterThan(0);
    expect(deleteErrors.every((e) => e.kind === "transient" && (e.delayMs ?? 0) > 0)).toBe(true);
    const entriesSent = aws.fake.sqs.calls
      .filter((c) => c.action === "DeleteMessageBatch" && c.details.queueUrl === queueUrl)
      .reduce((sum, c) => sum + Number(c.details.entries), 0);
    expect(entriesSent).toBe(40 + 7);
  }, 30_000);
});
