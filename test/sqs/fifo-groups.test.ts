import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { FifoGroups, fifoSystemAttributeNames, groupOf, isFifoQueueUrl, splitByGroup } from "../../src/sqs/fifo-groups.js";
import { resolveConsumeOptions } from "../../src/sqs/consume-options.js";
import { ReceiveAttempt } from "../../src/sqs/receive-attempt.js";

describe("FIFO scheduling rules", () => {
  it("tells FIFO queue URLs by their .fifo name", () => {
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo")).toBe(true);
    expect(isFifoQueueUrl("http://127.0.0.1:4566/000000000000/orders.fifo/")).toBe(true);
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders")).toBe(false);
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/fifo")).toBe(false);
    expect(isFifoQueueUrl("orders.fifo")).toBe(true);
  });

  it("defaults consume's fifo from the URL and lets an explicit option win", () => {
    const base = { client: { send: () => Promise.resolve({}) } as never, handler: () => undefined };
    expect(resolveConsumeOptions({ ...base, queueUrl: "https://sqs.us-east-1.amazonaws.com/1/q.fifo" }).fifo).toBe(true);
    expect(resolveConsumeOptions({ ...base, queueUrl: "https://sqs.us-east-1.amazonaws.com/1/q" }).fifo).toBe(false);
    expect(resolveConsumeOptions({ ...base, queueUrl: "https://sqs.us-east-1.amazonaws.com/1/q", fifo: true }).fifo).toBe(true);
    expect(() => resolveConsumeOptions({ ...base, queueUrl: "q", fifo: "yes" as never })).toThrow(/fifo must be a boolean/);
  });

  it("groups by MessageGroupId; a message without one is a group of its own", () => {
    const m = (id: string, group?: string): Message => ({ MessageId: id, ...(group ? { Attributes: { MessageGroupId: group } } : {}) });
    expect(groupOf(m("1", "A"))).toBe(groupOf(m("2", "A")));
    expect(groupOf(m("1"))).not.toBe(groupOf(m("2")));
    expect(groupOf(m("1", "A"))).not.toBe(groupOf(m("A")));
    expect(splitByGroup(["a1", "b1", "a2", "c1", "b2"], (s) => s[0]!)).toEqual([
      ["a", ["a1", "a2"]],
      ["b", ["b1", "b2"]],
      ["c", ["c1"]],
    ]);
  });

  it("asks for MessageGroupId on top of the user's system attributes", () => {
    expect(fifoSystemAttributeNames(undefined)).toBeUndefined();
    expect(fifoSystemAttributeNames(["All"])).toEqual(["All"]);
    expect(fifoSystemAttributeNames(["ApproximateReceiveCount"])).toEqual(["ApproximateReceiveCount", "MessageGroupId"]);
  });

  it("runs one task per group, the next after a success, and hands back the rest after a failure", () => {
    const groups = new FifoGroups<string>();
    expect(groups.add("A", ["a1"])).toEqual(["a1"]);
    expect(groups.add("B", ["b1"])).toEqual(["b1"]);
    expect(groups.add("A", ["a2"])).toBeUndefined();
    expect(groups.add("A", ["a3", "a4"])).toBeUndefined();
    expect(groups.running).toBe(2);
    expect(groups.waiting).toBe(3);
    expect(groups.finished("A", true)).toEqual({ next: ["a2"], release: [] });
    expect(groups.finished("A", false)).toEqual({ release: ["a3", "a4"] });
    // The group is idle again: a new task starts at once.
    expect(groups.add("A", ["a3"])).toEqual(["a3"]);
    expect(groups.finished("B", true)).toEqual({ release: [] });
    expect(groups.add("B", ["b2"])).toEqual(["b2"]);
    groups.add("B", ["b3"]);
    groups.add("A", ["a4"]);
    expect(groups.drain()).toEqual(["b3", "a4"]);
    expect(groups.waiting).toBe(0);
  });

  it("keeps a receive attempt id across failures and draws a new one after an answer or after 4 minutes", () => {
    let now = 0;
    let n = 0;
    const attempt = new ReceiveAttempt(() => now, () => `id-${++n}`);
    expect(attempt.current()).toBe("id-1");
    expect(attempt.current()).toBe("id-1");
    attempt.answered();
    expect(attempt.current()).toBe("id-2");
    now += 4 * 60 * 1000 + 1;
    expect(attempt.current()).toBe("id-3");
  });
});
