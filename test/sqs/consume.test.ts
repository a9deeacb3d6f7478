import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, describe, expect, it } from "vitest";
import { createRefresher } from "../../src/refresh/index.js";
import { consume, type ConsumeErrorContext } from "../../src/sqs/index.js";
import { capturingLogger } from "../support/capturing-logger.js";
import { delay, fakeClient, fakeSqsForFile, loadMessages, waitFor } from "./support.js";

const aws = fakeSqsForFile({ requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
const fast = { initialDelayMs: 50, maxDelayMs: 200 };

afterAll(() => aws.fake.sqs.faults.restore());

describe("consume", () => {
  it(
    "keeps a message invisible through heartbeats while a handler outlives its visibility timeout",
    async () => {
      const queue = aws.fake.sqs.createQueue("slow");
      await aws.client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "slow one" }));
      let calls = 0;
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 3,
        handler: async () => {
          calls += 1;
          await delay(6_000);
        },
      });
      // A competing reader keeps trying to steal the message while the handler runs.
      const stolen: Message[] = [];
      await waitFor(() => consumer.counters.inFlight === 1, 5_000, "the handler to start");
      const until = Date.now() + 5_500;
      while (Date.now() < until) {
        const out = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 0 }));
        stolen.push(...(out.Messages ?? []));
        await delay(250);
      }
      await waitFor(() => consumer.counters.deleted === 1, 5_000, "the delete");
      await consumer.stop();

      expect(stolen).toEqual([]);
      expect(calls).toBe(1);
      // 6 s of handling on a 3 s visibility timeout: one extension every 0.75–1.5 s.
      expect(consumer.counters.visibilityExtensions).toBeGreaterThanOrEqual(3);
      expect(aws.fake.sqs.messageCount("slow")).toBe(0);
      expect(aws.fake.sqs.counts("slow").received).toBe(1);
    },
    20_000,
  );

  it(
    "loses nothing when stopped mid-stream: every message is deleted after its handler, or still in the queue",
    async () => {
      const total = 600;
      const queue = aws.fake.sqs.createQueue("stop-midway");
      await loadMessages(aws.client, queue, total);
      const handled = new Set<string>();
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        concurrency: 15,
        WaitTimeSeconds: 1,
        handler: async (message) => {
          await delay(Math.random() * 30);
          handled.add(message.Body!);
        },
      });
      await waitFor(() => consumer.counters.processed >= 150, 15_000, "150 handled");
      await consumer.stop();

      const remaining = new Set(aws.fake.sqs.messages("stop-midway").map((m) => m.body));
      const deleted = Array.from({ length: total }, (_, i) => String(i)).filter((body) => !remaining.has(body));
      expect(handled.size).toBeLessThan(total);
      // Nothing deleted unhandled...
      for (const body of deleted) expect(handled.has(body)).toBe(true);
      // ...and everything handled was deleted (the handlers finished within stopTimeoutMs).
      for (const body of handled) expect(remaining.has(body)).toBe(false);
      expect(deleted.length).toBe(handled.size);
      expect(consumer.counters).toMatchObject({ inFlight: 0, abandoned: 0, deleteFailures: 0 });
      expect(consumer.counters.deleted).toBe(handled.size);
      expect(aws.fake.sqs.counts("stop-midway").deleted).toBe(handled.size);
    },
    30_000,
  );

  it(
    "backs off on ExpiredToken and recovers once the credentials provider refreshes",
    async () => {
      const queue = aws.fake.sqs.createQueue("expiring");
      const sts = new STSClient({ region: aws.fake.region, endpoint: aws.fake.sts.endpoint, credentials: aws.fake.registerStaticKeys() });
      const assume = async (): Promise<AwsCredentialIdentity> => {
        const out = await sts.send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${aws.fake.accountId}:role/consumer`, RoleSessionName: "consume-test" }),
        );
        const c = out.Credentials!;
        return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration! };
      };
      // A provider we control, marked memoized so the client asks it on every request (as awscreds' providers are).
      let current = await assume();
      const provider = Object.assign(async () => current, { memoized: true });
      const consumerClient = new SQSClient({ region: aws.fake.region, endpoint: aws.fake.sqs.endpoint, credentials: provider });

      const handled = new Set<string>();
      const errors: ConsumeErrorContext[] = [];
      const consumer = consume({
        client: consumerClient,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        backoff: { initialDelayMs: 100, maxDelayMs: 400 },
        onError: (_error, context) => errors.push(context),
        handler: (message) => {
          handled.add(message.Body!);
        },
      });
      await loadMessages(aws.client, queue, 20, "before-");
      await waitFor(() => consumer.counters.deleted === 20, 10_000, "the first 20");

      // The credentials expire server-side while the client still believes in them.
      aws.fake.expireCredentials(current.accessKeyId);
      const expiredAt = Date.now();
      await waitFor(() => errors.some((e) => e.kind === "credentials"), 10_000, "an ExpiredToken error");
      await loadMessages(aws.client, queue, 20, "after-");
      await delay(600);
      const errorsWhileExpired = consumer.counters.receiveErrors;
      const expiredForMs = Date.now() - expiredAt;

      // The provider refreshes.
      current = await assume();
      await waitFor(() => consumer.counters.deleted === 40, 10_000, "the next 20");
      await consumer.stop();
      await expect(consumer.done).resolves.toBeUndefined();

      expect(handled.size).toBe(40);
      expect(errors.filter((e) => e.operation === "ReceiveMessage").every((e) => e.kind === "credentials")).toBe(true);
      // Backing off, not spinning: the delays between failed polls are at least 50, 100, then 200 ms each
      // (100–400 ms steps, half jittered), so however slow the machine, no more failures than that allows.
      expect(errorsWhileExpired).toBeGreaterThanOrEqual(1);
      expect(errorsWhileExpired).toBeLessThanOrEqual(Math.floor(expiredForMs / 200) + 3);
      expect(aws.fake.sqs.messageCount("expiring")).toBe(0);
      consumerClient.destroy();
      sts.destroy();
    },
    30_000,
  );

  it(
    "leaves failed messages for redelivery, with a visibility backoff when asked",
    async () => {
      const queue = aws.fake.sqs.createQueue("flaky");
      await loadMessages(aws.client, queue, 10);
      const attempts = new Map<string, number>();
      const failed: string[] = [];
      const receiveCounts: (number | undefined)[] = [];
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        failureVisibilityTimeout: ({ receiveCount }) => {
          receiveCounts.push(receiveCount);
          return 0;
        },
        onFailed: (message) => failed.push(message.Body!),
        handler: (message) => {
          const n = (attempts.get(message.Body!) ?? 0) + 1;
          attempts.set(message.Body!, n);
          if (Number(message.Body) % 2 === 0 && n === 1) throw new Error("first attempt fails");
        },
      });
      await waitFor(() => consumer.counters.deleted === 10, 10_000, "all 10 deleted");
      await consumer.stop();
      expect(failed.sort()).toEqual(["0", "2", "4", "6", "8"]);
      expect(receiveCounts).toEqual([1, 1, 1, 1, 1]);
      expect([...attempts.values()].sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
      expect(consumer.counters).toMatchObject({ failed: 5, processed: 10, deleted: 10 });
    },
    15_000,
  );

  it(
    "backpressure: with staggered handlers, never more messages in hand than the concurrency, and polls only for free room",
    async () => {
      const queue = aws.fake.sqs.createQueue("backpressure");
      const total = 30;
      await loadMessages(aws.client, queue, total);
      let inFlight = 0;
      let maxInFlight = 0;
      const concurrency = 4;
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        concurrency,
        MaxNumberOfMessages: 4,
        WaitTimeSeconds: 1,
        handler: async (message) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // Staggered: handlers finish one by one, so a poll often has room for only one or two.
          await delay(20 + (Number(message.Body) % 5) * 70);
          inFlight -= 1;
        },
      });
      await waitFor(() => consumer.counters.deleted === total, 20_000, `${total} deleted`);
      await consumer.stop();
      expect(maxInFlight).toBe(concurrency);
      // Some polls had room for fewer than 4 and asked for fewer: a poller that asks for a full
      // MaxNumberOfMessages whatever is in hand would overshoot the concurrency above.
      const receives = aws.fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === queue);
      const sizes = receives.map((c) => Number(c.details.maxNumberOfMessages));
      expect(sizes.some((n) => n < 4)).toBe(true);
      for (const n of sizes) expect(n).toBeLessThanOrEqual(concurrency);
    },
    30_000,
  );

  it(
    "backs off on throttling instead of spinning, then carries on",
    async () => {
      const queue = aws.fake.sqs.createQueue("throttled");
      await loadMessages(aws.client, queue, 5);
      const throttled = [
        { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
        { status: 403, code: "RequestThrottled", message: "Request is throttled." },
        { status: 403, code: "OverLimit", message: "Too many in-flight messages" },
      ];
      for (const error of throttled) aws.fake.sqs.faults.failNext(1, error, { action: "ReceiveMessage" });
      const errors: ConsumeErrorContext[] = [];
      const noRetries = fakeClient(aws.fake, { maxAttempts: 1 });
      const consumer = consume({
        client: noRetries,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        backoff: { initialDelayMs: 100, maxDelayMs: 400 },
        onError: (_error, context) => errors.push(context),
        handler: () => undefined,
      });
      await waitFor(() => consumer.counters.deleted === 5, 15_000, "5 deleted");
      await consumer.stop();
      noRetries.destroy();

      expect(errors.map((e) => [e.operation, e.kind])).toEqual(throttled.map(() => ["ReceiveMessage", "throttling"]));
      const delays = errors.map((e) => e.delayMs ?? 0);
      // Exponential (100, 200, 400 ms steps, half of each jittered), and really waited: the next poll
      // reached the fake no sooner than the announced delay (a timer never fires early).
      expect(delays[0]).toBeGreaterThanOrEqual(50);
      expect(delays[2]).toBeGreaterThanOrEqual(200);
      const receives = aws.fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === queue);
      for (let i = 0; i < 3; i++) expect(receives[i + 1]!.time - receives[i]!.time).toBeGreaterThanOrEqual(delays[i]! - 2);
      expect(consumer.counters.receiveErrors).toBe(3);
    },
    20_000,
  );

  it("runs a batch handler and fails only the messages it reports in batchItemFailures", async () => {
    const queue = aws.fake.sqs.createQueue("batched");
    await loadMessages(aws.client, queue, 10);
    const batches: number[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 30,
      batchHandler: (messages) => {
        batches.push(messages.length);
        return { batchItemFailures: messages.filter((m) => m.Body === "3").map((m) => ({ itemIdentifier: m.MessageId! })) };
      },
    });
    await waitFor(() => consumer.counters.deleted === 9, 10_000, "9 deleted");
    await consumer.stop();
    expect(consumer.counters.failed).toBe(1);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(10);
    expect(aws.fake.sqs.messages("batched").map((m) => m.body)).toEqual(["3"]);
  });

  it("retries a failed DeleteMessageBatch with backoff, and deletes everything in the end", async () => {
    const queue = aws.fake.sqs.createQueue("delete-retry");
    await loadMessages(aws.client, queue, 30);
    aws.fake.sqs.faults.failNext(4, { status: 503, code: "ServiceUnavailable", message: "try later" }, { action: "DeleteMessageBatch" });
    const errors: ConsumeErrorContext[] = [];
    const consumer = consume({
      client: fakeClient(aws.fake, { maxAttempts: 1 }),
      queueUrl: queue,
      WaitTimeSeconds: 1,
      backoff: fast,
      onError: (_e, context) => errors.push(context),
      handler: () => undefined,
    });
    await waitFor(() => consumer.counters.deleted === 30, 10_000, "30 deleted");
    await consumer.stop();
    expect(errors.filter((e) => e.operation === "DeleteMessageBatch")).toHaveLength(4);
    expect(errors.every((e) => e.kind === "transient" && (e.delayMs ?? 0) > 0)).toBe(true);
    expect(aws.fake.sqs.messageCount("delete-retry")).toBe(0);
    expect(consumer.counters.deleteFailures).toBe(0);
  });

  it("rejects done and stops on a fatal error, and stop() still resolves", async () => {
    const errors: ConsumeErrorContext[] = [];
    const consumer = consume({
      client: aws.client,
      queueUrl: aws.fake.sqs.queueUrl("no-such-queue"),
      WaitTimeSeconds: 1,
      onError: (_e, context) => errors.push(context),
      handler: () => undefined,
    });
    await expect(consumer.done).rejects.toMatchObject({ name: "QueueDoesNotExist" });
    await expect(consumer.stop()).resolves.toBeUndefined();
    expect(consumer.stopping).toBe(true);
    expect(errors).toEqual([{ operation: "ReceiveMessage", kind: "fatal" }]);
  });

  it("stops on its AbortSignal without waiting out a 20 s long poll", async () => {
    const controller = new AbortController();
    const consumer = consume({ client: aws.client, queueUrl: aws.fake.sqs.createQueue("signal"), signal: controller.signal, handler: () => undefined });
    await waitFor(() => consumer.counters.polls > 0, 5_000, "a poll");
    const started = Date.now();
    controller.abort();
    await consumer.done;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(consumer.counters.receiveErrors).toBe(0);
  });

  it(
    "bounds stop() by stopTimeoutMs: an abandoned handler that returns on abort is not deleted, and no SQS call follows stop()",
    async () => {
      const queue = aws.fake.sqs.createQueue("stuck");
      await aws.client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "stuck" }));
      let aborted = false;
      let late = false;
      let messageId: string | undefined;
      const logger = capturingLogger();
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        stopTimeoutMs: 300,
        logger,
        handler: (m, { signal }) =>
          new Promise<void>((resolve) => {
            messageId = m.MessageId;
            // Returns (successfully) the moment it is told to give up: the worst case for a late delete.
            signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
              setTimeout(() => (late = true), 0);
            });
          }),
      });
      await waitFor(() => consumer.counters.inFlight === 1, 5_000, "the handler to start");
      const started = Date.now();
      await consumer.stop();
      const callsAtStop = aws.fake.sqs.calls.filter((c) => c.details.queueUrl === queue).length;
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(aborted).toBe(true);
      expect(consumer.counters.abandoned).toBe(1);
      // Give a late delete every chance to land.
      await delay(800);
      expect(late).toBe(true);
      expect(aws.fake.sqs.calls.filter((c) => c.details.queueUrl === queue).length).toBe(callsAtStop);
      expect(aws.fake.sqs.calls.some((c) => c.action === "DeleteMessageBatch" && c.details.queueUrl === queue)).toBe(false);
      expect(aws.fake.sqs.messages("stuck").map((m) => m.body)).toEqual(["stuck"]);
      expect(consumer.counters.deleted).toBe(0);
      // Said as what it is (not a delete given up): the message comes back after its visibility timeout.
      const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => l.text);
      expect(warnings).toContain(`awscreds/sqs: abandoned handler for message ${messageId} finished after stopTimeoutMs; not deleted, it will be delivered again`);
      expect(warnings.some((w) => w.includes("gave up"))).toBe(false);
    },
    10_000,
  );

  it(
    "an abandoned handler that fails later sends no visibility change after stop()",
    async () => {
      const queue = aws.fake.sqs.createQueue("stuck-failing");
      await aws.client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "stuck" }));
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        stopTimeoutMs: 200,
        failureVisibilityTimeout: 0,
        handler: (_m, { signal }) =>
          new Promise<void>((_resolve, reject) => {
            signal.addEventListener("abort", () => reject(new Error("gave up")));
          }),
      });
      await waitFor(() => consumer.counters.inFlight === 1, 5_000, "the handler to start");
      await consumer.stop();
      const callsAtStop = aws.fake.sqs.calls.filter((c) => c.details.queueUrl === queue).length;
      await delay(500);
      expect(aws.fake.sqs.calls.filter((c) => c.details.queueUrl === queue).length).toBe(callsAtStop);
      expect(aws.fake.sqs.calls.some((c) => c.action === "ChangeMessageVisibility" && c.details.queueUrl === queue)).toBe(false);
    },
    10_000,
  );

  it(
    "stops, rejecting done with RefresherStoppedError, when the client's credentials provider was stopped",
    async () => {
      const queue = aws.fake.sqs.createQueue("provider-stopped");
      const keys = aws.fake.registerStaticKeys();
      // Client-side lifetime of 1.5 s: the refresher refreshes once or twice, is stopped, then its credentials run out.
      const credentials = createRefresher(async () => ({ ...keys, expiration: new Date(Date.now() + 1_500) }), {
        backoff: { initialDelayMs: 50, maxDelayMs: 100 },
      });
      const consumerClient = new SQSClient({ region: aws.fake.region, endpoint: aws.fake.sqs.endpoint, credentials });
      const errors: ConsumeErrorContext[] = [];
      const logged: string[] = [];
      const consumer = consume({
        client: consumerClient,
        queueUrl: queue,
        WaitTimeSeconds: 1,
        backoff: { initialDelayMs: 50, maxDelayMs: 100 },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (text: string) => void logged.push(text) },
        onError: (_e, context) => errors.push(context),
        handler: () => undefined,
      });
      await waitFor(() => consumer.counters.polls > 0, 5_000, "a poll");
      credentials.stop();
      const outcome = await Promise.race([consumer.done.then(() => "resolved", (e: unknown) => e), delay(8_000).then(() => "still running")]);
      if (outcome === "still running") await consumer.stop();
      expect(outcome).toMatchObject({ name: "RefresherStoppedError" });
      expect(consumer.stopping).toBe(true);
      expect(errors).toEqual([{ operation: "ReceiveMessage", kind: "credentials" }]);
      expect(consumer.counters.receiveErrors).toBe(1);
      expect(logged).toEqual([expect.stringContaining("awscreds/sqs: the client's credentials provider was stopped; stopping: ")]);
      consumerClient.destroy();
    },
    15_000,
  );
});
