import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_POLLERS, resolveConsumeOptions, splitConcurrency, type ConsumeOptions } from "../../src/sqs/consume-options.js";

// Never sends anything: only its presence is checked.
const client = new SQSClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "AKIDX", secretAccessKey: "x" } });
afterAll(() => client.destroy());

const base: ConsumeOptions = { client, queueUrl: "http://127.0.0.1:9/123456789012/q", handler: () => undefined };

describe("splitConcurrency", () => {
  it("gives each poller at most one receive's worth, spread evenly", () => {
    expect(splitConcurrency(20, 10)).toEqual([10, 10]);
    expect(splitConcurrency(25, 10)).toEqual([9, 8, 8]);
    expect(splitConcurrency(1, 10)).toEqual([1]);
    expect(splitConcurrency(7, 3)).toEqual([3, 2, 2]);
  });

  it("caps the number of pollers but never the total", () => {
    const shares = splitConcurrency(1_000, 10);
    expect(shares).toHaveLength(MAX_POLLERS);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1_000);
  });
});

describe("resolveConsumeOptions", () => {
  it("has sensible defaults", () => {
    const o = resolveConsumeOptions(base);
    expect(o).toMatchObject({
      concurrency: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 30,
      MaxNumberOfMessages: 10,
      heartbeatIntervalMs: 15_000,
      deleteFlushDelayMs: 50,
      stopTimeoutMs: 25_000,
      deleteFlushTimeoutMs: 4_000,
      pollerShares: [10],
    });
  });

  it("stops, by default, within the 30 s termination grace period of Kubernetes and ECS (handlers, then the last deletes)", () => {
    const o = resolveConsumeOptions(base);
    expect(o.stopTimeoutMs + o.deleteFlushTimeoutMs).toBeLessThan(30_000);
  });

  it("never asks for more messages per receive than the concurrency", () => {
    expect(resolveConsumeOptions({ ...base, concurrency: 3 }).MaxNumberOfMessages).toBe(3);
    expect(resolveConsumeOptions({ ...base, concurrency: 20, MaxNumberOfMessages: 5 }).pollerShares).toEqual([5, 5, 5, 5]);
  });

  it("requires exactly one handler", () => {
    expect(() => resolveConsumeOptions({ ...base, handler: undefined })).toThrow(/exactly one of handler/);
    expect(() => resolveConsumeOptions({ ...base, batchHandler: () => undefined })).toThrow(/exactly one of handler/);
  });

  it("requires a client and a queue URL", () => {
    expect(() => resolveConsumeOptions({ ...base, queueUrl: "" })).toThrow(/queueUrl/);
    expect(() => resolveConsumeOptions({ ...base, client: undefined as unknown as SQSClient })).toThrow(/client/);
  });

  it("rejects values SQS would reject, naming them", () => {
    expect(() => resolveConsumeOptions({ ...base, WaitTimeSeconds: 21 })).toThrow(/WaitTimeSeconds/);
    expect(() => resolveConsumeOptions({ ...base, MaxNumberOfMessages: 11 })).toThrow(/MaxNumberOfMessages/);
    expect(() => resolveConsumeOptions({ ...base, VisibilityTimeout: 43_201 })).toThrow(/VisibilityTimeout/);
    expect(() => resolveConsumeOptions({ ...base, failureVisibilityTimeout: -1 })).toThrow(/VisibilityTimeout/);
  });

  it("rejects a visibility timeout or heartbeat that could not keep a message invisible", () => {
    expect(() => resolveConsumeOptions({ ...base, VisibilityTimeout: 0 })).toThrow(/at least 1 s/);
    expect(() => resolveConsumeOptions({ ...base, VisibilityTimeout: 10, heartbeatIntervalSeconds: 10 })).toThrow(/heartbeatIntervalSeconds/);
    expect(() => resolveConsumeOptions({ ...base, heartbeatIntervalSeconds: 0 })).toThrow(/heartbeatIntervalSeconds/);
  });

  it("rejects a bad concurrency", () => {
    expect(() => resolveConsumeOptions({ ...base, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => resolveConsumeOptions({ ...base, concurrency: 2.5 })).toThrow(/concurrency/);
  });
});
