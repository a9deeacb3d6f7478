/**
 * A consumer (or poller) nobody listens to still says when SQS calls fail: `console.warn`, the first
 * error of each code at once, then at most one line a minute per code with a count; and every SQS call of
 * `consume` and `pollMessages` is measured as `messaging.client.operation.duration`, failed ones with
 * `error.type`. Real SDK clients against the fake SQS.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { metrics } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consume, createLongPollingClient, pollMessages } from "../../src/sqs/index.js";
import { unheardErrorWarner, WarningGate } from "../../src/sqs/default-warnings.js";
import { METRIC } from "../../src/telemetry/names.js";
import { histogramCount, point, points, startOtel } from "../telemetry/support.js";
import { fakeSqsForFile, queueMaker, waitFor } from "./support.js";

const aws = fakeSqsForFile();

afterEach(() => {
  aws.fake.sqs.faults.restore();
  vi.restoreAllMocks();
  metrics.disable();
});

const rejected = { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid." };
const fastBackoff = { initialDelayMs: 5, maxDelayMs: 10 };

const queue = queueMaker(aws, "silent");

describe("consume with no onError and no logger", () => {
  it("warns through console.warn once for a run of rejected receives (not once per retry)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { url } = queue();
    aws.fake.sqs.faults.failNext(Infinity, rejected, { action: "ReceiveMessage" });
    const consumer = consume({ client: aws.client, queueUrl: url, WaitTimeSeconds: 1, backoff: fastBackoff, handler: () => undefined, telemetry: false });
    await waitFor(() => consumer.counters.receiveErrors >= 10, 10_000, "10 failed receives");
    await consumer.stop();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ReceiveMessage failed \(credentials, retrying in \d+ ms\): InvalidClientTokenId.*Pass onError or logger to consume\(\)/);
  });

  it("says nothing on console when a logger is given (the logger hears it)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { url } = queue();
    aws.fake.sqs.faults.failNext(Infinity, rejected, { action: "ReceiveMessage" });
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (line: string) => void lines.push(line) };
    const consumer = consume({ client: aws.client, queueUrl: url, WaitTimeSeconds: 1, backoff: fastBackoff, handler: () => undefined, telemetry: false, logger });
    await waitFor(() => consumer.counters.receiveErrors >= 3, 10_000, "3 failed receives");
    await consumer.stop();
    expect(warn).not.toHaveBeenCalled();
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it("pollMessages warns the same way", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { url } = queue();
    aws.fake.sqs.faults.failNext(Infinity, rejected, { action: "ReceiveMessage" });
    const controller = new AbortController();
    const polling = createLongPollingClient(aws.client);
    const done = (async () => {
      for await (const batch of pollMessages(polling, { queueUrl: url, WaitTimeSeconds: 1, backoff: fastBackoff, signal: controller.signal, telemetry: false })) void batch;
    })();
    await waitFor(() => aws.fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === url).length >= 5, 10_000, "5 receives");
    controller.abort();
    await done;
    polling.destroy();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/InvalidClientTokenId.*pollMessages\(\)/);
  });
});

describe("the warning gate", () => {
  it("says the first error of a code at once, then at most one a minute per code, with how many were left unsaid", () => {
    let now = 0;
    const lines: string[] = [];
    const warn = unheardErrorWarner("consume", (line) => lines.push(line), () => now);
    const expired = Object.assign(new Error("expired"), { name: "ExpiredToken" });
    const gone = Object.assign(new Error("gone"), { name: "QueueDoesNotExist" });
    for (let i = 0; i < 30; i += 1) {
      warn(expired, { operation: "ReceiveMessage", kind: "credentials", delayMs: 500 });
      now += 1_000;
    }
    warn(gone, { operation: "ReceiveMessage", kind: "fatal" });
    expect(lines).toHaveLength(2);
    now += 31_000; // 61 s after the first
    warn(expired, { operation: "ReceiveMessage", kind: "credentials", delayMs: 500 });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/ExpiredToken: expired \(29 more like it since the last warning\)/);
  });

  it("keeps one window per code", () => {
    const gate = new WarningGate(60_000);
    expect(gate.decide("a", 0)).toEqual({ emit: true, suppressed: 0 });
    expect(gate.decide("b", 1)).toEqual({ emit: true, suppressed: 0 });
    expect(gate.decide("a", 59_999)).toEqual({ emit: false });
    expect(gate.decide("a", 60_000)).toEqual({ emit: true, suppressed: 1 });
  });
});

describe("messaging.client.operation.duration", () => {
  it("consume: every SQS call, failed receives with error.type, successful receives and deletes without", async () => {
    const otel = startOtel();
    const { url } = queue();
    await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "one" }));
    aws.fake.sqs.faults.failNext(2, rejected, { action: "ReceiveMessage" });
    const consumer = consume({
      client: aws.client,
      queueUrl: url,
      WaitTimeSeconds: 1,
      deleteFlushDelayMs: 1,
      backoff: fastBackoff,
      onError: () => undefined,
      handler: () => undefined,
      telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider },
    });
    await waitFor(() => consumer.counters.deleted === 1, 10_000, "the message deleted");
    await consumer.stop();
    const collected = await otel.metrics();
    const common = { "messaging.system": "aws_sqs", "messaging.destination.name": url.split("/").pop()! };
    const failed = point(collected, METRIC.operationDuration, {
      ...common,
      "messaging.operation.name": "ReceiveMessage",
      "messaging.operation.type": "receive",
      "error.type": "InvalidClientTokenId",
    });
    expect(histogramCount(failed)).toBe(2);
    const received = point(collected, METRIC.operationDuration, { ...common, "messaging.operation.name": "ReceiveMessage", "messaging.operation.type": "receive" });
    expect(histogramCount(received)).toBeGreaterThanOrEqual(1);
    const deleted = point(collected, METRIC.operationDuration, { ...common, "messaging.operation.name": "DeleteMessageBatch", "messaging.operation.type": "settle" });
    expect(histogramCount(deleted)).toBe(1);
    await otel.shutdown();
  });

  it("pollMessages: the same metric and messaging.client.consumed.messages", async () => {
    const otel = startOtel();
    const { url } = queue();
    await aws.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "one" }));
    aws.fake.sqs.faults.failNext(1, rejected, { action: "ReceiveMessage" });
    const polling = createLongPollingClient(aws.client);
    const telemetry = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
    for await (const batch of pollMessages(polling, { queueUrl: url, WaitTimeSeconds: 1, backoff: fastBackoff, onError: () => undefined, telemetry })) {
      expect(batch).toHaveLength(1);
      break;
    }
    polling.destroy();
    const collected = await otel.metrics();
    const names = points(collected, METRIC.operationDuration).map((p) => `${String(p.attributes["messaging.operation.name"])}:${String(p.attributes["error.type"] ?? "ok")}`);
    expect(names.sort()).toEqual(["ReceiveMessage:InvalidClientTokenId", "ReceiveMessage:ok"]);
    expect(points(collected, METRIC.consumedMessages).map((p) => p.value)).toEqual([1]);
    await otel.shutdown();
  });
});
