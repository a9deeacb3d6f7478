/**
 * `consume` at its edges: what it reports (onError contexts, throwing callbacks, log levels), how it
 * sizes and spaces its polls, what it sends after a failure, and what stop() does with a receive that
 * answers while stopping, a user's polling client and a last delete that fails. Real SDK clients over
 * HTTP against the loopback fake SQS.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { consume, type ConsumeErrorContext } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { capturingLogger } from "../support/capturing-logger.js";
import { clearAwsEnv, delay, fakeClient, loadMessages, waitFor } from "./support.js";

clearAwsEnv();

let fake: FakeAws;
let client: SQSClient;
/** One attempt per call: a fault the fake injects reaches consume instead of the SDK's retries. */
let once: SQSClient;
const fast = { initialDelayMs: 20, maxDelayMs: 40 };

beforeAll(async () => {
  fake = await startFakeAws();
  client = fakeClient(fake);
  once = fakeClient(fake, { maxAttempts: 1 });
});

afterAll(async () => {
  fake.sqs.faults.restore();
  client.destroy();
  once.destroy();
  await fake.close();
});

/** Waits for `predicate` on the real clock (setImmediate turns), whatever the fake timers do; 10 s at most. */
async function untilReal(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Lets real I/O run for `ms` of the real clock without moving the fake one. */
async function idleReal(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
}

const callsOf = (queue: string, action: string) => fake.sqs.calls.filter((c) => c.action === action && c.details.queueUrl === queue);

describe("consume: failureVisibilityTimeout", () => {
  it("sends what the function returns, rounded and clamped to SQS's 0..43200 s (non-finite: 0); a throwing function is reported and sends nothing", async () => {
    const queue = fake.sqs.createQueue("fvt-clamp");
    const returns: Record<string, () => number> = {
      negative: () => -5,
      huge: () => 1e9,
      fraction: () => 600.6,
      nan: () => Number.NaN,
      throws: () => {
        throw new Error("backoff table missing");
      },
    };
    for (const body of Object.keys(returns)) await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body }));
    const errors: [unknown, ConsumeErrorContext][] = [];
    const seen = new Set<string>();
    const consumer = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: [],
      failureVisibilityTimeout: ({ message, receiveCount }) => {
        expect(receiveCount).toBeUndefined();
        return returns[message.Body!]!();
      },
      onError: (error, context) => errors.push([error, context]),
      handler: (message) => {
        // Fails on the first receive only: messages made visible again at once succeed next time.
        if (!seen.has(message.Body!)) {
          seen.add(message.Body!);
          throw new Error("first receive fails");
        }
      },
    });
    await waitFor(() => consumer.counters.failed === 5 && consumer.counters.deleted === 2, 10_000, "5 failures and the 2 redelivered at once deleted");
    await consumer.stop();

    const sent = callsOf(queue, "ChangeMessageVisibility").map((c) => c.details.visibilityTimeout);
    expect(sent.sort((a, b) => Number(a) - Number(b))).toEqual([0, 0, 601, 43_200]);
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toEqual({ operation: "callback", kind: "transient" });
    expect(String(errors[0]![0])).toContain("backoff table missing");
    // Visible again at once: the two that got 0 s; the rest stay invisible (10 min, 12 h, and the 30 s of their receive).
    expect(fake.sqs.messages("fvt-clamp").map((m) => m.body).sort()).toEqual(["fraction", "huge", "throws"]);
  });

  it("sends a number as given, and passes the receive count when SQS returns it", async () => {
    const queue = fake.sqs.createQueue("fvt-number");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const counts: (number | undefined)[] = [];
    const consumer = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 7,
      onFailed: (message) => counts.push(Number(message.Attributes?.ApproximateReceiveCount)),
      handler: () => {
        throw new Error("fails");
      },
    });
    await waitFor(() => callsOf(queue, "ChangeMessageVisibility").length === 1, 10_000, "the visibility change");
    await consumer.stop();
    expect(callsOf(queue, "ChangeMessageVisibility").map((c) => c.details.visibilityTimeout)).toEqual([7]);
    expect(counts).toEqual([1]);
  });

  it("reports a failed visibility change with its operation and kind", async () => {
    const queue = fake.sqs.createQueue("fvt-fails");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    fake.sqs.faults.failNext(1, { status: 400, code: "ThrottlingException", message: "Rate exceeded" }, { action: "ChangeMessageVisibility" });
    const errors: ConsumeErrorContext[] = [];
    const consumer = consume({
      client: once,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      onError: (_e, context) => errors.push(context),
      handler: () => {
        throw new Error("fails");
      },
    });
    await waitFor(() => errors.length === 1, 10_000, "the reported failure");
    await consumer.stop();
    expect(errors).toEqual([{ operation: "ChangeMessageVisibility", kind: "throttling" }]);
  });
});

describe("consume: callbacks and reporting", () => {
  it("a throwing onProcessed is logged as an error and reported as a callback error; the message is still deleted", async () => {
    const queue = fake.sqs.createQueue("callback-throws");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const logger = capturingLogger();
    const { lines } = logger;
    const errors: ConsumeErrorContext[] = [];
    const consumer = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      logger,
      onError: (_e, context) => errors.push(context),
      onProcessed: () => {
        throw new Error("metrics down");
      },
      handler: () => undefined,
    });
    await waitFor(() => consumer.counters.deleted === 1, 10_000, "the delete");
    await consumer.stop();
    expect(errors).toEqual([{ operation: "callback", kind: "transient" }]);
    expect(lines.filter((l) => l.level === "error").map((l) => l.text)).toEqual([expect.stringContaining("onProcessed callback threw: ")]);
    expect(lines.filter((l) => l.level === "error")[0]!.text).toContain("metrics down");
    // A clean stop: nothing abandoned, nothing to warn about.
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("without onError a throwing callback is only logged; a throwing onError is logged too", async () => {
    const queue = fake.sqs.createQueue("onerror-throws");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "a" }));
    const quiet = capturingLogger();
    const first = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      logger: quiet,
      onFailed: () => {
        throw new Error("alerting down");
      },
      failureVisibilityTimeout: 0,
      handler: () => {
        throw new Error("fails");
      },
    });
    await waitFor(() => first.counters.failed >= 1, 10_000, "a failure");
    await first.stop();
    expect(quiet.lines.filter((l) => l.level === "error").map((l) => l.text)).toEqual(
      Array.from({ length: first.counters.failed }, () => expect.stringContaining("onFailed callback threw: ")),
    );

    const other = fake.sqs.createQueue("onerror-throws-2");
    await client.send(new SendMessageCommand({ QueueUrl: other, MessageBody: "b" }));
    const loud = capturingLogger();
    const second = consume({
      client,
      queueUrl: other,
      WaitTimeSeconds: 1,
      logger: loud,
      onError: () => {
        throw new Error("pager down");
      },
      onProcessed: () => {
        throw new Error("metrics down");
      },
      handler: () => undefined,
    });
    await waitFor(() => second.counters.deleted === 1, 10_000, "the delete");
    await second.stop();
    const errorLines = loud.lines.filter((l) => l.level === "error").map((l) => l.text);
    expect(errorLines).toEqual([expect.stringContaining("onProcessed callback threw: "), expect.stringContaining("onError callback threw: ")]);
    expect(errorLines[1]).toContain("pager down");
  });

  it("counts visibility extensions and reports a failed heartbeat with its operation and kind", async () => {
    const queue = fake.sqs.createQueue("heartbeat-fails");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "slow" }));
    fake.sqs.faults.failNext(1, { status: 500, code: "InternalError", message: "try again" }, { action: "ChangeMessageVisibilityBatch" });
    const logger = capturingLogger();
    const { lines } = logger;
    const errors: ConsumeErrorContext[] = [];
    let extensionsSeen = 0;
    const consumer = consume({
      client: once,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 2,
      heartbeatIntervalSeconds: 0.2,
      logger,
      onError: (_e, context) => errors.push(context),
      handler: async () => {
        // Held until the heartbeat failed once and then extended the message twice.
        await waitFor(() => errors.length === 1 && callsOf(queue, "ChangeMessageVisibilityBatch").length >= 3, 10_000, "heartbeats");
        await waitFor(() => consumer.counters.visibilityExtensions >= 2, 10_000, "two extensions counted");
        extensionsSeen = consumer.counters.visibilityExtensions;
      },
    });
    await waitFor(() => consumer.counters.deleted === 1, 15_000, "the delete");
    await consumer.stop();
    expect(errors).toEqual([{ operation: "ChangeMessageVisibilityBatch", kind: "transient" }]);
    expect(lines.some((l) => l.level === "warn" && l.text.includes("visibility heartbeat failed (transient)"))).toBe(true);
    expect(extensionsSeen).toBeGreaterThanOrEqual(2);
    // Counted per extended message, one message here: at most one per successful batch call.
    expect(consumer.counters.visibilityExtensions).toBeLessThanOrEqual(callsOf(queue, "ChangeMessageVisibilityBatch").length - 1);
  });

  it("gives up a delete after 5 attempts: counted, logged with the message id, the last report without a retry delay", async () => {
    const queue = fake.sqs.createQueue("delete-gives-up");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    fake.sqs.faults.failNext(5, { status: 503, code: "ServiceUnavailable", message: "try later" }, { action: "DeleteMessageBatch" });
    const logger = capturingLogger();
    const { lines } = logger;
    const errors: ConsumeErrorContext[] = [];
    let id = "";
    const consumer = consume({
      client: once,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      backoff: fast,
      logger,
      onError: (_e, context) => errors.push(context),
      handler: (message) => {
        id = message.MessageId!;
      },
    });
    await waitFor(() => consumer.counters.deleteFailures === 1, 10_000, "the give-up");
    await consumer.stop();
    expect(errors.map((e) => e.operation)).toEqual(Array(5).fill("DeleteMessageBatch"));
    for (const e of errors.slice(0, 4)) expect(e.delayMs).toBeGreaterThan(0);
    // Not retried: no delayMs at all (not even an undefined one).
    expect(errors[4]).toStrictEqual({ operation: "DeleteMessageBatch", kind: "transient" });
    const warns = lines.filter((l) => l.level === "warn").map((l) => l.text);
    expect(warns.filter((t) => t.includes("DeleteMessageBatch failed (transient), retrying in "))).toHaveLength(4);
    expect(warns.filter((t) => t.includes("DeleteMessageBatch failed (transient): "))).toHaveLength(1);
    expect(warns.some((t) => t.includes(`gave up deleting message ${id}; it will be delivered again`))).toBe(true);
    expect(consumer.counters).toMatchObject({ processed: 1, deleted: 0, deleteFailures: 1 });
    expect(fake.sqs.messages("delete-gives-up")).toHaveLength(1);
  });

  it("logs at debug when the polling client was not made by createLongPollingClient, and not when it was", async () => {
    const queue = fake.sqs.createQueue("debug-note");
    const plain = capturingLogger();
    const pollingClient = fakeClient(fake);
    const mine = consume({ client, pollingClient, queueUrl: queue, WaitTimeSeconds: 1, logger: plain, handler: () => undefined });
    await mine.stop();
    expect(plain.lines.filter((l) => l.level === "debug").map((l) => l.text)).toEqual([
      expect.stringContaining("pollingClient was not made by createLongPollingClient"),
    ]);
    const own = capturingLogger();
    const theirs = consume({ client, queueUrl: queue, WaitTimeSeconds: 1, logger: own, handler: () => undefined });
    await theirs.stop();
    expect(own.lines.filter((l) => l.text.includes("pollingClient was not made"))).toEqual([]);
    pollingClient.destroy();
  });
});

describe("consume: batch handler results", () => {
  it("nothing returned means all succeeded; odd entries of batchItemFailures are ignored, listed ids fail", async () => {
    const queue = fake.sqs.createQueue("batch-results");
    await loadMessages(client, queue, 3);
    // One message per call: nothing, null, and a batchItemFailures that is not a list all mean success.
    const results: unknown[] = [undefined, null, { batchItemFailures: "all of them" }];
    const consumer = consume({ client, queueUrl: queue, WaitTimeSeconds: 1, MaxNumberOfMessages: 1, batchHandler: () => results.shift() });
    await waitFor(() => consumer.counters.deleted === 3, 10_000, "three batches deleted");
    await consumer.stop();
    expect(consumer.counters).toMatchObject({ processed: 3, failed: 0 });

    // A null entry, one without an id, and the message's own id: only that message fails.
    const other = fake.sqs.createQueue("batch-results-2");
    await client.send(new SendMessageCommand({ QueueUrl: other, MessageBody: "last" }));
    const last = consume({
      client,
      queueUrl: other,
      WaitTimeSeconds: 1,
      batchHandler: (messages) => ({ batchItemFailures: [null, {}, { itemIdentifier: messages[0]!.MessageId }] }),
    });
    await waitFor(() => last.counters.failed === 1, 10_000, "the listed message failed");
    await last.stop();
    expect(last.counters).toMatchObject({ processed: 0, failed: 1, deleted: 0 });
    expect(fake.sqs.messages("batch-results")).toEqual([]);
    expect(fake.sqs.messages("batch-results-2").map((m) => m.body)).toEqual(["last"]);
  });
});

describe("consume: a batch handler that throws", () => {
  it("fails every message of the batch: none deleted, each given its failure visibility timeout and passed to onFailed with the error", async () => {
    const queue = fake.sqs.createQueue("batch-throws");
    await loadMessages(client, queue, 3);
    const failed: [string, unknown][] = [];
    const consumer = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 60,
      failureVisibilityTimeout: 0,
      onFailed: (message, error) => void failed.push([message.Body!, error]),
      batchHandler: () => {
        throw new Error("downstream is down");
      },
    });
    await waitFor(() => consumer.counters.failed >= 3, 10_000, "the batch failed");
    await consumer.stop();
    expect(consumer.counters.deleted).toBe(0);
    expect(consumer.counters.processed).toBe(0);
    expect(callsOf(queue, "DeleteMessageBatch")).toEqual([]);
    // Each message was made visible again at once (failureVisibilityTimeout 0), not left for 60 s.
    expect(callsOf(queue, "ChangeMessageVisibility").length).toBeGreaterThanOrEqual(3);
    expect(fake.sqs.messageCount("batch-throws")).toBe(3);
    expect(failed).toHaveLength(consumer.counters.failed);
    expect(new Set(failed.slice(0, 3).map(([body]) => body))).toEqual(new Set(["0", "1", "2"]));
    for (const [, error] of failed) expect((error as Error).message).toBe("downstream is down");
  });
});

describe("consume: telemetry: false", () => {
  it("handles and deletes with no telemetry at all", async () => {
    const queue = fake.sqs.createQueue("no-telemetry");
    await loadMessages(client, queue, 2);
    const consumer = consume({ client, queueUrl: queue, WaitTimeSeconds: 1, telemetry: false, handler: () => undefined });
    await waitFor(() => consumer.counters.deleted === 2, 10_000, "both deleted");
    await consumer.stop();
    expect(consumer.counters).toMatchObject({ received: 2, processed: 2, failed: 0 });
  });
});

describe("consume: messages missing what SQS always sends", () => {
  /** A polling client whose answers lose `field` of the message with body `body` (as a middleware on a real response). */
  function losing(field: "ReceiptHandle" | "MessageId", body: string): SQSClient {
    const pollingClient = fakeClient(fake);
    pollingClient.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        for (const message of (out.output as { Messages?: Message[] }).Messages ?? []) if (message.Body === body) delete message[field];
        return out;
      },
      { step: "initialize", name: `lose${field}` },
    );
    return pollingClient;
  }

  it("a message without a receipt handle is not handled (it could be neither deleted nor kept invisible)", async () => {
    const queue = fake.sqs.createQueue("no-receipt-handle");
    await loadMessages(client, queue, 3);
    const pollingClient = losing("ReceiptHandle", "1");
    const handled: string[] = [];
    const consumer = consume({ client, pollingClient, queueUrl: queue, WaitTimeSeconds: 1, handler: (m) => void handled.push(m.Body!) });
    await waitFor(() => consumer.counters.deleted === 2, 10_000, "the other two deleted");
    await consumer.stop();
    pollingClient.destroy();
    expect(handled.sort()).toEqual(["0", "2"]);
    expect(consumer.counters).toMatchObject({ received: 3, processed: 2, failed: 0, deleteFailures: 0 });
  });

  it("a receive holding only messages without a receipt handle never reaches the batch handler (no empty batch)", async () => {
    const queue = fake.sqs.createQueue("no-receipt-handle-batch");
    await loadMessages(client, queue, 1);
    const pollingClient = losing("ReceiptHandle", "0");
    const batches: number[] = [];
    const consumer = consume({ client, pollingClient, queueUrl: queue, WaitTimeSeconds: 0, batchHandler: (messages) => void batches.push(messages.length) });
    // The message stays in flight at SQS, so the next polls are empty: wait for one after it.
    await waitFor(() => consumer.counters.received === 1 && consumer.counters.emptyPolls >= 1, 10_000, "the receipt-less message and an empty poll after it");
    await consumer.stop();
    pollingClient.destroy();
    expect(batches).toEqual([]);
    expect(consumer.counters).toMatchObject({ received: 1, processed: 0, failed: 0, inFlight: 0 });
  });

  it("a message without an id is not failed by an entry of batchItemFailures without one", async () => {
    const queue = fake.sqs.createQueue("no-message-id");
    await loadMessages(client, queue, 2);
    const pollingClient = losing("MessageId", "1");
    const consumer = consume({
      client,
      pollingClient,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      batchHandler: (messages) => ({ batchItemFailures: [{}, ...messages.filter((m) => m.Body === "0").map((m) => ({ itemIdentifier: m.MessageId }))] }),
    });
    await waitFor(() => consumer.counters.processed + consumer.counters.failed === 2, 10_000, "both handled");
    await consumer.stop();
    pollingClient.destroy();
    expect(consumer.counters).toMatchObject({ processed: 1, failed: 1, deleted: 1 });
    expect(fake.sqs.messages("no-message-id").map((m) => m.body)).toEqual(["0"]);
  });
});

describe("consume: polls", () => {
  it("gathers: with one slot free and another handler about to finish, waits a moment and polls for both", async () => {
    const queue = fake.sqs.createQueue("gather");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "a" }));
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "b" }));
    const finish = new Map<string, () => void>();
    const consumer = consume({
      client,
      queueUrl: queue,
      concurrency: 2,
      WaitTimeSeconds: 1,
      handler: (message) => new Promise<void>((resolve) => finish.set(message.Body!, resolve)),
    });
    await waitFor(() => finish.size === 2, 10_000, "both handlers running");
    // "a" finishes; "b" 5 ms later, well inside the 20 ms the poller waits for room for a full receive.
    // (Timers fire in order of their due time, so "b" always finishes before that wait ends.)
    finish.get("a")!();
    setTimeout(() => finish.get("b")!(), 5);
    await waitFor(() => callsOf(queue, "ReceiveMessage").length >= 2, 10_000, "the next poll");
    await consumer.stop();
    expect(callsOf(queue, "ReceiveMessage").map((c) => c.details.maxNumberOfMessages)).toEqual([2, 2]);
  });

  it("with WaitTimeSeconds 0, an empty poll is followed by a 1 s pause; with a long poll, the next poll follows at once", async () => {
    // The clock is fake (timers only: the wire runs for real) and moves only when the test moves it, so
    // what follows an empty poll is told apart by whether a timer must fire, not by how fast the box is.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const short = fake.sqs.createQueue("short-polls");
      const a = consume({ client, queueUrl: short, WaitTimeSeconds: 0, handler: () => undefined });
      await untilReal(() => a.counters.emptyPolls === 1, "the first short poll's empty answer");
      vi.advanceTimersByTime(999);
      await idleReal(50);
      expect(callsOf(short, "ReceiveMessage")).toHaveLength(1); // a second's pause: not a millisecond less
      vi.advanceTimersByTime(1);
      await untilReal(() => callsOf(short, "ReceiveMessage").length === 2, "the poll after the pause");
      await a.stop();
      expect(a.counters).toMatchObject({ received: 0, receiveErrors: 0 });

      // A long poll answered empty (the wire is rewritten to WaitTimeSeconds 0, so the fake answers at
      // once and no timer runs anywhere): the next poll is sent with the clock standing still.
      const long = fake.sqs.createQueue("long-polls");
      const pollingClient = fakeClient(fake);
      pollingClient.middlewareStack.add(
        (next) => async (args) => {
          (args.input as { WaitTimeSeconds?: number }).WaitTimeSeconds = 0;
          return next(args);
        },
        { step: "initialize", name: "answerAtOnce" },
      );
      const b = consume({ client, pollingClient, queueUrl: long, WaitTimeSeconds: 1, handler: () => undefined });
      await untilReal(() => callsOf(long, "ReceiveMessage").length >= 3, "three long polls without the clock moving");
      await b.stop();
      pollingClient.destroy();
      expect(b.counters.emptyPolls).toBeGreaterThanOrEqual(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("consume: stop()", () => {
  /**
   * A polling client whose first answer asks for stop (through `controller`) on its way back: after the
   * response, before consume sees it. `loseHandleOf`: the body of a message whose receipt handle it drops.
   */
  function stoppingOnAnswer(loseHandleOf?: string): { pollingClient: SQSClient; controller: AbortController } {
    const pollingClient = fakeClient(fake);
    const controller = new AbortController();
    pollingClient.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        for (const message of (out.output as { Messages?: Message[] }).Messages ?? []) if (message.Body === loseHandleOf) delete message.ReceiptHandle;
        controller.abort();
        return out;
      },
      { step: "initialize", name: "stopOnAnswer" },
    );
    return { pollingClient, controller };
  }

  it("hands back, unhandled, the messages of a receive that answers while stopping", async () => {
    const queue = fake.sqs.createQueue("answer-at-stop");
    await loadMessages(client, queue, 3);
    const { pollingClient, controller } = stoppingOnAnswer();
    const handled: Message[] = [];
    const consumer = consume({
      client,
      pollingClient,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 60,
      signal: controller.signal,
      handler: (message) => void handled.push(message),
    });
    await consumer.done;
    expect(handled).toEqual([]);
    expect(consumer.counters).toMatchObject({ polls: 1, received: 3, released: 3, processed: 0 });
    const releases = callsOf(queue, "ChangeMessageVisibilityBatch");
    expect(releases.map((c) => c.details.entries)).toEqual([3]);
    // Visible again now, not in 60 s.
    expect(fake.sqs.counts("answer-at-stop")).toMatchObject({ visible: 3, inFlight: 0 });
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10 }));
    expect(again.Messages).toHaveLength(3);
    pollingClient.destroy();
  });

  it("hands back only what it can: a message of that receive without a receipt handle is left to time out", async () => {
    const queue = fake.sqs.createQueue("answer-at-stop-no-handle");
    await loadMessages(client, queue, 3);
    const { pollingClient, controller } = stoppingOnAnswer("1");
    const consumer = consume({ client, pollingClient, queueUrl: queue, WaitTimeSeconds: 1, VisibilityTimeout: 60, signal: controller.signal, handler: () => undefined });
    await consumer.done;
    pollingClient.destroy();
    expect(consumer.counters).toMatchObject({ received: 3, released: 2, processed: 0 });
    expect(callsOf(queue, "ChangeMessageVisibilityBatch").map((c) => c.details.entries)).toEqual([2]);
    expect(fake.sqs.counts("answer-at-stop-no-handle")).toMatchObject({ visible: 2, inFlight: 1 });
  });

  it("a fatal receive error is logged as such and stops the consumer", async () => {
    const logger = capturingLogger();
    const { lines } = logger;
    const consumer = consume({ client, queueUrl: fake.sqs.queueUrl("never-created"), WaitTimeSeconds: 1, logger, handler: () => undefined });
    await expect(consumer.done).rejects.toMatchObject({ name: "QueueDoesNotExist" });
    expect(lines.filter((l) => l.level === "error").map((l) => l.text)).toEqual([
      expect.stringContaining("awscreds/sqs: ReceiveMessage failed and cannot succeed on retry; stopping: "),
    ]);
  });

  it("waits for a visibility change sent by a handler failing during stop(), and lets go of its signal", async () => {
    const queue = fake.sqs.createQueue("side-call-at-stop");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    // The visibility change hangs until the client's 400 ms request timeout: stop() must outlast it.
    const slow = fakeClient(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 400, throwOnRequestTimeout: true } });
    fake.sqs.faults.hangNext(1, { action: "ChangeMessageVisibility" });
    const controller = new AbortController();
    const errors: ConsumeErrorContext[] = [];
    let fail!: (error: Error) => void;
    const consumer = consume({
      client: slow,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      failureVisibilityTimeout: 0,
      signal: controller.signal,
      onError: (_e, context) => errors.push(context),
      handler: () => new Promise<void>((_resolve, reject) => (fail = reject)),
    });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await waitFor(() => consumer.counters.inFlight === 1, 10_000, "the handler to start");
    const stopped = consumer.stop();
    fail(new Error("failed while stopping"));
    await stopped;
    expect(errors).toEqual([{ operation: "ChangeMessageVisibility", kind: "transient" }]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    slow.destroy();
  });

  it("a second stop() does not push back stopTimeoutMs", async () => {
    const queue = fake.sqs.createQueue("stop-twice");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    let abortedAt = 0;
    const consumer = consume({
      client,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      stopTimeoutMs: 1_000,
      handler: (_m, { signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener("abort", () => {
            abortedAt = Date.now();
            resolve();
          });
        }),
    });
    await waitFor(() => consumer.counters.inFlight === 1, 10_000, "the handler to start");
    const firstAt = Date.now();
    const first = consumer.stop();
    await delay(800);
    await Promise.all([first, consumer.stop()]);
    // Abandoned 1 s after the first stop(); a deadline counted from the second would be 1.8 s.
    expect(abortedAt - firstAt).toBeGreaterThanOrEqual(999);
    expect(abortedAt - firstAt).toBeLessThan(1_700);
    expect(consumer.counters.abandoned).toBe(1);
  });

  it("an already aborted signal stops the consumer before its first poll", async () => {
    const queue = fake.sqs.createQueue("aborted-before");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const consumer = consume({ client, queueUrl: queue, signal: AbortSignal.abort(), handler: () => undefined });
    expect(consumer.stopping).toBe(true);
    await consumer.done;
    expect(consumer.counters.polls).toBe(0);
    expect(callsOf(queue, "ReceiveMessage")).toEqual([]);
  });

  it("waits for a handler that finishes within stopTimeoutMs, and retries a failing last delete within deleteFlushTimeoutMs", async () => {
    const queue = fake.sqs.createQueue("finish-at-stop");
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const logger = capturingLogger();
    const { lines } = logger;
    let release!: () => void;
    const consumer = consume({
      client: once,
      queueUrl: queue,
      WaitTimeSeconds: 1,
      stopTimeoutMs: 10_000,
      deleteFlushTimeoutMs: 10_000,
      backoff: fast,
      logger,
      handler: () => new Promise<void>((resolve) => (release = resolve)),
    });
    await waitFor(() => consumer.counters.inFlight === 1, 10_000, "the handler to start");
    const stopped = consumer.stop();
    // Still handling 300 ms into stop(); its delete then fails twice before it goes through.
    await delay(300);
    fake.sqs.faults.failNext(2, { status: 500, code: "InternalError", message: "try again" }, { action: "DeleteMessageBatch" });
    release();
    await stopped;
    expect(consumer.counters).toMatchObject({ abandoned: 0, processed: 1, deleted: 1, deleteFailures: 0 });
    expect(fake.sqs.messages("finish-at-stop")).toEqual([]);
    expect(callsOf(queue, "DeleteMessageBatch")).toHaveLength(3);
    expect(lines.some((l) => l.text.includes("still running after stopTimeoutMs"))).toBe(false);
  });
});
