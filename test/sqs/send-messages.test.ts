/**
 * `sendMessages` and `createBatchSender` end to end: the real SDK client against the fake SQS, every
 * `SendMessageBatch` call recorded on its way out (a middleware on the real client), what landed read
 * back from the fake.
 */
import { type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/random.js";
import { createBatchSender, sendMessages, type SendMessageEntry } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { clearAwsEnv, fakeClient } from "./support.js";

clearAwsEnv();

const MiB = 1_048_576;
let fake: FakeAws;
let client: SQSClient;
let counter = 0;
/** Every SendMessageBatch call's entries, as sent (one record per attempt). */
let calls: SendMessageBatchRequestEntry[][] = [];

beforeAll(async () => {
  fake = await startFakeAws();
  client = fakeClient(fake, { requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } });
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Entries?: SendMessageBatchRequestEntry[] };
      if (Array.isArray(input.Entries)) calls.push(input.Entries);
      return next(args);
    },
    { step: "initialize", name: "recordBatches" },
  );
});

afterEach(() => {
  fake.sqs.faults.restore();
  calls = [];
});

afterAll(async () => {
  client.destroy();
  await fake.close();
});

function queue(fifo = false, attributes: Record<string, string> = {}): { name: string; url: string } {
  counter += 1;
  const name = fifo ? `send-${counter}.fifo` : `send-${counter}`;
  return { name, url: fake.sqs.createQueue(name, fifo ? { FifoQueue: "true", ...attributes } : attributes) };
}

/** "index|group|" then padding up to `bytes` (ASCII, so bytes = characters). */
function body(index: number, group: string, bytes: number): string {
  const head = `${index}|${group}|`;
  return head + "x".repeat(Math.max(0, bytes - head.length));
}

/** Mostly small bodies, some tens of KiB, a few from 200 KiB to exactly 1 MiB. */
function mixedSizes(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    if (i % 1000 === 999) return MiB;
    const r = random();
    if (r < 0.005) return 200_000 + Math.floor(random() * (MiB - 200_000));
    if (r < 0.1) return 4_000 + Math.floor(random() * 96_000);
    return 20 + Math.floor(random() * 4_000);
  });
}

const indexOf = (text: string): number => Number(text.slice(0, text.indexOf("|")));
const bytesOf = (entries: readonly SendMessageBatchRequestEntry[]): number => entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ""), 0);

function checkBatches(): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const entries of calls) {
    expect(entries.length).toBeLessThanOrEqual(10);
    expect(bytesOf(entries)).toBeLessThanOrEqual(MiB);
  }
}

describe("sendMessages", () => {
  it("5,000 messages of mixed sizes up to 1 MiB: each lands exactly once, in batches of ≤ 10 and ≤ 1 MiB; failed entries alone are sent again", async () => {
    const { name, url } = queue();
    const sizes = mixedSizes(5_000, 7);
    const messages: SendMessageEntry[] = sizes.map((bytes, i) => ({ MessageBody: body(i, "-", bytes) }));
    // 300 entries fail the way SQS reports its own trouble: 200 with SenderFault false, and in between whole calls throttled.
    fake.sqs.failBatchEntries(300, { action: "SendMessageBatch" });
    fake.sqs.faults.failNext(3, { status: 400, code: "RequestThrottled", message: "Rate exceeded" }, { action: "SendMessageBatch" });

    const results = await sendMessages(client, url, messages, { backoff: { initialDelayMs: 5, maxDelayMs: 20 }, maxAttempts: 10 });

    expect(results).toHaveLength(5_000);
    expect(results.every((r) => r.ok)).toBe(true);
    const landed = fake.sqs.messages(name).map((m) => indexOf(m.body));
    expect(landed).toHaveLength(5_000);
    expect(new Set(landed).size).toBe(5_000);
    // Results in input order: the message id at i is the one SQS gave the body i.
    const idOfBody = new Map(fake.sqs.messages(name).map((m) => [indexOf(m.body), m.messageId]));
    for (const [i, r] of results.entries()) expect(r.ok && r.messageId).toBe(idOfBody.get(i));
    checkBatches();
    // Each message was put on the wire once, plus once more for each injected failure: a retry carries
    // only failed entries (a throttled call failed all of its entries, up to 10 each).
    const sends = new Map<number, number>();
    for (const entries of calls) for (const e of entries) sends.set(indexOf(e.MessageBody!), (sends.get(indexOf(e.MessageBody!)) ?? 0) + 1);
    const extra = [...sends.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(extra).toBeGreaterThanOrEqual(300);
    expect(extra).toBeLessThanOrEqual(300 + 3 * 10);
    // Well packed: about as few calls as the limits allow.
    const needed = Math.ceil(5_000 / 10);
    expect(calls.length).toBeLessThan(needed * 1.3 + 300 / 10 + 10);
  }, 120_000);

  it("FIFO: 5,000 messages in 20 groups keep each group's order, through throttled calls and 5xx answers", async () => {
    const { name, url } = queue(true, { ContentBasedDeduplication: "true" });
    const random = seededRandom(11);
    const sizes = mixedSizes(5_000, 3);
    const messages: SendMessageEntry[] = sizes.map((bytes, i) => {
      const group = `g${Math.floor(random() * 20)}`;
      return { MessageBody: body(i, group, bytes), MessageGroupId: group };
    });
    fake.sqs.faults.failNext(5, { status: 400, code: "RequestThrottled", message: "Rate exceeded" }, { action: "SendMessageBatch" });
    fake.sqs.faults.failNext(5, { status: 500, code: "InternalError", message: "try again" }, { action: "SendMessageBatch" });

    const results = await sendMessages(client, url, messages, { backoff: { initialDelayMs: 5, maxDelayMs: 20 }, maxAttempts: 10 });

    expect(results.every((r) => r.ok && r.sequenceNumber !== undefined)).toBe(true);
    const landed = fake.sqs.messages(name).map((m) => m.body);
    expect(landed).toHaveLength(5_000);
    const lastOfGroup = new Map<string, number>();
    for (const text of landed) {
      const [index, group] = text.split("|") as [string, string];
      expect(Number(index)).toBeGreaterThan(lastOfGroup.get(group) ?? -1);
      lastOfGroup.set(group, Number(index));
    }
    // Sequence numbers grow with input order within each group.
    checkBatches();
  }, 120_000);

  it("FIFO: says so when SQS fails an entry but accepts a later one of its group in the same call (the retry lands after it)", async () => {
    const { name, url } = queue(true, { ContentBasedDeduplication: "true" });
    fake.sqs.failBatchEntries(1, { action: "SendMessageBatch" });
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (line: string) => void warnings.push(line) };
    const results = await sendMessages(client, url, [0, 1, 2].map((i) => ({ MessageBody: `${i}|g|`, MessageGroupId: "g" })), { maxMessageBytes: MiB, logger, backoff: { initialDelayMs: 1, maxDelayMs: 2 } });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.sqs.messages(name).map((m) => indexOf(m.body))).toEqual([1, 2, 0]);
    expect(warnings.join("\n")).toMatch(/accepted a later message of that group in the same batch; the retry lands after it, out of order/);
  });

  it("a message over the queue's limit is refused before anything is sent; the others go", async () => {
    const { name, url } = queue(false, { MaximumMessageSize: "2048" });
    const results = await sendMessages(client, url, [{ MessageBody: "small" }, { MessageBody: "y".repeat(2_049) }, { MessageBody: "also small" }]);
    expect(results[0]!.ok && results[2]!.ok).toBe(true);
    expect(results[1]).toMatchObject({ ok: false, error: { code: "MessageTooLarge", attempts: 0 } });
    expect(String(!results[1]!.ok && results[1]!.error.message)).toMatch(/2049 bytes.*limit of 2048.*S3/);
    expect(calls.flat().map((e) => e.MessageBody)).toEqual(["small", "also small"]);
    expect(fake.sqs.messageCount(name)).toBe(2);
  });

  it("a batch is limited to the queue's MaximumMessageSize (read once per client and queue)", async () => {
    const { url } = queue(false, { MaximumMessageSize: "4096" });
    const messages = Array.from({ length: 30 }, (_, i) => ({ MessageBody: body(i, "-", 1_000) }));
    await sendMessages(client, url, messages);
    await sendMessages(client, url, messages);
    for (const entries of calls) expect(bytesOf(entries)).toBeLessThanOrEqual(4096);
    expect(calls.every((entries) => entries.length === 4)).toBe(false); // 4 × 1000 fits, 30 = 4·7 + 2
    const reads = fake.sqs.calls.filter((c) => c.action === "GetQueueAttributes" && c.details.queueUrl === url);
    expect(reads).toHaveLength(1);
  });

  it("entries refused as the sender's fault are not sent again; their results say why, the others succeed", async () => {
    const { url } = queue();
    fake.sqs.failBatchEntries(2, { action: "SendMessageBatch", code: "InvalidParameterValue", senderFault: true, message: "bad attribute" });
    const results = await sendMessages(client, url, Array.from({ length: 5 }, (_, i) => ({ MessageBody: `m${i}` })), { maxMessageBytes: MiB });
    expect(results.map((r) => r.ok)).toEqual([false, false, true, true, true]);
    expect(results[0]).toMatchObject({ ok: false, error: { code: "InvalidParameterValue", attempts: 1 } });
    expect(calls).toHaveLength(1);
  });

  it("a whole call that cannot succeed (queue missing) fails every message once, without retries", async () => {
    const url = fake.sqs.queueUrl("no-such-queue");
    const results = await sendMessages(client, url, [{ MessageBody: "a" }, { MessageBody: "b" }], { maxMessageBytes: MiB });
    expect(results.map((r) => !r.ok && r.error.code)).toEqual(["QueueDoesNotExist", "QueueDoesNotExist"]);
    expect(calls).toHaveLength(1);
  });

  it("nothing to send: no call at all (not even the size read)", async () => {
    const { url } = queue();
    expect(await sendMessages(client, url, [])).toEqual([]);
    expect(fake.sqs.calls.filter((c) => c.details.queueUrl === url)).toHaveLength(0);
  });

  it("gives up a retryable entry after maxAttempts", async () => {
    const { url } = queue();
    fake.sqs.failBatchEntries(Infinity, { action: "SendMessageBatch" });
    const results = await sendMessages(client, url, [{ MessageBody: "a" }], { maxMessageBytes: MiB, maxAttempts: 3, backoff: { initialDelayMs: 1, maxDelayMs: 2 } });
    expect(results[0]).toMatchObject({ ok: false, error: { code: "InternalError", attempts: 3 } });
    expect(calls).toHaveLength(3);
  });

  it("aborting settles what is not sent yet with code Aborted, and never rejects", async () => {
    const { name, url } = queue();
    fake.sqs.faults.setLatency(50);
    const controller = new AbortController();
    const sending = sendMessages(client, url, Array.from({ length: 100 }, (_, i) => ({ MessageBody: `m${i}` })), { maxMessageBytes: MiB, maxInFlight: 1, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 120));
    controller.abort();
    const results = await sending;
    const aborted = results.filter((r) => !r.ok && r.error.code === "Aborted").length;
    expect(aborted).toBeGreaterThan(50);
    expect(results.filter((r) => r.ok).length + aborted).toBe(100);
    expect(fake.sqs.messageCount(name)).toBeGreaterThanOrEqual(results.filter((r) => r.ok).length);
  });

  it("keeps at most maxInFlight calls open", async () => {
    const { url } = queue();
    fake.sqs.faults.setLatency(30);
    let open = 0;
    let most = 0;
    const counting = fakeClient(fake);
    counting.middlewareStack.add(
      (next) => async (args) => {
        open += 1;
        most = Math.max(most, open);
        try {
          return await next(args);
        } finally {
          open -= 1;
        }
      },
      { step: "initialize" },
    );
    await sendMessages(counting, url, Array.from({ length: 200 }, (_, i) => ({ MessageBody: `m${i}` })), { maxMessageBytes: MiB, maxInFlight: 3 });
    counting.destroy();
    expect(most).toBe(3);
  });
});

describe("createBatchSender", () => {
  it("batches messages given one at a time: a full batch leaves at once, a partial one after lingerMs; close() flushes", async () => {
    const { name, url } = queue();
    const sender = createBatchSender(client, url, { lingerMs: 50, maxMessageBytes: MiB });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => sender.send({ MessageBody: `a${i}` })));
    expect(first.every((r) => r.ok)).toBe(true);
    expect(calls.map((entries) => entries.length)).toEqual([10]);
    const lone = sender.send({ MessageBody: "lone" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toHaveLength(1); // still lingering
    expect((await lone).ok).toBe(true);
    expect(calls.map((entries) => entries.length)).toEqual([10, 1]);
    const pending = [sender.send({ MessageBody: "x" }), sender.send({ MessageBody: "y" })];
    await sender.close();
    expect(calls.map((entries) => entries.length)).toEqual([10, 1, 2]);
    expect((await Promise.all(pending)).every((r) => r.ok)).toBe(true);
    expect(await sender.send({ MessageBody: "late" })).toMatchObject({ ok: false, error: { code: "SenderClosed" } });
    expect(fake.sqs.messageCount(name)).toBe(13);
    expect(sender.stats).toMatchObject({ calls: 3, sent: 13, failed: 0 });
  });

  it("FIFO: a group's next batch waits for the previous one to land", async () => {
    const { name, url } = queue(true, { ContentBasedDeduplication: "true" });
    fake.sqs.faults.setLatency(20);
    const sender = createBatchSender(client, url, { lingerMs: 1, maxMessageBytes: MiB });
    const results = [];
    for (let i = 0; i < 40; i += 1) {
      results.push(sender.send({ MessageBody: `${i}|g|`, MessageGroupId: "g" }));
      if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await sender.close();
    expect((await Promise.all(results)).every((r) => r.ok)).toBe(true);
    expect(fake.sqs.messages(name).map((m) => indexOf(m.body))).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});

