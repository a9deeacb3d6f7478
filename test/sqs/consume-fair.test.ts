/**
 * Fair queues: the fake's receive order puts quieter tenants first (what one consumer can observe of SQS
 * fair queues), and `consume({ maxConcurrencyPerGroup })` keeps one noisy tenant (2,000 messages) from
 * taking every slot, so 20 quiet tenants' latency stays near the no-noise case. Real SDK client, fake
 * SQS, latency compared as an order (the numbers are in bench/sqs/fair-queue.ts).
 */
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { consume } from "../../src/sqs/index.js";
import { GroupCap } from "../../src/sqs/group-cap.js";
import { delay, fakeSqsForFile, queueMaker, waitFor } from "./support.js";

const aws = fakeSqsForFile();

const queue = queueMaker(aws, "fair");

async function sendGroup(url: string, group: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const n = Math.min(10, count - i);
    await aws.client.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: n }, (_, j) => ({ Id: String(j), MessageBody: `${group}:${i + j}`, MessageGroupId: group })) }),
    );
  }
}

describe("the fake's fair-queue receive order", () => {
  it("a receive takes the quiet tenants' messages before more of a tenant with many in flight", async () => {
    const { url } = queue();
    await sendGroup(url, "noisy", 30);
    const first = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(first.Messages?.every((m) => m.Body?.startsWith("noisy:"))).toBe(true); // alone, the noisy tenant gets everything
    await sendGroup(url, "quiet-a", 2);
    await sendGroup(url, "quiet-b", 2);
    const second = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 5 }));
    // 20 older noisy messages are visible, but "noisy" has 10 in flight: the quiet ones go first.
    expect(second.Messages?.map((m) => m.Body).sort()).toEqual(["noisy:10", "quiet-a:0", "quiet-a:1", "quiet-b:0", "quiet-b:1"]);
  });

  it("without groups a standard queue hands out oldest first", async () => {
    const { url } = queue();
    for (const body of ["a", "b", "c"]) await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const out = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3 }));
    expect(out.Messages?.map((m) => m.Body)).toEqual(["a", "b", "c"]);
  });
});

describe("GroupCap", () => {
  it("starts up to the cap per group, holds the surplus in order, hands it on as its own finish, defers past the limit", () => {
    const cap = new GroupCap<string>(2, 3);
    expect(["n1", "n2", "n3", "n4", "n5", "n6"].map((m) => cap.admit("n", m))).toEqual(["start", "start", "wait", "wait", "wait", "defer"]);
    expect(cap.admit("q", "q1")).toBe("start");
    expect(cap.admit(undefined, "x")).toBe("start");
    expect(cap.finished("n")).toBe("n3");
    expect(cap.finished("q")).toBeUndefined();
    expect(cap.waiting).toBe(2);
    expect(cap.drain()).toEqual(["n4", "n5"]);
  });
});

describe("consume({ maxConcurrencyPerGroup }) edges", () => {
  it("runs at most the cap of one group at once, and at stop releases what waited (visible again at once)", async () => {
    const { name, url } = queue();
    await sendGroup(url, "t", 6);
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      concurrency: 10,
      WaitTimeSeconds: 1,
      maxConcurrencyPerGroup: 2,
      telemetry: false,
      stopTimeoutMs: 2_000,
      handler: () =>
        new Promise<void>((resolve) => {
          running += 1;
          most = Math.max(most, running);
          release.push(() => {
            running -= 1;
            resolve();
          });
        }),
    });
    await waitFor(() => consumer.counters.received === 6 && running === 2, 10_000, "6 received, 2 running");
    await delay(100);
    expect(most).toBe(2);
    const stopped = consumer.stop();
    for (const finish of release.splice(0)) finish();
    await stopped;
    expect(consumer.counters).toMatchObject({ processed: 2, released: 4, deferred: 0 });
    // Made visible at once (a long poll still open on the server while it is aborted may catch one again).
    expect(aws.fake.sqs.counts(name)).toMatchObject({ total: 4, deleted: 2 });
    expect(aws.fake.sqs.counts(name).visible).toBeGreaterThanOrEqual(3);
  });

  it("past the wait limit (concurrency) defers a surplus message: counted, not released, not kept invisible, so it comes back and is handled later", async () => {
    const { name, url } = queue();
    await sendGroup(url, "t", 5);
    let blocked = true;
    const unblock: (() => void)[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      concurrency: 2,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 2,
      maxConcurrencyPerGroup: 1,
      telemetry: false,
      handler: () => (blocked ? new Promise<void>((resolve) => unblock.push(resolve)) : undefined),
    });
    // One runs, two wait (the limit is concurrency 2), the next ones of the group are deferred.
    await waitFor(() => consumer.counters.deferred >= 2, 10_000, "2 deferred");
    expect(consumer.counters).toMatchObject({ inFlight: 1, released: 0 });
    blocked = false;
    for (const finish of unblock.splice(0)) finish();
    // A deferred message is not kept invisible by the heartbeat: it comes back after its VisibilityTimeout.
    await waitFor(() => consumer.counters.processed === 5, 15_000, "all 5 processed");
    await consumer.stop();
    expect(aws.fake.sqs.counts(name)).toMatchObject({ total: 0 });
    expect(consumer.counters.released).toBe(0);
  });

  it("is refused on FIFO queues and with a batch handler", () => {
    expect(() => consume({ client: aws.client, queueUrl: "http://x/1/q.fifo", handler: () => undefined, maxConcurrencyPerGroup: 2 })).toThrow(/standard \(fair\) queues/);
    expect(() => consume({ client: aws.client, queueUrl: "http://x/1/q", batchHandler: () => undefined, maxConcurrencyPerGroup: 2 })).toThrow(/not batchHandler/);
  });
});

/** Quiet tenants' latency (handler start − SentTimestamp, ms) with `noisy` messages of one tenant queued first. */
async function quietLatencies(noisy: number, maxConcurrencyPerGroup: number | undefined): Promise<number[]> {
  const { url } = queue();
  if (noisy > 0) await sendGroup(url, "noisy", noisy);
  const latencies: number[] = [];
  const consumer = consume({
    client: aws.client,
    queueUrl: url,
    concurrency: 10,
    WaitTimeSeconds: 1,
    telemetry: false,
    ...(maxConcurrencyPerGroup !== undefined && { maxConcurrencyPerGroup }),
    MessageSystemAttributeNames: ["SentTimestamp", "MessageGroupId"],
    handler: async (message) => {
      if (message.Attributes?.MessageGroupId === "noisy") {
        await delay(1_000);
        return;
      }
      latencies.push(Date.now() - Number(message.Attributes?.SentTimestamp));
    },
  });
  await delay(300);
  // 20 quiet tenants, 2 messages each, one every 60 ms.
  for (let round = 0; round < 2; round += 1) {
    for (let g = 0; g < 20; g += 1) {
      await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `q${g}:${round}`, MessageGroupId: `quiet-${g}` }));
      await delay(60);
    }
  }
  await waitFor(() => latencies.length === 40, 30_000, "40 quiet messages handled");
  await consumer.stop();
  return latencies.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

describe("consume({ maxConcurrencyPerGroup }) beside a noisy tenant", () => {
  it("keeps 20 quiet tenants' latency near the no-noise case, where without the cap they wait for the noisy tenant's slots", async () => {
    const alone = await quietLatencies(0, undefined);
    const capped = await quietLatencies(2_000, 2);
    const uncapped = await quietLatencies(2_000, undefined);
    // The order the cap promises: capped ≈ alone ≪ uncapped (uncapped waits ~half a noisy handler, 500 ms, on average).
    expect(percentile(capped, 0.5)).toBeLessThan(percentile(uncapped, 0.5));
    expect(percentile(capped, 0.9)).toBeLessThan(percentile(uncapped, 0.9));
    expect(percentile(capped, 0.5)).toBeLessThan(percentile(alone, 0.5) + 100);
    expect(percentile(uncapped, 0.5)).toBeGreaterThan(200);
  }, 90_000);
});
