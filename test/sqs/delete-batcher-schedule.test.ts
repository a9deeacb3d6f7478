/**
 * The DeleteBatcher's schedules, on fake timers (setTimeout and Date only: the SDK and the fake SQS still
 * talk real HTTP on loopback): retry delays clamped to close()'s deadline, retries still pending at the
 * deadline given up (by the cut-off, or by the retry itself when it falls due at the deadline), retries and
 * adds before the deadline still sent, a fatal whole-call error, the growth of retry delays, and `Failed`
 * entries SQS should never send (unknown or missing Id) ignored.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveBackoff, type BackoffPolicy } from "../../src/sqs/backoff.js";
import { recordingBatcher, receivedEntries, type Entry } from "./delete-batcher-support.js";
import { fakeClient, fakeSqsForFile } from "./support.js";

const aws = fakeSqsForFile({ maxAttempts: 1 });
let queues = 0;

afterEach(() => {
  vi.useRealTimers();
  aws.fake.sqs.faults.restore();
});

interface Options {
  flushDelayMs?: number;
  maxAttempts?: number;
  maxInFlight?: number;
  backoff?: Partial<BackoffPolicy>;
  client?: SQSClient;
}

/** Lets real I/O (HTTP on loopback) run, without moving the fake clock, until `predicate` holds. */
async function settle(predicate: () => boolean, what: string): Promise<void> {
  const start = process.hrtime.bigint();
  while (!predicate()) {
    if (process.hrtime.bigint() - start > 10_000_000_000n) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `count` received messages of a fresh queue, a batcher over them, its log; then fake timers. */
async function setUp(count: number, options: Options = {}) {
  queues += 1;
  const name = `schedule-${queues}`;
  const { queueUrl, entries } = await receivedEntries(aws.fake, aws.client, name, count, 600);
  const recorded = recordingBatcher({
    client: options.client ?? aws.client,
    queueUrl,
    flushDelayMs: options.flushDelayMs ?? 60_000,
    maxAttempts: options.maxAttempts ?? 5,
    maxInFlight: options.maxInFlight ?? 4,
    backoff: resolveBackoff({ initialDelayMs: 1_000, maxDelayMs: 1_000, ...options.backoff }),
  });
  aws.fake.sqs.clearCalls();
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: Date.now() });
  const deleteCalls = () => aws.fake.sqs.calls.filter((c) => c.action === "DeleteMessageBatch").map((c) => Number(c.details.entries));
  let closed = false;
  const close = (deadline: number) => void recorded.batcher.close(deadline).then(() => (closed = true));
  return { name, entries, deleteCalls, close, isClosed: () => closed, ...recorded };
}

const messageOf = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

describe("DeleteBatcher schedules (fake timers)", () => {
  it("clamps a retry's delay to close()'s deadline, and gives up what still waits to be retried when it passes", async () => {
    const t = await setUp(3);
    aws.fake.sqs.failBatchEntries(Infinity, { action: "DeleteMessageBatch" });
    for (const entry of t.entries) t.batcher.add(entry);
    expect(t.deleteCalls()).toEqual([]); // held for the flush delay
    t.close(Date.now() + 200);
    await settle(() => t.errors.length === 1, "the failed first call");
    // The backoff alone says 500..1000 ms; the deadline is 200 ms away.
    expect(t.errors).toEqual([{ error: expect.any(Error), kind: "transient", delayMs: 200 }]);

    await vi.advanceTimersByTimeAsync(199);
    expect(t.givenUp).toEqual([]);
    expect(t.isClosed()).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    await settle(() => t.isClosed(), "close() to resolve");
    expect(t.givenUp.map((g) => g.body).sort()).toEqual(t.entries.map((e) => e.body).sort());
    for (const g of t.givenUp) expect(messageOf(g.reason)).toMatch(/stop timeout reached/);
    expect(t.deleteCalls()).toEqual([3]);

    // Closed: a late add is given up at once, and sends nothing.
    const late: Entry = { receiptHandle: "late", attempts: 0, body: "late" };
    t.batcher.add(late);
    expect(t.givenUp.at(-1)).toMatchObject({ body: "late" });
    expect(messageOf(t.givenUp.at(-1)!.reason)).toMatch(/consumer has stopped/);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.deleteCalls()).toEqual([3]);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(3);
  });

  it("gives up a retry that falls due at the deadline itself, instead of sending it after close()", async () => {
    const t = await setUp(3, { flushDelayMs: 10 });
    aws.fake.sqs.failBatchEntries(Infinity, { action: "DeleteMessageBatch", code: "InternalError", message: "try later" });
    for (const entry of t.entries) t.batcher.add(entry);
    await vi.advanceTimersByTimeAsync(10);
    await settle(() => t.errors.length === 1, "the failed first call");
    const delayMs = t.errors[0]!.delayMs!;
    expect(delayMs).toBeGreaterThanOrEqual(500);
    expect(delayMs).toBeLessThanOrEqual(1_000);

    // The retry timer (armed first) and close()'s cut-off fall due together: the retry runs first.
    t.close(Date.now() + delayMs);
    await vi.advanceTimersByTimeAsync(delayMs);
    await settle(() => t.isClosed(), "close() to resolve");
    expect(t.givenUp).toHaveLength(3);
    for (const g of t.givenUp) expect(messageOf(g.reason)).toBe("try later");
    expect(t.deleteCalls()).toEqual([3]);
  });

  it("while closing, still retries before the deadline and accepts new entries", async () => {
    const t = await setUp(4);
    aws.fake.sqs.failBatchEntries(1, { action: "DeleteMessageBatch" });
    for (const entry of t.entries.slice(0, 3)) t.batcher.add(entry);
    t.close(Date.now() + 60_000);
    await settle(() => t.errors.length === 1 && t.deleted.length === 2, "the first call, one entry failed");
    const delayMs = t.errors[0]!.delayMs!;
    expect(delayMs).toBeGreaterThanOrEqual(500);
    expect(delayMs).toBeLessThanOrEqual(1_000);

    // Closing, not closed: an entry added now is sent too.
    t.batcher.add(t.entries[3]!);
    await settle(() => t.deleted.length === 3, "the entry added while closing");
    expect(t.isClosed()).toBe(false); // the retry is still pending

    await vi.advanceTimersByTimeAsync(delayMs);
    await settle(() => t.isClosed(), "close() after the retry");
    expect(t.givenUp).toEqual([]);
    expect(t.deleted).toHaveLength(4);
    expect(t.deleteCalls()).toEqual([3, 1, 1]);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
    // close() resolved before its deadline: closed all the same, a late add is given up, not sent.
    t.batcher.add({ receiptHandle: "late", attempts: 0, body: "late" });
    expect(t.givenUp.map((g) => g.body)).toEqual(["late"]);
    expect(t.deleteCalls()).toEqual([3, 1, 1]);
  });

  it("gives up an entry added from the deadline on while the last batch is still answering; a second close() resolves too", async () => {
    const t = await setUp(2);
    t.batcher.add(t.entries[0]!);
    const deadline = Date.now() + 100;
    t.close(deadline);
    // The batch is on the wire; the deadline passes before SQS answers.
    vi.setSystemTime(deadline);
    t.batcher.add(t.entries[1]!);
    expect(t.givenUp.map((g) => g.body)).toEqual([t.entries[1]!.body]);
    expect(messageOf(t.givenUp[0]!.reason)).toMatch(/consumer has stopped/);
    await settle(() => t.isClosed(), "close()");
    expect(t.deleted).toEqual([t.entries[0]!.body]);
    expect(t.deleteCalls()).toEqual([1]);
    await t.batcher.close(Date.now() + 1_000);
  });

  it("retried entries refill a full batch at once; the remainder still waits for the flush delay", async () => {
    const t = await setUp(15, { flushDelayMs: 5_000 });
    aws.fake.sqs.failBatchEntries(10, { action: "DeleteMessageBatch" });
    for (const entry of t.entries.slice(0, 10)) t.batcher.add(entry);
    await settle(() => t.errors.length === 1, "the first batch failing");
    for (const entry of t.entries.slice(10)) t.batcher.add(entry); // 5 held for the flush delay
    const retryMs = t.errors[0]!.delayMs!;
    expect(retryMs).toBeLessThan(5_000);
    await vi.advanceTimersByTimeAsync(retryMs);
    await settle(() => t.deleted.length === 10, "the refilled batch");
    // The 5 left over are not sent with it, nor right after it, though slots are free: they wait.
    const until = process.hrtime.bigint() + 100_000_000n;
    await settle(() => process.hrtime.bigint() > until, "a moment of real time");
    expect(t.deleteCalls()).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle(() => t.deleted.length === 15, "the timed flush");
    expect(t.deleteCalls()).toEqual([10, 10, 5]);
  });

  it("the flush delay runs from the first entry held, not the last: entries added steadily are not held back", async () => {
    const t = await setUp(3, { flushDelayMs: 1_000 });
    t.batcher.add(t.entries[0]!);
    await vi.advanceTimersByTimeAsync(600);
    t.batcher.add(t.entries[1]!);
    await vi.advanceTimersByTimeAsync(399);
    expect(t.deleteCalls()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await settle(() => t.deleted.length === 2, "the timed flush, 1 s after the first entry");
    expect(t.deleteCalls()).toEqual([2]);
    // The next entry starts a new delay of its own.
    t.batcher.add(t.entries[2]!);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.deleteCalls()).toEqual([2]);
    await vi.advanceTimersByTimeAsync(1);
    await settle(() => t.deleted.length === 3, "the second timed flush");
    expect(t.deleteCalls()).toEqual([2, 1]);
    t.close(Date.now() + 1_000);
    await settle(() => t.isClosed(), "close() with nothing left");
  });

  it("a full batch waits for a free slot (maxInFlight) instead of being sent at once", async () => {
    const t = await setUp(20, { maxInFlight: 1 });
    aws.fake.sqs.faults.hangNext(1, { action: "DeleteMessageBatch" });
    for (const entry of t.entries.slice(0, 10)) t.batcher.add(entry);
    await settle(() => t.deleteCalls().length === 1, "the first batch on the wire (hanging)");
    for (const entry of t.entries.slice(10)) t.batcher.add(entry); // a second full batch, no free slot
    const until = process.hrtime.bigint() + 100_000_000n;
    await settle(() => process.hrtime.bigint() > until, "a moment of real time");
    expect(t.deleteCalls()).toEqual([10]);
    // The hanging call fails (its socket is closed): its slot frees, the waiting batch goes, the failed one is retried.
    aws.fake.sqs.faults.restore();
    await settle(() => t.deleted.length === 10 && t.errors.length === 1, "the second batch and the first one's failure");
    await vi.advanceTimersByTimeAsync(t.errors[0]!.delayMs!);
    await settle(() => t.deleted.length === 20, "the retry");
    expect(t.deleteCalls()).toEqual([10, 10, 10]);
    expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
  });

  it("gives every entry up at once when the whole call fails fatally", async () => {
    const t = await setUp(3);
    aws.fake.sqs.faults.failNext(1, { status: 400, code: "QueueDoesNotExist", message: "gone" }, { action: "DeleteMessageBatch" });
    for (const entry of t.entries) t.batcher.add(entry);
    t.close(Date.now() + 60_000);
    await settle(() => t.isClosed(), "close()");
    expect(t.errors).toEqual([{ error: expect.objectContaining({ name: "QueueDoesNotExist" }), kind: "fatal", delayMs: undefined }]);
    expect(t.givenUp).toHaveLength(3);
    for (const g of t.givenUp) expect(g.reason).toBe(t.errors[0]!.error);
    expect(t.entries.map((e) => e.attempts)).toEqual([0, 0, 0]);
    expect(t.deleteCalls()).toEqual([3]);
  });

  it("grows the retry delay with the most-tried entry's attempts, and reports the last give-up without a delay", async () => {
    const t = await setUp(2, { flushDelayMs: 10, maxAttempts: 4, backoff: { initialDelayMs: 1_000, maxDelayMs: 64_000, multiplier: 4 } });
    aws.fake.sqs.failBatchEntries(Infinity, { action: "DeleteMessageBatch", message: "busy" });
    t.entries[1]!.attempts = 2; // already failed twice (e.g. in an earlier batch)
    for (const entry of t.entries) t.batcher.add(entry);
    await vi.advanceTimersByTimeAsync(10);
    await settle(() => t.errors.length === 1, "the first failure");
    // Attempt index 2 (the most-tried entry's): 16_000 ms step, equal jitter → 8_000..16_000.
    expect(t.errors[0]!.delayMs).toBeGreaterThanOrEqual(8_000);
    expect(t.errors[0]!.delayMs).toBeLessThanOrEqual(16_000);
    expect(messageOf(t.errors[0]!.error)).toBe("busy");
    expect(t.givenUp).toEqual([]);

    await vi.advanceTimersByTimeAsync(t.errors[0]!.delayMs! + 10); // the backoff, then the flush delay
    await settle(() => t.errors.length === 2, "the second failure");
    // entries[1] has used its 4 attempts; entries[0] (2 attempts) is retried at index 1: 2_000..4_000.
    expect(t.givenUp.map((g) => g.body)).toEqual([t.entries[1]!.body]);
    expect(t.errors[1]!.delayMs).toBeGreaterThanOrEqual(2_000);
    expect(t.errors[1]!.delayMs).toBeLessThanOrEqual(4_000);

    await vi.advanceTimersByTimeAsync(t.errors[1]!.delayMs! + 10);
    await settle(() => t.errors.length === 3, "the third failure");
    await vi.advanceTimersByTimeAsync(t.errors[2]!.delayMs! + 10);
    await settle(() => t.givenUp.length === 2, "the last give-up");
    // Nothing left to retry: reported once, with no delay.
    expect(t.errors.at(-1)).toMatchObject({ kind: "transient", delayMs: undefined });
    expect(t.errors).toHaveLength(4);
    expect(t.entries.map((e) => e.attempts)).toEqual([4, 4]);
    expect(t.deleteCalls()).toEqual([2, 2, 1, 1]);
  });

  it("ignores Failed entries with an unknown or missing Id, and reports the first retryable entry's error", async () => {
    const odd = fakeClient(aws.fake, { maxAttempts: 1 });
    odd.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { Failed?: { Id?: string; SenderFault: boolean; Code?: string; Message?: string }[] };
        output.Failed = [
          { Id: "99", SenderFault: false, Code: "InternalError" },
          { SenderFault: true, Code: "Whatever" },
          ...(output.Failed ?? []),
        ];
        return result;
      },
      { step: "initialize", name: "oddFailedEntries" },
    );
    try {
      const t = await setUp(3, { client: odd });
      aws.fake.sqs.failBatchEntries(1, { action: "DeleteMessageBatch", code: "InternalError", message: "first" });
      for (const entry of t.entries) t.batcher.add(entry);
      t.close(Date.now() + 60_000);
      await settle(() => t.errors.length === 1, "the partial failure");
      expect(t.errors[0]).toMatchObject({ kind: "transient", error: { name: "InternalError", message: "first" } });
      expect(t.deleted).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(t.errors[0]!.delayMs!);
      await settle(() => t.isClosed(), "close()");
      expect(t.givenUp).toEqual([]);
      expect(t.deleted.sort()).toEqual(t.entries.map((e) => e.body).sort());
      expect(t.deleteCalls()).toEqual([3, 1]);
      expect(aws.fake.sqs.messageCount(t.name)).toBe(0);
    } finally {
      odd.destroy();
    }
  });
});
