/**
 * `consume({ maxMessagesPerSecond })` end to end (real SDK client, fake SQS, real time with generous
 * bounds): the rate holds over 20 s with a handler much faster than it, a receive never asks for more
 * than can start at once (no message waits in hand for the limiter), the function form pauses and
 * resumes, and stop() does not wait on the limiter.
 */
import { describe, expect, it } from "vitest";
import { consume } from "../../src/sqs/index.js";
import { bucketCapacity, TokenBucket } from "../../src/sqs/token-bucket.js";
import { delay, fakeSqsForFile, loadMessages, queueMaker, waitFor } from "./support.js";

const aws = fakeSqsForFile();

const queue = queueMaker(aws, "rate");

const receivesOf = (url: string) => aws.fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === url);

describe("TokenBucket", () => {
  it("banks at most one receive's worth, reserves before a poll and takes back what the poll did not use", () => {
    const bucket = new TokenBucket(50, 0);
    expect(bucket.take(20, 50, 0)).toEqual({ granted: 10, waitMs: 0 });
    expect(bucket.take(10, 50, 0)).toEqual({ granted: 0, waitMs: 20 });
    // A long poll holding its 10 reserved tokens for 5 s does not come back to a full bank as well.
    expect(bucket.available(50, 5_000)).toBe(0);
    bucket.settle(10, 3);
    expect(bucket.available(50, 5_000)).toBe(7);
    expect(bucketCapacity(0.5)).toBe(1);
    expect(bucketCapacity(1_000)).toBe(10);
    expect(new TokenBucket(0, 0).take(1, 0, 10_000)).toEqual({ granted: 0, waitMs: Infinity });
  });
});

describe("consume({ maxMessagesPerSecond })", () => {
  it("holds 50 messages/s within 10 % over 20 s with a handler much faster than that; no message waits in hand", async () => {
    const { url } = queue();
    await loadMessages(aws.client, url, 1_500);
    const starts: number[] = [];
    const waits: number[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      concurrency: 20,
      WaitTimeSeconds: 1,
      maxMessagesPerSecond: 50,
      telemetry: false,
      MessageSystemAttributeNames: ["ApproximateFirstReceiveTimestamp"],
      handler: (message) => {
        const now = Date.now();
        starts.push(now);
        waits.push(now - Number(message.Attributes?.ApproximateFirstReceiveTimestamp));
      },
    });
    const began = Date.now();
    await delay(20_000);
    await consumer.stop();
    const seconds = (Date.now() - began) / 1000;
    // The bound the option promises: the rate plus one receive's worth banked at the start.
    expect(starts.length).toBeLessThanOrEqual(Math.ceil(50 * seconds * 1.1));
    expect(starts.length).toBeGreaterThanOrEqual(50 * 20 * 0.9);
    // No 2-s window over its share (100) plus the bank (10), anywhere in the run.
    for (let i = 0, j = 0; i < starts.length; i += 1) {
      while (starts[j]! < starts[i]! - 2_000) j += 1;
      expect(i - j + 1).toBeLessThanOrEqual(110);
    }
    // Received only what could start: handlers begin as soon as their message arrives, not a limiter's wait later.
    waits.sort((a, b) => a - b);
    expect(waits[Math.floor(waits.length * 0.99)]!).toBeLessThan(500);
    for (const call of receivesOf(url)) expect(call.details.maxNumberOfMessages).toBeLessThanOrEqual(10);
  }, 40_000);

  it("a function rate of 0 pauses receiving (no ReceiveMessage at all), raising it resumes, and stop() does not wait on the limiter", async () => {
    const { url } = queue();
    await loadMessages(aws.client, url, 20);
    let rate = 0;
    let handled = 0;
    const consumer = consume({ client: aws.client, queueUrl: url, WaitTimeSeconds: 1, maxMessagesPerSecond: () => rate, telemetry: false, handler: () => void (handled += 1) });
    await delay(600);
    expect(receivesOf(url)).toHaveLength(0);
    expect(handled).toBe(0);
    rate = 100;
    await waitFor(() => handled === 20, 10_000, "20 messages handled");
    rate = 0;
    await delay(300);
    const stopping = Date.now();
    await consumer.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
  });

  it("a rate function that throws from its very first call (at start) is reported through onError, and consume starts anyway", async () => {
    const { url } = queue();
    await loadMessages(aws.client, url, 5);
    let broken = true;
    let handled = 0;
    const errors: { error: unknown; operation: string }[] = [];
    // Before the split of consume.ts (#24) this first call ran before the error reporter existed: consume() threw a ReferenceError.
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      WaitTimeSeconds: 1,
      telemetry: false,
      maxMessagesPerSecond: () => {
        if (broken) throw new Error("rate source unreachable");
        return 100;
      },
      onError: (error, context) => errors.push({ error, operation: context.operation }),
      handler: () => void (handled += 1),
    });
    expect(errors[0]).toMatchObject({ operation: "callback", error: expect.objectContaining({ message: "rate source unreachable" }) });
    broken = false;
    await waitFor(() => handled === 5, 10_000, "5 messages handled once the rate answers");
    await consumer.stop();
  });

  it("asks a receive for no more messages than there are tokens", async () => {
    const { url } = queue();
    await loadMessages(aws.client, url, 30);
    let handled = 0;
    const consumer = consume({ client: aws.client, queueUrl: url, concurrency: 10, WaitTimeSeconds: 1, maxMessagesPerSecond: 4, telemetry: false, handler: () => void (handled += 1) });
    await waitFor(() => handled >= 12, 10_000, "12 messages handled");
    await consumer.stop();
    const asked = receivesOf(url).map((c) => Number(c.details.maxNumberOfMessages));
    expect(Math.max(...asked)).toBeLessThanOrEqual(4);
  });

  it("rejects a rate that is not a positive number or a function", () => {
    expect(() => consume({ client: aws.client, queueUrl: "http://x/1/q", handler: () => undefined, maxMessagesPerSecond: 0 })).toThrow(/maxMessagesPerSecond/);
    expect(() => consume({ client: aws.client, queueUrl: "http://x/1/q", handler: () => undefined, maxMessagesPerSecond: Number.NaN })).toThrow(/maxMessagesPerSecond/);
  });
});
