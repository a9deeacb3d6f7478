import { describe, expect, it } from "vitest";
import { consumeReceiveOptions } from "../../src/sqs/consume-receive-request.js";
import { StopState } from "../../src/sqs/stop-state.js";

const base = { WaitTimeSeconds: 20, VisibilityTimeout: 30, MaxNumberOfMessages: 10, fifo: false };

describe("consumeReceiveOptions", () => {
  it("asks for MessageGroupId on a standard queue when groups are capped, on top of the user's names", () => {
    const r = consumeReceiveOptions({ ...base, maxConcurrencyPerGroup: 2 }, { MessageSystemAttributeNames: ["SentTimestamp"] }, false);
    expect(r.MessageSystemAttributeNames).toEqual(["SentTimestamp", "MessageGroupId"]);
  });

  it("leaves the user's system names as they are on a standard queue without a group cap", () => {
    const r = consumeReceiveOptions({ ...base, maxConcurrencyPerGroup: undefined }, { MessageSystemAttributeNames: ["SentTimestamp"] }, false);
    expect(r.MessageSystemAttributeNames).toEqual(["SentTimestamp"]);
  });
});

describe("StopState.begin", () => {
  it("starts stopping once: a second call returns false and keeps the first deadline", () => {
    const stop = new StopState();
    expect(stop.begin(1_000)).toBe(true);
    const deadline = stop.handlersDeadline;
    expect(stop.begin(60_000)).toBe(false);
    expect(stop.handlersDeadline).toBe(deadline);
    expect(stop.stopping).toBe(true);
  });
});
