import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLongPollingClient, pollMessages, type PollErrorInfo } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { clearAwsEnv, fakeClient, loadMessages } from "./support.js";

clearAwsEnv();

let fake: FakeAws;
let base: SQSClient;
let poller: SQSClient;

beforeAll(async () => {
  fake = await startFakeAws();
  // maxAttempts 1: the SDK's own retries would otherwise absorb the injected faults.
  base = fakeClient(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
  poller = createLongPollingClient(base);
});

afterAll(async () => {
  fake.sqs.faults.restore();
  poller.destroy();
  base.destroy();
  await fake.close();
});

describe("pollMessages", () => {
  it("yields batches of up to MaxNumberOfMessages until aborted", async () => {
    const queue = fake.sqs.createQueue("batches");
    await loadMessages(base, queue, 25);
    const controller = new AbortController();
    const bodies: string[] = [];
    const sizes: number[] = [];
    for await (const batch of pollMessages(poller, { queueUrl: queue, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, signal: controller.signal })) {
      sizes.push(batch.length);
      bodies.push(...batch.map((m) => m.Body ?? ""));
      if (bodies.length === 25) controller.abort();
    }
    expect(bodies.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
  });

  it("aborts the in-flight long poll instead of waiting it out", async () => {
    const queue = fake.sqs.createQueue("abort");
    const controller = new AbortController();
    const iterator = pollMessages(poller, { queueUrl: queue, WaitTimeSeconds: 20, signal: controller.signal });
    const started = Date.now();
    const next = iterator.next();
    setTimeout(() => controller.abort(), 300);
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("ends cleanly when the loop is left early", async () => {
    const queue = fake.sqs.createQueue("break");
    await base.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "only" }));
    let seen = 0;
    for await (const batch of pollMessages(poller, { queueUrl: queue, WaitTimeSeconds: 1 })) {
      seen += batch.length;
      break;
    }
    expect(seen).toBe(1);
  });

  it("backs off on throttling and credential errors, then carries on", async () => {
    const queue = fake.sqs.createQueue("backoff");
    await base.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "after the storm" }));
    fake.sqs.faults.failNext(2, { status: 400, code: "ThrottlingException", message: "Rate exceeded" }, { action: "ReceiveMessage" });
    fake.sqs.faults.failNext(1, { status: 403, code: "ExpiredToken", message: "The security token included in the request is expired" }, { action: "ReceiveMessage" });
    const errors: PollErrorInfo[] = [];
    const controller = new AbortController();
    for await (const batch of pollMessages(poller, {
      queueUrl: queue,
      WaitTimeSeconds: 1,
      signal: controller.signal,
      backoff: { initialDelayMs: 50, maxDelayMs: 200 },
      onError: (_error, info) => errors.push(info),
    })) {
      expect(batch.map((m) => m.Body)).toEqual(["after the storm"]);
      controller.abort();
    }
    expect(errors.map((e) => e.kind)).toEqual(["throttling", "throttling", "credentials"]);
    expect(errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    for (const e of errors) expect(e.delayMs).toBeGreaterThanOrEqual(25);
  });

  it("throws errors that no retry can fix", async () => {
    const iterator = pollMessages(poller, { queueUrl: fake.sqs.queueUrl("does-not-exist"), WaitTimeSeconds: 1 });
    await expect(iterator.next()).rejects.toMatchObject({ name: "QueueDoesNotExist" });
  });

  it("validates options where they are written", () => {
    expect(() => pollMessages(poller, { queueUrl: "", WaitTimeSeconds: 1 })).toThrow(/queueUrl/);
    expect(() => pollMessages(poller, { queueUrl: "u", WaitTimeSeconds: 21 })).toThrow(/WaitTimeSeconds/);
  });
});
