/** Which messages go into the next SendMessageBatch (pure): limits, FIFO lanes, retries first, oversize refused. */
import { describe, expect, it } from "vitest";
import { SendLanes } from "../../src/sqs/send-lanes.js";

interface E {
  id: string;
  bytes: number;
  group: string | undefined;
}
const e = (id: string, bytes = 10, group?: string): E => ({ id, bytes, group });
const ids = (entries: E[]): string[] => entries.map((x) => x.id);
const limits = { maxEntries: 10, maxBytes: 100, maxMessageBytes: 60 };

describe("SendLanes", () => {
  it("standard: up to 10 entries and maxBytes, in order; an entry over maxMessageBytes is refused, not packed", () => {
    const lanes = new SendLanes<E>(false);
    for (let i = 0; i < 12; i += 1) lanes.push(e(`m${i}`));
    expect(ids(lanes.take(limits).batch.entries)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]);
    lanes.push(e("big", 61));
    lanes.push(e("fat", 50));
    lanes.push(e("fat2", 50));
    const { batch, refused } = lanes.take(limits);
    expect(ids(batch.entries)).toEqual(["m10", "m11", "fat"]); // 10 + 10 + 50; fat2 would make 120
    expect(ids(refused)).toEqual(["big"]);
    expect(lanes.waiting).toBe(1);
  });

  it("FIFO: a group with a batch in flight is busy until it landed; retries go back before what followed them", () => {
    const lanes = new SendLanes<E>(true);
    for (let i = 0; i < 3; i += 1) lanes.push(e(`a${i}`, 40, "a"));
    lanes.push(e("b0", 10, "b"));
    const first = lanes.take(limits).batch;
    expect(ids(first.entries)).toEqual(["a0", "a1", "b0"]);
    expect(first.groups).toEqual(["a", "b"]);
    expect(lanes.take(limits).batch.entries).toEqual([]); // a2 waits for a's batch
    lanes.hold(["a"]);
    lanes.landed(["b"]);
    lanes.putBack([first.entries[1]!]); // a1 failed: before a2
    lanes.landed(["a"]);
    expect(ids(lanes.take(limits).batch.entries)).toEqual(["a1", "a2"]);
  });

  it("full(): a batch's worth waiting and no busy lane", () => {
    const lanes = new SendLanes<E>(false);
    for (let i = 0; i < 9; i += 1) lanes.push(e(`m${i}`));
    expect(lanes.full(limits)).toBe(false);
    lanes.push(e("m9"));
    expect(lanes.full(limits)).toBe(true);
  });
});
