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

  it("judges the queue name in the URL's path: not a query, and .fifo only at its end", () => {
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo?x=1")).toBe(true);
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders?x=a.fifo")).toBe(false);
    expect(isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo-archive")).toBe(false);
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
    expect(groups.add("A", ["a1"])).toEqual([{ group: "A", task: ["a1"] }]);
    expect(groups.add("B", ["b1"])).toEqual([{ group: "B", task: ["b1"] }]);
    expect(groups.add("A", ["a2"])).toEqual([]);
    expect(groups.add("A", ["a3", "a4"])).toEqual([]);
    expect([groups.running, groups.inHand, groups.waiting]).toEqual([2, 2, 3]);
    expect(groups.finished("A", true)).toEqual({ start: [{ group: "A", task: ["a2"] }], release: [], idle: false });
    expect(groups.finished("A", false)).toEqual({ start: [], release: ["a3", "a4"], idle: true });
    expect(groups.has("A")).toBe(false);
    // The group is idle again: a new task starts at once.
    expect(groups.add("A", ["a5"])).toEqual([{ group: "A", task: ["a5"] }]);
    expect(groups.finished("B", true)).toEqual({ start: [], release: [], idle: true });
  });

  it("runs at most maxRunning groups; ready groups take their turn in order; drain hands back what did not start", () => {
    const groups = new FifoGroups<string>(2);
    groups.add("A", ["a1"]);
    groups.add("B", ["b1"]);
    expect(groups.add("C", ["c1"])).toEqual([]);
    expect(groups.add("D", ["d1"])).toEqual([]);
    groups.add("A", ["a2"]);
    expect(groups.running).toBe(2);
    // A keeps its run slot for a2; when B leaves, C (ready before D) gets B's.
    expect(groups.finished("A", true).start).toEqual([{ group: "A", task: ["a2"] }]);
    expect(groups.finished("B", true)).toEqual({ start: [{ group: "C", task: ["c1"] }], release: [], idle: true });
    groups.add("C", ["c2"]);
    expect(groups.drain()).toEqual({ release: ["c2", "d1"], idle: ["D"] });
    expect(groups.finished("C", true)).toEqual({ start: [], release: [], idle: true });
    expect(groups.finished("A", true)).toEqual({ start: [], release: [], idle: true });
    expect(groups.inHand).toBe(0);
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
